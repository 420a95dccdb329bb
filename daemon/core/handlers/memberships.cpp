// Memberships and offloads: link-level multicast groups, the per-connection
// references on IFF_PROMISC and IFF_ALLMULTI, the TAP's frame filter that
// follows them, and TAP offloads; what a closing connection held is dropped.
#include "daemon/core/handlers/support.hpp"

#include <linux/if.h>
#include <spdlog/spdlog.h>

#include "daemon/kernel/multicast.hpp"

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

namespace {

// Sets IFF_PROMISC or IFF_ALLMULTI in the kernel to what its holders say, if it differs.
int apply_flag(Ctx& c, uint32_t flag, bool on) {
    const proto::Interface& k = *c.target.record;
    if (bool(k.flags & flag) == on) return 0;
    LinkChange ch;
    ch.flags = on ? flag : 0;
    ch.flags_mask = flag;
    return c.kernel.change_link(k.index, ch);
}

// Joins or leaves a link-level multicast group for this connection (PerClient)
// or plainly. The kernel holds the union of all holders: it is asked to join
// when an address enters the union and to leave when it leaves it.
Reply change_membership(Ctx& c, bool join) {
    const auto& p = c.req.get(AttrType::Lladdr).payload;
    Mac mac{};  // 6 bytes: the schema's rule for this request
    std::copy(p.begin(), p.end(), mac.begin());
    const bool per_client = c.req.has(AttrType::PerClient) && c.req.get(AttrType::PerClient).as_u8();
    const ClientId who = per_client ? c.peer.client : kPlain;
    Memberships& groups = c.target.managed->multicast;
    const std::string text = proto::format_lladdr({mac.begin(), mac.end()});
    const std::string& dev = c.target.record->name;
    if (join) {
        // FreeBSD if_addmulti: a client may join a given link address only once.
        if (per_client && groups.held_by(who, mac))
            return Reply::error(EADDRINUSE, "this connection has already joined " + text + " on " + c.target.name);
        if (!groups.held(mac))
            if (int rc = add_multicast(dev, mac); rc < 0) return from_kernel(rc, "joining " + text + " on " + c.target.name);
        groups.add(who, mac);
    } else {
        if (!groups.held_by(who, mac)) {
            if (per_client || groups.held(mac))
                return Reply::error(ENOENT, std::string(per_client ? "this connection has" : "no plain join has") +
                                                " not joined " + text + " on " + c.target.name);
            // Nobody holds it through ifctld: the kernel's own answer (ENOENT).
            return from_kernel(delete_multicast(dev, mac), "leaving " + text + " on " + c.target.name);
        }
        groups.remove(who, mac);
        if (!groups.held(mac))
            if (int rc = delete_multicast(dev, mac); rc < 0) {
                groups.add(who, mac);
                return from_kernel(rc, "leaving " + text + " on " + c.target.name);
            }
    }
    sync_tx_filter(*c.target.managed, own_mac(*c.target.record));
    return ok();
}

}  // namespace

Reply do_multi_add(Ctx& c) { return change_membership(c, true); }
Reply do_multi_del(Ctx& c) { return change_membership(c, false); }

// One connection's reference on IFF_PROMISC or IFF_ALLMULTI (BSD ifpromisc,
// if_allmulti): the first holder turns the flag on, the last turns it off.
Reply do_flag_ref(Ctx& c) {
    const uint32_t flag = c.req.get(AttrType::RefFlag).as_u32();  // IFF_PROMISC or IFF_ALLMULTI (validated)
    const bool on = c.req.get(AttrType::RefOn).as_u8();
    Managed& m = *c.target.managed;
    FlagHolders& h = flag == IFF_PROMISC ? m.promisc : m.allmulti;
    const ClientId me = c.peer.client;
    if (on == (h.clients.count(me) != 0)) return ok();  // at most one reference per connection
    const FlagHolders before = h;
    if (on) {
        // Set on before anyone held it (outside ifctld): that setting is a plain holder.
        if (!h.on() && (c.target.record->flags & flag)) h.plain = true;
        h.clients.insert(me);
    } else {
        h.clients.erase(me);
    }
    const char* what = flag == IFF_PROMISC ? "promiscuous mode" : "all-multicast mode";
    if (int rc = apply_flag(c, flag, h.on()); rc < 0) {
        h = before;
        return from_kernel(rc, std::string(on ? "turning on " : "turning off ") + what + " of " + c.target.name);
    }
    sync_tx_filter(m, own_mac(*c.target.record));
    return ok();
}

Reply do_set_caps(Ctx& c) {
    Managed& m = *c.target.managed;
    const uint32_t want = c.req.get(AttrType::CapsEnabled).as_u32();
    const uint32_t supported = m.tap.offloads_supported();
    if (want & ~supported) {
        char b[64];
        std::snprintf(b, sizeof b, "0x%x outside the supported 0x%x", want & ~supported, supported);
        return Reply::error(EINVAL, "offloads " + std::string(b) + " on " + c.target.name +
                                        (m.tap.vnet_hdr() ? "" : " (a TAP without vnet_hdr supports none)"));
    }
    if (int rc = m.tap.set_offloads(want); rc < 0) return from_kernel(rc, "setting the offloads of " + c.target.name);
    m.caps_enabled = want;
    return ok();
}

void undo_set_caps(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    if (tg.managed)
        out.push_back(
            request_by_index(Op::SetCaps, tg.record->index).u32(wire_type(AttrType::CapsEnabled), tg.managed->caps_enabled).finish());
}

// MultiAdd and MultiDel undo each other.
void undo_membership(const proto::Request& req, const Target& tg, ClientId client, Frames& out) {
    const auto& p = req.get(AttrType::Lladdr).payload;
    Mac mac{};  // 6 bytes: the schema's rule for this request
    if (!tg.managed) return;
    std::copy(p.begin(), p.end(), mac.begin());
    // The holder the step counts for: this connection, or the shared plain one.
    const bool per_client = req.has(AttrType::PerClient) && req.get(AttrType::PerClient).as_u8();
    const bool member = tg.managed->multicast.held_by(per_client ? client : kPlain, mac);
    // Joining a group already joined, or leaving one not joined, changes nothing to undo.
    if ((req.op() == Op::MultiAdd) == member) return;
    proto::Writer w = request_by_index(req.op() == Op::MultiAdd ? Op::MultiDel : Op::MultiAdd, tg.record->index);
    w.raw(wire_type(AttrType::Lladdr), mac.data(), mac.size());
    if (per_client) w.u8(wire_type(AttrType::PerClient), 1);
    out.push_back(w.finish());
}

}  // namespace ifctl::daemon::detail

namespace ifctl::daemon {

using proto::AttrType;
using namespace detail;

void Dispatcher::client_closed(const Peer& peer) {
    const ClientId who = peer.client;
    // Most connections hold nothing: their end costs no kernel work at all.
    bool held = false;
    for (const auto& [_, m] : registry_.all())
        held |= m.promisc.clients.count(who) || m.allmulti.clients.count(who) || m.multicast.holds_any(who);
    if (!held) return;
    kernel_.poll_events();  // the flags as they are now
    for (auto& [index, m] : registry_.all()) {
        const bool promisc = m.promisc.clients.erase(who) != 0, allmulti = m.allmulti.clients.erase(who) != 0;
        const std::vector<Mac> left = m.multicast.drop(who);
        if (!promisc && !allmulti && left.empty()) continue;
        const proto::Interface* k = kernel_.find(index);
        if (!k) continue;
        for (const Mac& mac : left)
            if (int rc = delete_multicast(k->name, mac); rc < 0)
                spdlog::warn("{}: leaving {} for a closed connection: {}", k->name,
                             proto::format_lladdr({mac.begin(), mac.end()}), std::strerror(-rc));
        LinkChange ch;
        ch.flags = (m.promisc.on() ? IFF_PROMISC : 0) | (m.allmulti.on() ? IFF_ALLMULTI : 0);
        ch.flags_mask = (promisc ? IFF_PROMISC : 0) | (allmulti ? IFF_ALLMULTI : 0);
        if (*ch.flags_mask && (k->flags & *ch.flags_mask) != (*ch.flags & *ch.flags_mask))
            if (int rc = kernel_.change_link(index, ch); rc < 0)
                spdlog::warn("{}: dropping the flag references of a closed connection: {}", k->name, std::strerror(-rc));
        sync_tx_filter(m, own_mac(*k));
        if (snapshot_) snapshot_->touch(index);
        spdlog::info("{}: references of {} dropped", k->name, peer.describe());
    }
    publish();
}

}  // namespace ifctl::daemon
