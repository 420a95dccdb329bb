// Event frames: every kind survives encoding and decoding with what it carries;
// malformed events are refused.
#include <catch2/catch.hpp>

#include "libifctl/protocol/event.hpp"

using namespace ifctl;
using proto::AttrType;

namespace {

proto::Event round_trip(const proto::Event& e) {
    proto::Writer w(static_cast<uint16_t>(proto::Op::Subscribe), proto::kFlagEvent, 7);
    proto::encode_event(w, e);
    const std::vector<uint8_t> f = w.finish();
    proto::Header h;
    REQUIRE_FALSE(proto::parse_header(f, h, true));
    proto::Event out;
    const proto::Error err = proto::decode_event(std::span<const uint8_t>(f).subspan(proto::kHeaderSize), out);
    INFO(err.message);
    REQUIRE_FALSE(err);
    return out;
}

}  // namespace

TEST_CASE("every kind of event round-trips", "[event]") {
    proto::Event e;
    e.seq = 99;
    e.index = 4;
    e.name = "tap1";
    e.managed = true;
    e.time_ms = 123456;
    e.old_name = "tap0";
    e.flags = 0x1043;
    e.old_flags = 0x1002;
    e.mtu = 1400;
    e.old_mtu = 1500;
    e.carrier = true;
    e.lladdr = {2, 0, 0, 0, 0, 1};
    proto::Address a;
    a.family = 2;
    a.local = {10, 0, 0, 1};
    a.prefix = 24;
    e.address = a;
    e.detail = "tap1: its persist flag was cleared";
    for (uint32_t kind = 1; kind & proto::kAllEvents; kind <<= 1) {
        INFO(proto::event_kind_name(kind));
        e.kind = kind;
        const proto::Event d = round_trip(e);
        CHECK(d.kind == kind);
        CHECK(d.seq == 99);
        CHECK(d.index == 4);
        CHECK(d.name == "tap1");
        CHECK(d.managed);
        CHECK(d.time_ms == 123456);
        // What each kind carries, and only that.
        CHECK(d.old_name == (kind == proto::kEvRenamed ? "tap0" : ""));
        CHECK(d.old_mtu == (kind == proto::kEvMtu ? 1500u : 0u));
        CHECK(d.mtu == ((kind == proto::kEvMtu || kind == proto::kEvLinkAdded) ? 1400u : 0u));
        CHECK(d.old_flags == (kind == proto::kEvFlags ? 0x1002u : 0u));
        CHECK(d.address.has_value() == (kind == proto::kEvAddrAdded || kind == proto::kEvAddrRemoved));
        CHECK(d.lladdr.empty() == !(kind == proto::kEvLladdr || kind == proto::kEvLinkAdded));
        CHECK(d.detail == (kind == proto::kEvTampered ? "tap1: its persist flag was cleared" : ""));
    }
}

TEST_CASE("kind names", "[event]") {
    CHECK(proto::event_kind_name(proto::kEvLinkAdded) == "link-added");
    CHECK(proto::event_kind_name(proto::kEvLladdr) == "lladdr");
    CHECK(proto::event_kind_name(proto::kEvTampered) == "tampered");
    CHECK(proto::event_kind_name(0).empty());
    CHECK(proto::event_kind_name(proto::kEvMtu | proto::kEvFlags).empty());
    CHECK(proto::event_kind_name(1u << 20).empty());
}

TEST_CASE("malformed events are refused", "[event]") {
    proto::Event out;
    proto::Writer w(static_cast<uint16_t>(proto::Op::Subscribe), proto::kFlagEvent, 7);
    w.u64(wire_type(AttrType::EventSeq), 1).u32(wire_type(AttrType::EventKind), 3);  // two kinds
    std::vector<uint8_t> f = w.finish();
    CHECK(proto::decode_event(std::span<const uint8_t>(f).subspan(proto::kHeaderSize), out).code == EBADMSG);
    proto::Writer w2(static_cast<uint16_t>(proto::Op::Subscribe), proto::kFlagEvent, 7);
    w2.u32(wire_type(AttrType::EventKind), proto::kEvMtu).u32(wire_type(AttrType::Owner), 5);  // unexpected
    f = w2.finish();
    CHECK(proto::decode_event(std::span<const uint8_t>(f).subspan(proto::kHeaderSize), out).code == EBADMSG);
    proto::Writer w3(static_cast<uint16_t>(proto::Op::Subscribe), proto::kFlagEvent, 7);
    w3.u32(wire_type(AttrType::EventKind), proto::kEvMtu).u8(wire_type(AttrType::Mtu), 5);  // wrong size
    f = w3.finish();
    CHECK(proto::decode_event(std::span<const uint8_t>(f).subspan(proto::kHeaderSize), out).code == EINVAL);
}
