#include "event.hpp"

#include <bit>
#include <cerrno>

namespace ifctl::proto {

namespace {

constexpr std::string_view kNames[] = {"link-added", "link-removed", "renamed", "flags", "mtu",
                                       "carrier", "address-added", "address-removed", "lladdr", "tampered"};
}  // namespace

std::string_view event_kind_name(uint32_t kind) {
    if (!std::has_single_bit(kind) || !(kind & kAllEvents)) return {};
    return kNames[std::countr_zero(kind)];
}

bool parse_event_kinds(std::string_view list, uint32_t& mask, std::string& bad) {
    mask = 0;
    while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view word = list.substr(0, comma);
        uint32_t bit = 0;
        for (uint32_t i = 0; i < std::size(kNames); ++i)
            if (kNames[i] == word) bit = 1u << i;
        if (word == "address") bit = kEvAddrAdded | kEvAddrRemoved;  // both directions
        if (word == "link") bit = kEvLinkAdded | kEvLinkRemoved | kEvRenamed;
        if (!bit) {
            bad = std::string(word);
            return false;
        }
        mask |= bit;
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return true;
}

void encode_event(Writer& w, const Event& e) {
    w.u64(wire_type(AttrType::EventSeq), e.seq).u32(wire_type(AttrType::EventKind), e.kind).u32(wire_type(AttrType::Index), e.index);
    if (!e.name.empty()) w.str(wire_type(AttrType::Name), e.name);
    if (e.managed) w.u8(wire_type(AttrType::Managed), 1);
    w.u64(wire_type(AttrType::ChangeTime), e.time_ms);
    switch (e.kind) {
        case kEvLinkAdded:
            w.u32(wire_type(AttrType::Flags), e.flags).u32(wire_type(AttrType::Mtu), e.mtu).u8(wire_type(AttrType::Carrier), e.carrier);
            if (!e.lladdr.empty()) w.bytes(wire_type(AttrType::Lladdr), e.lladdr);
            break;
        case kEvRenamed: w.str(wire_type(AttrType::OldName), e.old_name); break;
        case kEvFlags: w.u32(wire_type(AttrType::Flags), e.flags).u32(wire_type(AttrType::OldFlags), e.old_flags); break;
        case kEvMtu: w.u32(wire_type(AttrType::Mtu), e.mtu).u32(wire_type(AttrType::OldMtu), e.old_mtu); break;
        case kEvCarrier: w.u8(wire_type(AttrType::Carrier), e.carrier); break;
        case kEvAddrAdded:
        case kEvAddrRemoved:
            if (e.address) encode_address(w, AttrType::Address, *e.address);
            break;
        case kEvLladdr: w.bytes(wire_type(AttrType::Lladdr), e.lladdr); break;
        case kEvTampered: w.str(wire_type(AttrType::EventDetail), e.detail); break;
        default: break;
    }
}

Error decode_event(std::span<const uint8_t> attrs, Event& e) {
    e = Event{};
    AttrIter it(attrs);
    Attr a;
    while (it.next(a)) {
        if (Error err = check_attr(a)) return err;
        switch (static_cast<AttrType>(a.type)) {
            case AttrType::EventSeq: e.seq = a.as_u64(); break;
            case AttrType::EventKind: e.kind = a.as_u32(); break;
            case AttrType::Index: e.index = a.as_u32(); break;
            case AttrType::Name: e.name = a.as_str(); break;
            case AttrType::Managed: e.managed = a.as_u8(); break;
            case AttrType::ChangeTime: e.time_ms = a.as_u64(); break;
            case AttrType::OldName: e.old_name = a.as_str(); break;
            case AttrType::Flags: e.flags = a.as_u32(); break;
            case AttrType::OldFlags: e.old_flags = a.as_u32(); break;
            case AttrType::Mtu: e.mtu = a.as_u32(); break;
            case AttrType::OldMtu: e.old_mtu = a.as_u32(); break;
            case AttrType::Carrier: e.carrier = a.as_u8(); break;
            case AttrType::Lladdr: e.lladdr.assign(a.payload.begin(), a.payload.end()); break;
            case AttrType::EventDetail: e.detail = a.as_str(); break;
            case AttrType::Address: {
                Address addr;
                if (Error err = decode_address(a, addr)) return err;
                e.address = addr;
                break;
            }
            default: return {EBADMSG, "unexpected attribute " + std::to_string(a.type) + " in an event"};
        }
    }
    if (it.error()) return it.error();
    if (event_kind_name(e.kind).empty()) return {EBADMSG, "event of unknown kind " + std::to_string(e.kind)};
    return {};
}

}  // namespace ifctl::proto
