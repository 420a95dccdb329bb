// Link settings: flags, MTU, metric, link address, transmit queue length,
// name, owner and persistence; and the inverses a batch records for them.
#include "daemon/core/handlers/support.hpp"

#include <linux/if.h>
#include <spdlog/spdlog.h>

#include "daemon/core/keep_inet6.hpp"
#include "daemon/core/live_rename.hpp"

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

Reply do_set_flags(Ctx& c) {
    LinkChange ch;
    ch.flags = c.req.get(AttrType::Flags).as_u32();
    ch.flags_mask = c.req.get(AttrType::FlagsMask).as_u32();
    // Nothing selected, nothing changes (the kernel would read ifi_change 0 as "all bits").
    if (*ch.flags_mask == 0) return ok();
    // A plain IFF_PROMISC / IFF_ALLMULTI is one more holder of a counted flag:
    // clearing it leaves the flag on while a connection holds a reference.
    Managed& m = *c.target.managed;
    const FlagHolders promisc = m.promisc, allmulti = m.allmulti;
    for (auto [flag, h] : {std::pair{uint32_t{IFF_PROMISC}, &m.promisc}, std::pair{uint32_t{IFF_ALLMULTI}, &m.allmulti}}) {
        if (!(*ch.flags_mask & flag)) continue;
        h->plain = *ch.flags & flag;
        ch.flags = h->on() ? (*ch.flags | flag) : (*ch.flags & ~flag);
    }
    // KeepInet6 on a change that takes the interface down: BSD's addresses stay (keep_inet6.hpp).
    const bool going_down = (*ch.flags_mask & IFF_UP) && !(*ch.flags & IFF_UP) && (c.target.record->flags & IFF_UP);
    const bool keep = going_down && c.req.has(AttrType::KeepInet6) && c.req.get(AttrType::KeepInet6).as_u8();
    const std::vector<proto::Address> kept = keep ? inet6_to_keep(*c.target.record) : std::vector<proto::Address>{};
    const uint32_t index = c.target.record->index;
    Reply r = from_kernel(c.kernel.change_link(index, ch), "setting flags of " + c.target.name);
    if (r.status) {
        m.promisc = promisc;
        m.allmulti = allmulti;
        return r;
    }
    if (*ch.flags_mask & (IFF_PROMISC | IFF_ALLMULTI)) sync_tx_filter(m, own_mac(*c.target.record));
    // The flags changed either way: an address that cannot be put back is logged, not a failure.
    if (int rc = restore_inet6(c.kernel, index, kept); rc < 0)
        spdlog::warn("{} is down, but not all of its IPv6 addresses could be kept: {}", c.target.name, std::strerror(-rc));
    return r;
}

Reply do_set_mtu(Ctx& c) {
    LinkChange ch;
    ch.mtu = c.req.get(AttrType::Mtu).as_u32();
    const proto::Interface& k = *c.target.record;
    Reply r = from_kernel(c.kernel.change_link(k.index, ch), "setting MTU " + std::to_string(*ch.mtu) + " on " + c.target.name);
    if (r.status == EINVAL && k.max_mtu)
        r.message += " (this interface accepts " + std::to_string(k.min_mtu) + ".." + std::to_string(k.max_mtu) + ")";
    return r;
}

Reply do_set_metric(Ctx& c) {
    Managed& m = *c.target.managed;
    const int32_t old = m.metric;
    m.metric = c.req.get(AttrType::Metric).as_s32();
    return record_or_undo(c, c.target.record->index, [&] { m.metric = old; });
}

Reply do_set_persistent(Ctx& c) {
    Managed& m = *c.target.managed;
    const bool old = m.persistent;
    m.persistent = c.req.get(AttrType::Persistent).as_u8();
    return record_or_undo(c, c.target.record->index, [&] { m.persistent = old; });
}

Reply do_set_lladdr(Ctx& c) {
    const auto& p = c.req.get(AttrType::Lladdr).payload;
    LinkChange ch;
    ch.lladdr = std::vector<uint8_t>(p.begin(), p.end());
    Reply r = from_kernel(c.kernel.change_link(c.target.record->index, ch), "setting the link address of " + c.target.name);
    // The filter lets frames to the TAP's own address through: it follows the address.
    if (!r.status && p.size() == 6) {
        Mac own{};
        std::copy(p.begin(), p.end(), own.begin());
        sync_tx_filter(*c.target.managed, own);
    }
    return r;
}

Reply do_set_txqlen(Ctx& c) {
    LinkChange ch;
    ch.txqlen = c.req.get(AttrType::Txqlen).as_u32();
    return from_kernel(c.kernel.change_link(c.target.record->index, ch), "setting txqueuelen of " + c.target.name);
}

Reply do_rename(Ctx& c) {
    // A pattern becomes the name the policy judged: the lowest free unit, as the kernel would pick it.
    const std::string old_name = c.target.record->name;
    const std::string new_name = expected_name(c.kernel, std::string(c.req.get(AttrType::NewName).as_str()));
    const uint32_t index = c.target.record->index;
    RenameSteps steps;
    steps.rename = [&](const std::string& to) {
        LinkChange ch;
        ch.name = to;
        return c.kernel.change_link(index, ch);
    };
    steps.set_up = [&](bool up) {
        LinkChange ch;
        ch.flags = up ? IFF_UP : 0;
        ch.flags_mask = IFF_UP;
        return c.kernel.change_link(index, ch);
    };
    const bool live = c.req.has(AttrType::LiveRename) && c.req.get(AttrType::LiveRename).as_u8();
    return from_kernel(live_rename(steps, old_name, new_name, live, c.target.record->flags & IFF_UP),
                       "renaming " + c.target.name + " to " + new_name);
}

// The owner is the daemon's: the kernel owner stays root (Tap::restrict_to_root).
Reply do_set_owner(Ctx& c) {
    const uint32_t uid = c.req.get(AttrType::Owner).as_u32();
    Managed& m = *c.target.managed;
    const uint32_t old = m.owner;
    m.owner = uid;
    return record_or_undo(c, c.target.record->index, [&] { m.owner = old; });
}

void undo_set_flags(const proto::Request& req, const Target& tg, ClientId, Frames& out) {
    const uint32_t mask = req.get(AttrType::FlagsMask).as_u32();
    out.push_back(request_by_index(Op::SetFlags, tg.record->index).u32(wire_type(AttrType::Flags), tg.record->flags & mask).u32(wire_type(AttrType::FlagsMask), mask).finish());
}

void undo_set_mtu(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    out.push_back(request_by_index(Op::SetMtu, tg.record->index).u32(wire_type(AttrType::Mtu), tg.record->mtu).finish());
}

void undo_set_txqlen(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    out.push_back(request_by_index(Op::SetTxqlen, tg.record->index).u32(wire_type(AttrType::Txqlen), tg.record->txqlen).finish());
}

void undo_set_metric(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    if (tg.managed) out.push_back(request_by_index(Op::SetMetric, tg.record->index).s32(wire_type(AttrType::Metric), tg.managed->metric).finish());
}

void undo_set_lladdr(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    const proto::Interface& k = *tg.record;
    if (!k.lladdr.empty()) out.push_back(request_by_index(Op::SetLladdr, k.index).bytes(wire_type(AttrType::Lladdr), k.lladdr).finish());
}

void undo_rename(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    out.push_back(request_by_index(Op::Rename, tg.record->index).str(wire_type(AttrType::NewName), tg.record->name).finish());
}

void undo_set_owner(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    if (tg.managed) out.push_back(request_by_index(Op::SetOwner, tg.record->index).u32(wire_type(AttrType::Owner), tg.managed->owner).finish());
}

}  // namespace ifctl::daemon::detail
