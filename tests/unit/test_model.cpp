// The canonical Interface/Address records and their encoding.
#include <cerrno>
#include <functional>

#include "helpers.hpp"

using namespace testutil;
using proto::Address;
using proto::Attr;
using proto::AttrIter;
using proto::Interface;
using proto::Writer;

namespace {

// Encodes records into a reply frame and decodes every Interface in it, the
// way the client does.
std::vector<Interface> reply_round_trip(const std::vector<Interface>& in) {
    Writer w(o(Op::List), proto::kFlagReply, 5, 0);
    for (const Interface& i : in) proto::encode_interface(w, i);
    const auto f = w.finish();
    proto::Header h;
    REQUIRE(proto::parse_header(f, h, true).code == 0);
    std::vector<Interface> out;
    AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
    Attr a;
    while (it.next(a)) {
        REQUIRE(proto::check_attr(a).code == 0);
        REQUIRE(a.type == wire_type(AttrType::Interface));
        Interface i;
        const auto e = proto::decode_interface(a, i);
        INFO(e.message);
        REQUIRE(e.code == 0);
        out.push_back(i);
    }
    REQUIRE_FALSE(it.error());
    return out;
}

Interface full_interface() {
    Interface i;
    i.index = 7;
    i.name = "tap-longname15";
    i.kind = "tun";
    i.hw_type = 1;
    i.flags = 0x1043;
    i.mtu = 9000;
    i.min_mtu = 68;
    i.max_mtu = 65521;
    i.metric = -12;
    i.txqlen = 1000;
    i.lladdr = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

    Address a4 = inet(192, 0, 2, 1, 24);
    a4.broadcast = std::array<uint8_t, 4>{192, 0, 2, 255};
    a4.label = "tap-longname15";
    a4.flags = 0x80;
    Address p2p = inet(198, 51, 100, 1, 32);
    p2p.peer = std::array<uint8_t, 16>{198, 51, 100, 2};
    Address a6 = inet6_doc(1, 64);
    a6.flags = 0x40;
    Address a6p = inet6_doc(3, 128);
    a6p.peer = inet6_doc(4, 128).local;
    i.addresses = {a4, p2p, a6, a6p};

    i.multicast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, {0x33, 0x33, 0x00, 0x00, 0x00, 0x01}};
    i.carrier = true;
    i.operstate = 6;
    i.stats = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0xffffffffffffffffULL};
    i.change_time_ms = 1700000000123ULL;
    i.managed = true;
    i.owner = 1000;
    i.unique_id = 0x0123456789abcdefULL;
    i.persistent = true;
    i.netns = "/run/netns/blue";
    i.unique_family = "ether";
    i.caps_supported = 0x6f;
    i.caps_enabled = 0x7;
    i.promisc_refs = 3;
    i.allmulti_refs = 2;
    i.queues = 4;           // encoded for TAPs (kind "tun") only
    i.queues_detached = 1;
    i.may_change = true;
    return i;
}

void check_same(const Interface& a, const Interface& b) {
    CHECK(a.index == b.index);
    CHECK(a.name == b.name);
    CHECK(a.kind == b.kind);
    CHECK(a.hw_type == b.hw_type);
    CHECK(a.flags == b.flags);
    CHECK(a.mtu == b.mtu);
    CHECK(a.min_mtu == b.min_mtu);
    CHECK(a.max_mtu == b.max_mtu);
    CHECK(a.metric == b.metric);
    CHECK(a.txqlen == b.txqlen);
    CHECK(a.lladdr == b.lladdr);
    REQUIRE(a.addresses.size() == b.addresses.size());
    for (size_t n = 0; n < a.addresses.size(); ++n) {
        CHECK(a.addresses[n] == b.addresses[n]);
        CHECK(a.addresses[n].flags == b.addresses[n].flags);
        CHECK(a.addresses[n].local == b.addresses[n].local);
    }
    CHECK(a.multicast == b.multicast);
    CHECK(a.carrier == b.carrier);
    CHECK(a.operstate == b.operstate);
    CHECK(a.stats.rx_packets == b.stats.rx_packets);
    CHECK(a.stats.tx_packets == b.stats.tx_packets);
    CHECK(a.stats.rx_bytes == b.stats.rx_bytes);
    CHECK(a.stats.tx_bytes == b.stats.tx_bytes);
    CHECK(a.stats.rx_errors == b.stats.rx_errors);
    CHECK(a.stats.tx_errors == b.stats.tx_errors);
    CHECK(a.stats.rx_dropped == b.stats.rx_dropped);
    CHECK(a.stats.tx_dropped == b.stats.tx_dropped);
    CHECK(a.stats.multicast == b.stats.multicast);
    CHECK(a.stats.collisions == b.stats.collisions);
    CHECK(a.change_time_ms == b.change_time_ms);
    CHECK(a.managed == b.managed);
    CHECK(a.owner == b.owner);
    CHECK(a.unique_id == b.unique_id);
    CHECK(a.persistent == b.persistent);
    CHECK(a.netns == b.netns);
    CHECK(a.unique_family == b.unique_family);
    CHECK(a.caps_supported == b.caps_supported);
    CHECK(a.caps_enabled == b.caps_enabled);
    CHECK(a.promisc_refs == b.promisc_refs);
    CHECK(a.allmulti_refs == b.allmulti_refs);
    CHECK(a.queues == b.queues);
    CHECK(a.queues_detached == b.queues_detached);
    CHECK(a.may_change == b.may_change);
}

// A nested Interface attribute with whatever the test writes into it.
std::vector<uint8_t> iface_frame(const std::function<void(Writer&)>& fill) {
    Writer w(o(Op::Get), proto::kFlagReply, 1, 0);
    const size_t tok = w.begin_nested(wire_type(AttrType::Interface));
    fill(w);
    w.end_nested(tok);
    return w.finish();
}

proto::Error decode_first_interface(const std::vector<uint8_t>& f, Interface& out) {
    AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
    Attr a;
    REQUIRE(it.next(a));
    return proto::decode_interface(a, out);
}

}  // namespace

TEST_CASE("Interface round trip with every field", "[model]") {
    const Interface in = full_interface();
    const auto out = reply_round_trip({in});
    REQUIRE(out.size() == 1);
    check_same(in, out[0]);
}

TEST_CASE("Interface round trip: minimal and unmanaged records", "[model]") {
    Interface lo;
    lo.index = 1;
    lo.name = "lo";
    lo.hw_type = 772;
    lo.flags = 0x49;
    lo.mtu = 65536;
    Interface eth = full_interface();
    eth.index = 2;
    eth.name = "eth0";
    eth.kind = "";
    eth.managed = false;
    eth.owner = 0;       // not encoded for unmanaged interfaces
    eth.unique_id = 0;
    eth.persistent = false;  // neither is persistence, nor a namespace
    eth.netns.clear();
    eth.unique_family.clear();  // these five: managed only
    eth.caps_supported = eth.caps_enabled = 0;
    eth.promisc_refs = eth.allmulti_refs = 0;
    eth.queues = 0;      // not encoded for non-TAP interfaces
    eth.queues_detached = 0;
    eth.may_change = false;
    eth.addresses.clear();
    eth.multicast.clear();
    const auto out = reply_round_trip({lo, eth, full_interface()});
    REQUIRE(out.size() == 3);
    check_same(lo, out[0]);
    check_same(eth, out[1]);
    check_same(full_interface(), out[2]);
    CHECK(out[0].lladdr.empty());
    CHECK(out[0].kind.empty());
}

TEST_CASE("unmanaged interfaces do not carry owner or unique id", "[model]") {
    Interface i = full_interface();
    i.managed = false;
    const auto out = reply_round_trip({i});
    REQUIRE(out.size() == 1);
    CHECK_FALSE(out[0].managed);
    CHECK(out[0].owner == 0);
    CHECK(out[0].unique_id == 0);
    CHECK(out[0].unique_family.empty());
    CHECK(out[0].caps_supported == 0);
    CHECK(out[0].promisc_refs == 0);
}

TEST_CASE("queue counts travel for TAPs only", "[model]") {
    Interface i = full_interface();
    i.kind = "veth";
    const auto out = reply_round_trip({i});
    REQUIRE(out.size() == 1);
    CHECK(out[0].queues == 0);
    CHECK(out[0].queues_detached == 0);
    CHECK(out[0].may_change);
}

TEST_CASE("Address round trip with every field", "[model]") {
    std::vector<Address> cases;
    Address a = inet(10, 1, 2, 3, 8);
    a.broadcast = std::array<uint8_t, 4>{10, 255, 255, 255};
    a.label = "tap0:web";
    a.flags = 0xffffffffu;
    cases.push_back(a);
    Address b = inet(10, 9, 9, 9, 32);
    b.peer = std::array<uint8_t, 16>{10, 9, 9, 10};
    cases.push_back(b);
    Address c = inet6_doc(0xff, 0);
    c.peer = inet6_doc(0xfe, 0).local;
    c.flags = 1;
    cases.push_back(c);
    cases.push_back(inet(0, 0, 0, 0, 0));

    for (AttrType type : {AttrType::Address, AttrType::OldAddress}) {
        for (const Address& x : cases) {
            Writer w(o(Op::AddrAdd), 0, 1);
            proto::encode_address(w, type, x);
            const auto f = w.finish();
            AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
            Attr at;
            REQUIRE(it.next(at));
            CHECK(at.type == wire_type(type));
            Address y;
            y.label = "stale";  // decode must reset the record
            y.flags = 99;
            REQUIRE(proto::decode_address(at, y).code == 0);
            CHECK(y == x);
            CHECK(y.family == x.family);
            CHECK(y.prefix == x.prefix);
            CHECK(y.broadcast == x.broadcast);
            CHECK(y.peer == x.peer);
            CHECK(y.label == x.label);
            CHECK(y.flags == x.flags);
            CHECK(std::equal(y.local.begin(), y.local.begin() + static_cast<long>(y.length()), x.local.begin()));
            CHECK_FALSE(it.next(at));
        }
    }
}

TEST_CASE("Address comparisons", "[model]") {
    Address a = inet(10, 0, 0, 1, 24), b = inet(10, 0, 0, 1, 16);
    CHECK(a.same_local(b));
    CHECK_FALSE(a == b);
    b.prefix = 24;
    CHECK(a == b);
    b.local[5] = 9;  // beyond the 4 bytes of an inet address: ignored
    CHECK(a == b);
    Address c = inet6_doc(1, 64);
    CHECK_FALSE(a.same_local(c));
    CHECK(a.length() == 4);
    CHECK(c.length() == 16);
}

TEST_CASE("decode_interface rejects bad records", "[model]") {
    Interface i;
    SECTION("no index") {
        CHECK_ERROR(decode_first_interface(iface_frame([](Writer& w) { w.str(wire_type(AttrType::Name), "tap0"); }), i), EBADMSG,
                    "interface record without index or name");
    }
    SECTION("no name") {
        CHECK_ERROR(decode_first_interface(iface_frame([](Writer& w) { w.u32(wire_type(AttrType::Index), 3); }), i), EBADMSG,
                    "interface record without index or name");
    }
    SECTION("wrong size") {
        CHECK_ERROR(decode_first_interface(iface_frame([](Writer& w) { w.u8(wire_type(AttrType::Index), 3); }), i), EINVAL,
                    "attribute index must be 4 bytes, not 1");
    }
    SECTION("bad address inside") {
        CHECK_ERROR(decode_first_interface(iface_frame([](Writer& w) {
                        w.u32(wire_type(AttrType::Index), 3).str(wire_type(AttrType::Name), "tap0");
                        const size_t tok = w.begin_nested(wire_type(AttrType::Address));
                        w.u8(wire_type(AttrType::AddrPrefix), 8);
                        w.end_nested(tok);
                    }), i),
                    EBADMSG, "address without a valid family");
    }
    SECTION("truncated child") {
        auto f = iface_frame([](Writer& w) { w.u32(wire_type(AttrType::Index), 3).str(wire_type(AttrType::Name), "tap0"); });
        put_u16(f, proto::kHeaderSize + 4, 40);  // Index claims 40 bytes
        CHECK_ERROR(decode_first_interface(f, i), EBADMSG, "attribute 4 has length 40");
    }
}

// docs/protocol.md §3, compatibility: a newer daemon may add attributes to
// records; an older client skips what it does not know or use, and still
// checks what it knows.
TEST_CASE("decode_interface skips attributes it does not know or use", "[model]") {
    constexpr uint16_t kNew = 200, kNewest = 65535;  // numbers no table of this build has
    const Interface in = full_interface();
    Interface plain;
    {
        Writer w(o(Op::Get), proto::kFlagReply, 1, 0);
        proto::encode_interface(w, in);
        REQUIRE(decode_first_interface(w.finish(), plain).code == 0);
    }
    Interface i;
    SECTION("unknown numbers anywhere in the record, nested ones included") {
        const auto f = iface_frame([&](Writer& w) {
            w.u32(kNew, 7);
            w.u32(wire_type(AttrType::Index), in.index).str(wire_type(AttrType::Name), in.name);
            w.str(kNewest, "a newer daemon's string");
            const size_t nested = w.begin_nested(kNew + 1);
            w.u32(wire_type(AttrType::Index), 1).u64(kNew, 2);  // inside an unknown attribute: not looked at
            w.end_nested(nested);
            const size_t addr = w.begin_nested(wire_type(AttrType::Address));
            w.u8(wire_type(AttrType::AddrFamily), 2).u64(kNew, 1);
            const uint8_t local[4] = {192, 0, 2, 1};
            w.raw(wire_type(AttrType::AddrLocal), local, 4).u8(wire_type(AttrType::AddrPrefix), 24);
            w.end_nested(addr);
            const size_t st = w.begin_nested(wire_type(AttrType::Stats));
            w.u64(wire_type(AttrType::StatRxPackets), 5).raw(kNew, "xyz", 3);
            w.end_nested(st);
            w.bytes(kNew + 2, std::vector<uint8_t>(300, 0xee));
        });
        REQUIRE(decode_first_interface(f, i).code == 0);
        CHECK(i.index == in.index);
        CHECK(i.name == in.name);
        REQUIRE(i.addresses.size() == 1);
        CHECK(i.addresses[0].family == 2);
        CHECK(i.addresses[0].prefix == 24);
        CHECK(i.stats.rx_packets == 5);
    }
    SECTION("a full record with unknown attributes between its own decodes as without them") {
        Writer w(o(Op::Get), proto::kFlagReply, 1, 0);
        const size_t tok = w.begin_nested(wire_type(AttrType::Interface));
        w.u64(kNew, 1);
        // The known attributes of the full record, copied from its encoding.
        Writer x(o(Op::Get), proto::kFlagReply, 1, 0);
        proto::encode_interface(x, in);
        const auto xf = x.finish();
        AttrIter outer(std::span<const uint8_t>(xf).subspan(proto::kHeaderSize));
        Attr rec;
        REQUIRE(outer.next(rec));
        AttrIter kids(rec.payload);
        for (Attr k; kids.next(k);) {
            w.raw(k.type, k.payload.data(), k.payload.size());
            w.u32(kNewest, 9);
        }
        w.end_nested(tok);
        REQUIRE(decode_first_interface(w.finish(), i).code == 0);
        check_same(plain, i);
    }
    SECTION("known attributes a record does not use are skipped") {
        const auto f = iface_frame([](Writer& w) {
            w.u32(wire_type(AttrType::Index), 3).str(wire_type(AttrType::Name), "tap0").str(wire_type(AttrType::Message), "x");
            const size_t addr = w.begin_nested(wire_type(AttrType::Address));
            w.u8(wire_type(AttrType::AddrFamily), 2).u32(wire_type(AttrType::Mtu), 1);
            const uint8_t local[4] = {10, 0, 0, 1};
            w.raw(wire_type(AttrType::AddrLocal), local, 4).u8(wire_type(AttrType::AddrPrefix), 8);
            w.end_nested(addr);
            const size_t st = w.begin_nested(wire_type(AttrType::Stats));
            w.u32(wire_type(AttrType::Mtu), 1).u64(wire_type(AttrType::UniqueId), 1).u64(wire_type(AttrType::StatTxBytes), 77);
            w.end_nested(st);
        });
        REQUIRE(decode_first_interface(f, i).code == 0);
        CHECK(i.index == 3);
        CHECK(i.mtu == 0);
        CHECK(i.unique_id == 0);
        CHECK(i.stats.tx_bytes == 77);
        REQUIRE(i.addresses.size() == 1);
        CHECK(i.addresses[0].prefix == 8);
    }
    SECTION("what it knows is still checked, and the framing of what it skips") {
        CHECK_ERROR(decode_first_interface(iface_frame([](Writer& w) { w.u32(kNew, 1).u8(wire_type(AttrType::Index), 3); }), i), EINVAL,
                    "attribute index must be 4 bytes, not 1");
        auto f = iface_frame([](Writer& w) { w.u32(wire_type(AttrType::Index), 3).str(wire_type(AttrType::Name), "tap0").u32(kNew, 1); });
        put_u16(f, f.size() - 8, 40);  // the unknown attribute claims 40 bytes
        CHECK_ERROR(decode_first_interface(f, i), EBADMSG, "has length 40");
        CHECK_ERROR(decode_first_interface(iface_frame([](Writer& w) { w.u32(kNew, 3).str(wire_type(AttrType::Name), "tap0"); }), i),
                    EBADMSG, "interface record without index or name");
    }
}

TEST_CASE("format helpers", "[model]") {
    const uint8_t v4[4] = {192, 0, 2, 33};
    CHECK(proto::format_address(2, v4) == "192.0.2.33");
    const Address a6 = inet6_doc(1, 64);
    CHECK(proto::format_address(10, a6.local.data()) == "2001:db8::1");
    CHECK(proto::format_lladdr({}) == "");
    CHECK(proto::format_lladdr({0x02, 0x00, 0xab, 0xcd, 0xef, 0x01}) == "02:00:ab:cd:ef:01");
    CHECK(proto::format_lladdr({0xff}) == "ff");
}
