// Namespaces: moving a TAP into another network namespace.
#include "daemon/core/handlers/support.hpp"

#include <spdlog/spdlog.h>

#include "daemon/core/persistence.hpp"
#include "daemon/kernel/netns.hpp"

namespace ifctl::daemon::detail {

using proto::A;
using proto::Op;

// Moves a TAP into another network namespace (a container's) and re-applies
// there what the move loses: addresses and flags (the kernel keeps name, MAC,
// MTU and the TUNSETOWNER owner). The daemon keeps its queue and the record.
Reply do_move_netns(Ctx& c) {
    if (!c.peer.is_root()) return Reply::error(EPERM, "only root may move an interface into another network namespace");
    const bool by_path = c.req.has(A::NetnsPath);
    if (by_path == c.req.has(A::NetnsPid))
        return Reply::error(EINVAL, "move-netns needs exactly one of netns-pid and netns-path");
    const std::string path = by_path ? std::string(c.req.get(A::NetnsPath).as_str()) : std::string();
    const uint32_t pid = by_path ? 0 : c.req.get(A::NetnsPid).as_u32();
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
    c.registry.remove(index);
    c.kernel.poll_events();
    if (c.kernel.find(index)) {  // it was there already: nothing moved
        c.registry.add(index, std::move(moved));
        c.registry.moved().erase(id);
        if (c.persist) c.persist->record(index);
        return ok();
    }
    StoredInterface cfg;  // what the move loses
    cfg.addresses = before.addresses;
    cfg.flags = before.flags;
    cfg.multicast = moved.multicast.all();
    std::vector<std::string> problems;
    const int rc = in_netns(ns.get(), [&] {
        try {
            Netlink there;
            const proto::Interface* t = there.find(before.name);
            if (!t) return -ENODEV;
            apply_config(there, t->index, cfg, false, problems);
            return 0;
        } catch (const std::exception& e) {
            problems.push_back(e.what());
            return -EIO;
        }
    });
    moved.netns = where;
    spdlog::info("moved {} (unique id {}) to the network namespace of {}", before.name, id, where);
    if (rc < 0 || !problems.empty()) {
        std::string why = rc < 0 ? std::strerror(-rc) : problems.front();
        return Reply::error(rc < 0 ? -rc : EIO, "moved " + before.name + " to " + where +
                                                    " but could not re-apply its configuration there: " + why);
    }
    return ok();
}

}  // namespace ifctl::daemon::detail
