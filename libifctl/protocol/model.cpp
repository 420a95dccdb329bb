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

void encode_address(Writer& w, AttrType type, const Address& a) {
    const size_t tok = w.begin_nested(wire_type(type));
    w.u8(wire_type(AttrType::AddrFamily), a.family);
    w.raw(wire_type(AttrType::AddrLocal), a.local.data(), a.length());
    w.u8(wire_type(AttrType::AddrPrefix), a.prefix);
    if (a.broadcast) w.raw(wire_type(AttrType::AddrBroadcast), a.broadcast->data(), 4);
    if (a.peer) w.raw(wire_type(AttrType::AddrPeer), a.peer->data(), a.length());
    if (!a.label.empty()) w.str(wire_type(AttrType::AddrLabel), a.label);
    if (a.flags) w.u32(wire_type(AttrType::AddrFlags), a.flags);
    w.end_nested(tok);
}

Error decode_address(const Attr& nested, Address& a) {
    a = Address{};
    if (Error e = for_each_record_child(nested, [&](const Attr& k) -> Error {
        switch (static_cast<AttrType>(k.type)) {
            case AttrType::AddrFamily: a.family = k.as_u8(); break;
            case AttrType::AddrLocal: std::copy(k.payload.begin(), k.payload.end(), a.local.begin()); break;
            case AttrType::AddrPrefix: a.prefix = k.as_u8(); break;
            case AttrType::AddrBroadcast: {
                std::array<uint8_t, 4> b{};
                std::copy(k.payload.begin(), k.payload.end(), b.begin());
                a.broadcast = b;
                break;
            }
            case AttrType::AddrPeer: {
                std::array<uint8_t, 16> p{};
                std::copy(k.payload.begin(), k.payload.end(), p.begin());
                a.peer = p;
                break;
            }
            case AttrType::AddrLabel: a.label = k.as_str(); break;
            case AttrType::AddrFlags: a.flags = k.as_u32(); break;
            default: break;  // not an address's: skipped (for_each_record_child)
        }
        return {};
    }))
        return e;
    if (a.family != 2 && a.family != 10) return {EBADMSG, "address without a valid family"};
    return {};
}

void encode_interface(Writer& w, const Interface& i, bool details) {
    const size_t tok = w.begin_nested(wire_type(AttrType::Interface));
    w.u32(wire_type(AttrType::Index), i.index);
    w.str(wire_type(AttrType::Name), i.name);
    if (!i.kind.empty()) w.str(wire_type(AttrType::LinkKind), i.kind);
    w.u32(wire_type(AttrType::HwType), i.hw_type);
    w.u32(wire_type(AttrType::Flags), i.flags);
    w.u32(wire_type(AttrType::Mtu), i.mtu);
    w.u32(wire_type(AttrType::MinMtu), i.min_mtu);
    w.u32(wire_type(AttrType::MaxMtu), i.max_mtu);
    w.s32(wire_type(AttrType::Metric), i.metric);
    w.u32(wire_type(AttrType::Txqlen), i.txqlen);
    w.bytes(wire_type(AttrType::Lladdr), i.lladdr);
    if (details) {
        for (const Address& a : i.addresses) encode_address(w, AttrType::Address, a);
        for (const auto& m : i.multicast) w.raw(wire_type(AttrType::MultiAddr), m.data(), m.size());
    }
    if (i.kind == "tun") {
        w.u32(wire_type(AttrType::Queues), i.queues);
        w.u32(wire_type(AttrType::QueuesDetached), i.queues_detached);
    }
    w.u8(wire_type(AttrType::Carrier), i.carrier);
    w.u8(wire_type(AttrType::OperState), i.operstate);
    if (details) {
    const size_t st = w.begin_nested(wire_type(AttrType::Stats));
    w.u64(wire_type(AttrType::StatRxPackets), i.stats.rx_packets);
    w.u64(wire_type(AttrType::StatTxPackets), i.stats.tx_packets);
    w.u64(wire_type(AttrType::StatRxBytes), i.stats.rx_bytes);
    w.u64(wire_type(AttrType::StatTxBytes), i.stats.tx_bytes);
    w.u64(wire_type(AttrType::StatRxErrors), i.stats.rx_errors);
    w.u64(wire_type(AttrType::StatTxErrors), i.stats.tx_errors);
    w.u64(wire_type(AttrType::StatRxDropped), i.stats.rx_dropped);
    w.u64(wire_type(AttrType::StatTxDropped), i.stats.tx_dropped);
    w.u64(wire_type(AttrType::StatMulticast), i.stats.multicast);
    w.u64(wire_type(AttrType::StatCollisions), i.stats.collisions);
    w.end_nested(st);
    }
    w.u64(wire_type(AttrType::ChangeTime), i.change_time_ms);
    w.u8(wire_type(AttrType::Managed), i.managed);
    w.u8(wire_type(AttrType::MayChange), i.may_change);
    if (i.managed) {
        w.u32(wire_type(AttrType::Owner), i.owner);
        w.u64(wire_type(AttrType::UniqueId), i.unique_id);
        w.u8(wire_type(AttrType::Persistent), i.persistent);
        if (!i.netns.empty()) w.str(wire_type(AttrType::Netns), i.netns);
        if (!i.unique_family.empty()) w.str(wire_type(AttrType::UniqueFamily), i.unique_family);
        w.u32(wire_type(AttrType::CapsSupported), i.caps_supported);
        w.u32(wire_type(AttrType::CapsEnabled), i.caps_enabled);
        w.u32(wire_type(AttrType::PromiscRefs), i.promisc_refs);
        w.u32(wire_type(AttrType::AllmultiRefs), i.allmulti_refs);
        for (const std::string& g : i.groups) w.str(wire_type(AttrType::IfGroup), g);
        w.u8(wire_type(AttrType::NoDad), i.no_dad);
    }
    if (!i.description.empty()) w.str(wire_type(AttrType::Description), i.description);
    w.u8(wire_type(AttrType::AutoLinklocal), i.auto_linklocal);
    w.end_nested(tok);
}

namespace {
Error decode_stats(const Attr& nested, Stats& s) {
    return for_each_record_child(nested, [&](const Attr& k) -> Error {
        if (attr_spec(k.type)->kind != AttrKind::U64) return {};  // not a counter: skipped (for_each_record_child)
        const uint64_t v = k.as_u64();
        switch (static_cast<AttrType>(k.type)) {
            case AttrType::StatRxPackets: s.rx_packets = v; break;
            case AttrType::StatTxPackets: s.tx_packets = v; break;
            case AttrType::StatRxBytes: s.rx_bytes = v; break;
            case AttrType::StatTxBytes: s.tx_bytes = v; break;
            case AttrType::StatRxErrors: s.rx_errors = v; break;
            case AttrType::StatTxErrors: s.tx_errors = v; break;
            case AttrType::StatRxDropped: s.rx_dropped = v; break;
            case AttrType::StatTxDropped: s.tx_dropped = v; break;
            case AttrType::StatMulticast: s.multicast = v; break;
            case AttrType::StatCollisions: s.collisions = v; break;
            default: break;  // not a counter: skipped (for_each_record_child)
        }
        return {};
    });
}
}  // namespace

namespace {
// Whether `parts` leaves out attributes of this type.
bool skipped(RecordParts parts, uint16_t type) {
    switch (static_cast<AttrType>(type)) {
        case AttrType::Address: return parts == RecordParts::Brief;
        case AttrType::MultiAddr:
        case AttrType::Stats: return parts != RecordParts::Whole;
        case AttrType::IfGroup:
        case AttrType::Description: return parts == RecordParts::Listing;
        default: return false;
    }
}

// Every field to its default, the vectors' storage kept for the next decode.
void reset_keeping_storage(Interface& i) {
    std::vector<uint8_t> lladdr = std::move(i.lladdr);
    std::vector<Address> addresses = std::move(i.addresses);
    std::vector<std::array<uint8_t, 6>> multicast = std::move(i.multicast);
    std::vector<std::string> groups = std::move(i.groups);
    i = Interface{};
    lladdr.clear();
    addresses.clear();
    multicast.clear();
    groups.clear();
    i.lladdr = std::move(lladdr);
    i.addresses = std::move(addresses);
    i.multicast = std::move(multicast);
    i.groups = std::move(groups);
}
}  // namespace

Error decode_interface(const Attr& nested, Interface& i, RecordParts parts) {
    reset_keeping_storage(i);
    if (Error e = for_each_record_child(nested, [&](const Attr& k) -> Error {
        if (skipped(parts, k.type)) return {};
        switch (static_cast<AttrType>(k.type)) {
            case AttrType::Index: i.index = k.as_u32(); break;
            case AttrType::Name: i.name = k.as_str(); break;
            case AttrType::LinkKind: i.kind = k.as_str(); break;
            case AttrType::HwType: i.hw_type = k.as_u32(); break;
            case AttrType::Flags: i.flags = k.as_u32(); break;
            case AttrType::Mtu: i.mtu = k.as_u32(); break;
            case AttrType::MinMtu: i.min_mtu = k.as_u32(); break;
            case AttrType::MaxMtu: i.max_mtu = k.as_u32(); break;
            case AttrType::Metric: i.metric = k.as_s32(); break;
            case AttrType::Txqlen: i.txqlen = k.as_u32(); break;
            case AttrType::Lladdr: i.lladdr.assign(k.payload.begin(), k.payload.end()); break;
            case AttrType::Address: {
                Address& a = i.addresses.emplace_back();
                if (Error e = decode_address(k, a)) return e;
                break;
            }
            case AttrType::MultiAddr: {
                std::array<uint8_t, 6> m{};
                std::copy(k.payload.begin(), k.payload.end(), m.begin());
                i.multicast.push_back(m);
                break;
            }
            case AttrType::Queues: i.queues = k.as_u32(); break;
            case AttrType::QueuesDetached: i.queues_detached = k.as_u32(); break;
            case AttrType::Carrier: i.carrier = k.as_u8(); break;
            case AttrType::OperState: i.operstate = k.as_u8(); break;
            case AttrType::Stats: if (Error e = decode_stats(k, i.stats)) return e; break;
            case AttrType::ChangeTime: i.change_time_ms = k.as_u64(); break;
            case AttrType::Managed: i.managed = k.as_u8(); break;
            case AttrType::MayChange: i.may_change = k.as_u8(); break;
            case AttrType::Owner: i.owner = k.as_u32(); break;
            case AttrType::UniqueId: i.unique_id = k.as_u64(); break;
            case AttrType::Persistent: i.persistent = k.as_u8(); break;
            case AttrType::Netns: i.netns = k.as_str(); break;
            case AttrType::UniqueFamily: i.unique_family = k.as_str(); break;
            case AttrType::CapsSupported: i.caps_supported = k.as_u32(); break;
            case AttrType::CapsEnabled: i.caps_enabled = k.as_u32(); break;
            case AttrType::PromiscRefs: i.promisc_refs = k.as_u32(); break;
            case AttrType::AllmultiRefs: i.allmulti_refs = k.as_u32(); break;
            case AttrType::Description: i.description = k.as_str(); break;
            case AttrType::IfGroup: i.groups.emplace_back(k.as_str()); break;
            case AttrType::NoDad: i.no_dad = k.as_u8(); break;
            case AttrType::AutoLinklocal: i.auto_linklocal = k.as_u8(); break;
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
