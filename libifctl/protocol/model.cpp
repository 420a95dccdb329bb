#include "model.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace ifctl::proto {

namespace {
// The children of a record (an interface, an address, statistics) as the
// compatibility rule of docs/protocol.md §3 wants them: the framing checked,
// attributes this build knows checked by their kind (so a decoder may copy a
// payload into a fixed-size field), and attribute numbers it does not know
// left out: a newer daemon may add attributes to records, and an older client
// must keep working. A known attribute a record does not use is skipped by
// the decoder's switch for the same reason.
// Each child goes to fn as it is found, the first error ends the walk: no
// vector of children (records are decoded by the thousand in a List, and
// growing that vector was most of a record's decoding cost, docs/performance.md).
template <typename Fn>
Error for_each_record_child(const Attr& nested, Fn&& fn) {
    AttrIter it(nested.payload);
    Attr a;
    while (it.next(a)) {
        const AttrSpec* s = attr_spec(a.type);
        if (!s) continue;
        if (!attr_fits(*s, a)) return check_attr(a);
        if (Error e = fn(a)) return e;
    }
    return it.error();
}
}  // namespace

bool Address::same_local(const Address& o) const {
    return family == o.family && std::equal(local.begin(), local.begin() + length(), o.local.begin());
}

bool Address::operator==(const Address& o) const {
    return same_local(o) && prefix == o.prefix && broadcast == o.broadcast && peer == o.peer && label == o.label;
}

void encode_address(Writer& w, A type, const Address& a) {
    const size_t tok = w.begin_nested(static_cast<uint16_t>(type));
    w.u8(static_cast<uint16_t>(A::AddrFamily), a.family);
    w.raw(static_cast<uint16_t>(A::AddrLocal), a.local.data(), a.length());
    w.u8(static_cast<uint16_t>(A::AddrPrefix), a.prefix);
    if (a.broadcast) w.raw(static_cast<uint16_t>(A::AddrBroadcast), a.broadcast->data(), 4);
    if (a.peer) w.raw(static_cast<uint16_t>(A::AddrPeer), a.peer->data(), a.length());
    if (!a.label.empty()) w.str(static_cast<uint16_t>(A::AddrLabel), a.label);
    if (a.flags) w.u32(static_cast<uint16_t>(A::AddrFlags), a.flags);
    w.end_nested(tok);
}

Error decode_address(const Attr& nested, Address& a) {
    a = Address{};
    if (Error e = for_each_record_child(nested, [&](const Attr& k) -> Error {
        switch (static_cast<A>(k.type)) {
            case A::AddrFamily: a.family = k.as_u8(); break;
            case A::AddrLocal: std::copy(k.payload.begin(), k.payload.end(), a.local.begin()); break;
            case A::AddrPrefix: a.prefix = k.as_u8(); break;
            case A::AddrBroadcast: {
                std::array<uint8_t, 4> b{};
                std::copy(k.payload.begin(), k.payload.end(), b.begin());
                a.broadcast = b;
                break;
            }
            case A::AddrPeer: {
                std::array<uint8_t, 16> p{};
                std::copy(k.payload.begin(), k.payload.end(), p.begin());
                a.peer = p;
                break;
            }
            case A::AddrLabel: a.label = k.as_str(); break;
            case A::AddrFlags: a.flags = k.as_u32(); break;
            default: break;  // not an address's: skipped (for_each_record_child)
        }
        return {};
    }))
        return e;
    if (a.family != 2 && a.family != 10) return {EBADMSG, "address without a valid family"};
    return {};
}

void encode_interface(Writer& w, const Interface& i, bool details) {
    auto t = [](A a) { return static_cast<uint16_t>(a); };
    const size_t tok = w.begin_nested(t(A::Interface));
    w.u32(t(A::Index), i.index);
    w.str(t(A::Name), i.name);
    if (!i.kind.empty()) w.str(t(A::LinkKind), i.kind);
    w.u32(t(A::HwType), i.hw_type);
    w.u32(t(A::Flags), i.flags);
    w.u32(t(A::Mtu), i.mtu);
    w.u32(t(A::MinMtu), i.min_mtu);
    w.u32(t(A::MaxMtu), i.max_mtu);
    w.s32(t(A::Metric), i.metric);
    w.u32(t(A::Txqlen), i.txqlen);
    w.bytes(t(A::Lladdr), i.lladdr);
    if (details) {
        for (const Address& a : i.addresses) encode_address(w, A::Address, a);
        for (const auto& m : i.multicast) w.raw(t(A::MultiAddr), m.data(), m.size());
    }
    if (i.kind == "tun") {
        w.u32(t(A::Queues), i.queues);
        w.u32(t(A::QueuesDetached), i.queues_detached);
    }
    w.u8(t(A::Carrier), i.carrier);
    w.u8(t(A::OperState), i.operstate);
    if (details) {
    const size_t st = w.begin_nested(t(A::Stats));
    w.u64(t(A::StatRxPackets), i.stats.rx_packets);
    w.u64(t(A::StatTxPackets), i.stats.tx_packets);
    w.u64(t(A::StatRxBytes), i.stats.rx_bytes);
    w.u64(t(A::StatTxBytes), i.stats.tx_bytes);
    w.u64(t(A::StatRxErrors), i.stats.rx_errors);
    w.u64(t(A::StatTxErrors), i.stats.tx_errors);
    w.u64(t(A::StatRxDropped), i.stats.rx_dropped);
    w.u64(t(A::StatTxDropped), i.stats.tx_dropped);
    w.u64(t(A::StatMulticast), i.stats.multicast);
    w.u64(t(A::StatCollisions), i.stats.collisions);
    w.end_nested(st);
    }
    w.u64(t(A::ChangeTime), i.change_time_ms);
    w.u8(t(A::Managed), i.managed);
    w.u8(t(A::MayChange), i.may_change);
    if (i.managed) {
        w.u32(t(A::Owner), i.owner);
        w.u64(t(A::UniqueId), i.unique_id);
        w.u8(t(A::Persistent), i.persistent);
        if (!i.netns.empty()) w.str(t(A::Netns), i.netns);
        if (!i.unique_family.empty()) w.str(t(A::UniqueFamily), i.unique_family);
        w.u32(t(A::CapsSupported), i.caps_supported);
        w.u32(t(A::CapsEnabled), i.caps_enabled);
        w.u32(t(A::PromiscRefs), i.promisc_refs);
        w.u32(t(A::AllmultiRefs), i.allmulti_refs);
        for (const std::string& g : i.groups) w.str(t(A::IfGroup), g);
        w.u8(t(A::NoDad), i.no_dad);
    }
    if (!i.description.empty()) w.str(t(A::Description), i.description);
    w.u8(t(A::AutoLinklocal), i.auto_linklocal);
    w.end_nested(tok);
}

namespace {
Error decode_stats(const Attr& nested, Stats& s) {
    return for_each_record_child(nested, [&](const Attr& k) -> Error {
        if (attr_spec(k.type)->kind != AttrKind::U64) return {};  // not a counter: skipped (for_each_record_child)
        const uint64_t v = k.as_u64();
        switch (static_cast<A>(k.type)) {
            case A::StatRxPackets: s.rx_packets = v; break;
            case A::StatTxPackets: s.tx_packets = v; break;
            case A::StatRxBytes: s.rx_bytes = v; break;
            case A::StatTxBytes: s.tx_bytes = v; break;
            case A::StatRxErrors: s.rx_errors = v; break;
            case A::StatTxErrors: s.tx_errors = v; break;
            case A::StatRxDropped: s.rx_dropped = v; break;
            case A::StatTxDropped: s.tx_dropped = v; break;
            case A::StatMulticast: s.multicast = v; break;
            case A::StatCollisions: s.collisions = v; break;
            default: break;  // not a counter: skipped (for_each_record_child)
        }
        return {};
    });
}
}  // namespace

Error decode_interface(const Attr& nested, Interface& i) {
    i = Interface{};
    if (Error e = for_each_record_child(nested, [&](const Attr& k) -> Error {
        switch (static_cast<A>(k.type)) {
            case A::Index: i.index = k.as_u32(); break;
            case A::Name: i.name = k.as_str(); break;
            case A::LinkKind: i.kind = k.as_str(); break;
            case A::HwType: i.hw_type = k.as_u32(); break;
            case A::Flags: i.flags = k.as_u32(); break;
            case A::Mtu: i.mtu = k.as_u32(); break;
            case A::MinMtu: i.min_mtu = k.as_u32(); break;
            case A::MaxMtu: i.max_mtu = k.as_u32(); break;
            case A::Metric: i.metric = k.as_s32(); break;
            case A::Txqlen: i.txqlen = k.as_u32(); break;
            case A::Lladdr: i.lladdr.assign(k.payload.begin(), k.payload.end()); break;
            case A::Address: {
                Address a;
                if (Error e = decode_address(k, a)) return e;
                i.addresses.push_back(a);
                break;
            }
            case A::MultiAddr: {
                std::array<uint8_t, 6> m{};
                std::copy(k.payload.begin(), k.payload.end(), m.begin());
                i.multicast.push_back(m);
                break;
            }
            case A::Queues: i.queues = k.as_u32(); break;
            case A::QueuesDetached: i.queues_detached = k.as_u32(); break;
            case A::Carrier: i.carrier = k.as_u8(); break;
            case A::OperState: i.operstate = k.as_u8(); break;
            case A::Stats: if (Error e = decode_stats(k, i.stats)) return e; break;
            case A::ChangeTime: i.change_time_ms = k.as_u64(); break;
            case A::Managed: i.managed = k.as_u8(); break;
            case A::MayChange: i.may_change = k.as_u8(); break;
            case A::Owner: i.owner = k.as_u32(); break;
            case A::UniqueId: i.unique_id = k.as_u64(); break;
            case A::Persistent: i.persistent = k.as_u8(); break;
            case A::Netns: i.netns = k.as_str(); break;
            case A::UniqueFamily: i.unique_family = k.as_str(); break;
            case A::CapsSupported: i.caps_supported = k.as_u32(); break;
            case A::CapsEnabled: i.caps_enabled = k.as_u32(); break;
            case A::PromiscRefs: i.promisc_refs = k.as_u32(); break;
            case A::AllmultiRefs: i.allmulti_refs = k.as_u32(); break;
            case A::Description: i.description = k.as_str(); break;
            case A::IfGroup: i.groups.emplace_back(k.as_str()); break;
            case A::NoDad: i.no_dad = k.as_u8(); break;
            case A::AutoLinklocal: i.auto_linklocal = k.as_u8(); break;
            default: break;  // not an interface's: skipped (for_each_record_child)
        }
        return {};
    }))
        return e;
    if (i.index == 0 || i.name.empty()) return {EBADMSG, "interface record without index or name"};
    return {};
}

std::string format_address(uint8_t family, const uint8_t* bytes) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == 2 ? AF_INET : AF_INET6, bytes, buf, sizeof buf);
    return buf;
}

std::string format_lladdr(const std::vector<uint8_t>& ll) {
    std::string s;
    char b[4];
    for (size_t n = 0; n < ll.size(); ++n) {
        std::snprintf(b, sizeof b, n ? ":%02x" : "%02x", ll[n]);
        s += b;
    }
    return s;
}

}  // namespace ifctl::proto
