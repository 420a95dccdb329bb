#include "event.hpp"

#include <bit>
#include <cerrno>

namespace ifctl::proto {

namespace {
uint16_t t(A a) { return static_cast<uint16_t>(a); }

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
    w.u64(t(A::EventSeq), e.seq).u32(t(A::EventKind), e.kind).u32(t(A::Index), e.index);
    if (!e.name.empty()) w.str(t(A::Name), e.name);
    if (e.managed) w.u8(t(A::Managed), 1);
    w.u64(t(A::ChangeTime), e.time_ms);
    switch (e.kind) {
        case kEvLinkAdded:
            w.u32(t(A::Flags), e.flags).u32(t(A::Mtu), e.mtu).u8(t(A::Carrier), e.carrier);
            if (!e.lladdr.empty()) w.bytes(t(A::Lladdr), e.lladdr);
            break;
        case kEvRenamed: w.str(t(A::OldName), e.old_name); break;
        case kEvFlags: w.u32(t(A::Flags), e.flags).u32(t(A::OldFlags), e.old_flags); break;
        case kEvMtu: w.u32(t(A::Mtu), e.mtu).u32(t(A::OldMtu), e.old_mtu); break;
        case kEvCarrier: w.u8(t(A::Carrier), e.carrier); break;
        case kEvAddrAdded:
        case kEvAddrRemoved:
            if (e.address) encode_address(w, A::Address, *e.address);
            break;
        case kEvLladdr: w.bytes(t(A::Lladdr), e.lladdr); break;
        case kEvTampered: w.str(t(A::EventDetail), e.detail); break;
        default: break;
    }
}

Error decode_event(std::span<const uint8_t> attrs, Event& e) {
    e = Event{};
    AttrIter it(attrs);
    Attr a;
    while (it.next(a)) {
        if (Error err = check_attr(a)) return err;
        switch (static_cast<A>(a.type)) {
            case A::EventSeq: e.seq = a.as_u64(); break;
            case A::EventKind: e.kind = a.as_u32(); break;
            case A::Index: e.index = a.as_u32(); break;
            case A::Name: e.name = a.as_str(); break;
            case A::Managed: e.managed = a.as_u8(); break;
            case A::ChangeTime: e.time_ms = a.as_u64(); break;
            case A::OldName: e.old_name = a.as_str(); break;
            case A::Flags: e.flags = a.as_u32(); break;
            case A::OldFlags: e.old_flags = a.as_u32(); break;
            case A::Mtu: e.mtu = a.as_u32(); break;
            case A::OldMtu: e.old_mtu = a.as_u32(); break;
            case A::Carrier: e.carrier = a.as_u8(); break;
            case A::Lladdr: e.lladdr.assign(a.payload.begin(), a.payload.end()); break;
            case A::EventDetail: e.detail = a.as_str(); break;
            case A::Address: {
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
