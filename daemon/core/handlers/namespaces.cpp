// Namespaces: moving a TAP into another network namespace, and back.
#include "daemon/core/handlers/support.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>

#include "daemon/core/persistence.hpp"
#include "daemon/kernel/netns.hpp"

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

namespace {

// What a move loses, which is applied again wherever the TAP lands.
StoredInterface lost_in_move(const proto::Interface& before, const Managed& m) {
    StoredInterface cfg;
    cfg.addresses = before.addresses;
    cfg.flags = before.flags;
    cfg.multicast = m.multicast.all();
    // The inet6 settings go with the device's inet6 state, remade on arrival.
    cfg.auto_linklocal = before.auto_linklocal;
    return cfg;
}

// apply_config's link step is needed only for what a move resets.
bool needs_link_step(const StoredInterface& cfg) { return !cfg.auto_linklocal; }

// The TAP moved away that is called `name` now (Tap::name() asks the kernel).
std::map<uint64_t, Managed>::iterator find_moved(Registry& r, const std::string& name) {
    for (auto it = r.moved().begin(); it != r.moved().end(); ++it)
        if (it->second.tap.name() == name) return it;
    return r.moved().end();
}

// Why `name` cannot be brought back: it is here already, or it is not ours.
Reply not_away(Ctx& c, const std::string& name) {
    const proto::Interface* k = c.kernel.find(name);
    if (!k) return Reply::error(ENODEV, "no interface named " + name + " here, nor moved away by ifctld");
    if (!c.registry.find(k->index)) {
        Reply r = Reply::error(EPERM, name + " is not managed by ifctld (only interfaces it created can be "
                                             "changed through it)");
        r.unmanaged = true;
        return r;
    }
    // FreeBSD's if_vmove_reclaim() answers a move into the vnet it is in so.
    return Reply::error(EEXIST, name + " is already in ifctld's network namespace");
}

// The TAP came back from a move that could not complete: it is managed here
// again, with the configuration the move lost, and its record says "here".
Reply move_undone(Ctx& c, const proto::Interface& before, uint64_t id, const std::string& where, int err,
                  const std::string& why) {
    c.kernel.poll_events();
    std::string now = before.name + " is here and managed";
    if (const proto::Interface* k = c.kernel.find(before.name)) {
        const uint32_t index = k->index;
        Managed& m = c.registry.add(index, std::move(c.registry.moved().at(id)));
        c.registry.moved().erase(id);
        std::vector<std::string> problems;
        const StoredInterface cfg = lost_in_move(before, m);
        if (apply_config(c.kernel, index, cfg, needs_link_step(cfg), problems) < 0)
            now += "; here again: " + problems.front();
        c.kernel.poll_events();
        if (c.persist) c.persist->record(index);
    } else {
        now = "but " + before.name + " is not to be found here";
    }
    spdlog::warn("moving {} (unique id {}) to the network namespace of {} was undone ({}): {}", before.name, id, where,
                 why, now);
    return Reply::error(err, "could not re-apply the configuration of " + before.name + " in the network namespace of " +
                                 where + " (" + why + "): the move was undone, " + now);
}

// The TAP came home but could not be made as it was there (its configuration
// refused here, or its record unwritable): it goes back into the namespace it
// came from (`ns`), with what it had there, so the request changes nothing.
// Only if it cannot go back does it stay here, managed, its record saying so.
Reply home_undone(Ctx& c, uint32_t index, int ns, const proto::Interface& there_before, const std::string& where,
                  int err, const std::string& failure) {
    const std::string& name = there_before.name;
    Managed& m = *c.registry.find(index);
    LinkChange away;
    away.netns_fd = ns;
    if (int back = c.kernel.change_link(index, away); back < 0) {
        c.kernel.poll_events();
        if (c.persist) c.persist->record(index);
        const std::string now = failure + ", nor return it to the network namespace of " + where + " (" +
                                std::strerror(-back) + "): " + name + " is here and managed, configured only in part";
        spdlog::error("moving {} (unique id {}) home: {}", name, m.unique_id, now);
        return Reply::error(err, now);
    }
    // Out of the registry before the kernel's "link gone" event is read (as
    // do_move_netns does).
    const uint64_t id = m.unique_id;
    Managed& moved = c.registry.moved().insert_or_assign(id, std::move(m)).first->second;
    c.registry.remove(index);
    moved.netns = where;
    c.kernel.poll_events();
    const StoredInterface cfg = lost_in_move(there_before, moved);
    std::vector<std::string> problems;
    const int rc = c.kernel.run_in_netns(ns, [&](Kernel& there) {
        const proto::Interface* t = there.find(name);
        if (!t) return -ENODEV;
        return apply_config(there, t->index, cfg, needs_link_step(cfg), problems);
    });
    std::string now = failure + ": the move home was undone, " + name + " is back in the network namespace of " + where;
    if (rc < 0) now += ", configured there only in part (" + (problems.empty() ? std::strerror(-rc) : problems.front()) + ")";
    spdlog::warn("moving {} (unique id {}) home: {}", name, id, now);
    return Reply::error(err, now);
}

}  // namespace

// Moves a TAP into another network namespace (a container's) and re-applies
// there what the move loses: addresses and flags (the kernel keeps name, MAC,
// MTU and the TUNSETOWNER owner). The daemon keeps its queue and the record.
Reply do_move_netns(Ctx& c) {
    if (!c.peer.is_root()) return Reply::error(EPERM, "only root may move an interface into another network namespace");
    const bool by_path = c.req.has(AttrType::NetnsPath);  // or netns-pid: exactly one (the schema's rule)
    const std::string path = by_path ? std::string(c.req.get(AttrType::NetnsPath).as_str()) : std::string();
    const uint32_t pid = by_path ? 0 : c.req.get(AttrType::NetnsPid).as_u32();
    const std::string where = by_path ? path : "pid " + std::to_string(pid);
    UniqueFd ns;
    if (int rc = open_netns(path, pid, ns); rc < 0) {
        Reply r = from_kernel(rc, "opening the network namespace of " + where);
        if (rc == -EINVAL) r.message = where + " is not a network namespace";
        return r;
    }
    const proto::Interface before = *c.target.record;  // a copy: the view is about to lose it
    const uint32_t index = before.index;
    Managed& m = *c.target.managed;
    // The record says where it went before it goes (a crash in between is
    // noticed at the next start: the TAP is then still here).
    StoredInterface rec;
    if (c.persist) {
        rec = c.persist->snapshot(index, m);
        rec.netns = where;
        if (int rc = c.persist->record(rec); rc < 0)
            return Reply::error(-rc, "cannot record the move in the state directory: " + std::string(std::strerror(-rc)));
    }
    // Joined before anything moves: a namespace we could not enter could not
    // take the configuration, nor give the TAP back.
    if (int rc = c.kernel.run_in_netns(ns.get(), [](Kernel&) { return 0; }); rc < 0) {
        if (c.persist) c.persist->record(index);  // back to "here"
        return from_kernel(rc, "entering the network namespace of " + where);
    }
    LinkChange mv;
    if (by_path) mv.netns_fd = ns.get();
    else mv.netns_pid = pid;
    if (int rc = c.kernel.change_link(index, mv); rc < 0) {
        if (c.persist) c.persist->record(index);  // back to "here"
        return from_kernel(rc, "moving " + c.target.name + " to " + where);
    }
    // Out of the registry before the kernel's "link gone" event is read, which
    // would otherwise be taken for a deletion behind our back.
    const uint64_t id = m.unique_id;
    Managed& moved = c.registry.moved().insert_or_assign(id, std::move(m)).first->second;
    moved.name_on_record = before.name;
    c.registry.remove(index);
    c.kernel.poll_events();
    if (c.kernel.find(index)) {  // it was there already: nothing moved
        c.registry.add(index, std::move(moved));
        c.registry.moved().erase(id);
        if (c.persist) c.persist->record(index);
        return ok();
    }
    const StoredInterface cfg = lost_in_move(before, moved);
    std::vector<std::string> problems;
    int back = 1;  // 1: not tried; else the move back's result
    const int rc = c.kernel.run_in_netns(ns.get(), [&](Kernel& there) {
        const proto::Interface* t = there.find(before.name);
        if (!t) return -ENODEV;
        if (int e = apply_config(there, t->index, cfg, needs_link_step(cfg), problems); e < 0) {
            // A move that cannot complete is undone: the TAP comes back here.
            LinkChange home;
            home.netns_pid = static_cast<uint32_t>(::getpid());
            back = there.change_link(t->index, home);
            return e;
        }
        return 0;
    });
    if (rc == 0) {
        moved.netns = where;
        spdlog::info("moved {} (unique id {}) to the network namespace of {}", before.name, id, where);
        return ok();
    }
    const std::string why = problems.empty() ? std::strerror(-rc) : problems.front();
    if (back == 0) return move_undone(c, before, id, where, -rc, why);
    moved.netns = where;
    spdlog::error("moved {} (unique id {}) to the network namespace of {}, but could not re-apply its configuration "
                  "there ({}) nor move it back ({})",
                  before.name, id, where, why, back < 0 ? std::strerror(-back) : "not tried");
    return Reply::error(-rc, "moved " + before.name + " to " + where +
                                 " but could not re-apply its configuration there (" + why + ") nor move it back");
}

// Brings a TAP moved away (do_move_netns) back into the daemon's namespace.
// The namespace it is in now is the one its device reports (TUNGETDEVNETNS on
// the daemon's queue), wherever it went since; the move is made from there,
// and what it loses (addresses, flags, memberships) is applied again here, as
// it was there. The record says "here" once it is.
Reply do_move_home(Ctx& c) {
    if (!c.peer.is_root()) return Reply::error(EPERM, "only root may move an interface back into ifctld's network namespace");
    const std::string name(c.req.get(AttrType::Name).as_str());
    const auto it = find_moved(c.registry, name);
    if (it == c.registry.moved().end()) return not_away(c, name);
    const uint64_t id = it->first;
    const std::string where = it->second.netns;
    UniqueFd ns;
    if (int rc = it->second.tap.device_netns(ns); rc == -EBADFD) {
        // Deleted where it was, or with its namespace: no longer ours.
        if (c.persist) c.persist->moved_gone(id, it->second);
        c.registry.moved().erase(it);
        return Reply::error(ENODEV, name + " is gone from the network namespace of " + where +
                                        " (deleted there, or with its namespace)");
    } else if (rc < 0) {
        return from_kernel(rc, "finding the network namespace " + name + " is in");
    }
    proto::Interface there_before;  // what the move loses, as it was there
    const int rc = c.kernel.run_in_netns(ns.get(), [&](Kernel& there) {
        const proto::Interface* t = there.find(name);
        if (!t) return -ENODEV;
        there_before = *t;
        LinkChange home;
        home.netns_pid = static_cast<uint32_t>(::getpid());
        return there.change_link(t->index, home);
    });
    if (rc == -EEXIST)
        return Reply::error(EEXIST, "another interface is named " + name + " in ifctld's network namespace: " + name +
                                        " stays in the network namespace of " + where);
    if (rc < 0) return from_kernel(rc, "moving " + name + " back from the network namespace of " + where);
    c.kernel.poll_events();
    const proto::Interface* k = c.kernel.find(name);
    if (!k) {
        spdlog::error("moved {} (unique id {}) back from {}, but it is not to be found here", name, id, where);
        return Reply::error(EIO, "moved " + name + " back from " + where + ", but it is not to be found here");
    }
    const uint32_t index = k->index;
    Managed& m = c.registry.add(index, std::move(it->second));
    c.registry.moved().erase(id);
    m.netns.clear();
    const StoredInterface cfg = lost_in_move(there_before, m);
    std::vector<std::string> problems;
    if (int e = apply_config(c.kernel, index, cfg, needs_link_step(cfg), problems); e < 0)
        return home_undone(c, index, ns.get(), there_before, where, -e,
                           "could not re-apply the configuration of " + name + " here (" + problems.front() + ")");
    c.kernel.poll_events();
    if (c.persist)
        if (int e = c.persist->record(index); e < 0)
            return home_undone(c, index, ns.get(), there_before, where, -e,
                               "could not record " + name + " in the state directory (" + std::strerror(-e) + ")");
    spdlog::info("moved {} (unique id {}) back from the network namespace of {}", name, id, where);
    return reply_with(c, index);
}

}  // namespace ifctl::daemon::detail
