// validate_request(): the operation and attribute tables applied to whole frames.
#include <cerrno>
#include <functional>
#include <set>

#include "helpers.hpp"
#include "libifctl/protocol/event.hpp"

using namespace testutil;
using proto::Request;
using proto::Writer;

namespace {

// Builds a nested address attribute by hand so tests can put anything in it.
struct AddrBuilder {
    Writer& w;
    size_t tok;
    AddrBuilder(Writer& wr, AttrType type = AttrType::Address) : w(wr), tok(wr.begin_nested(wire_type(type))) {}
    AddrBuilder& family(uint8_t f) { w.u8(wire_type(AttrType::AddrFamily), f); return *this; }
    AddrBuilder& local(size_t n) {
        std::vector<uint8_t> b(n, 0x0a);
        w.bytes(wire_type(AttrType::AddrLocal), b);
        return *this;
    }
    AddrBuilder& prefix(uint8_t p) { w.u8(wire_type(AttrType::AddrPrefix), p); return *this; }
    AddrBuilder& broadcast() { const uint8_t b[4] = {10, 0, 0, 255}; w.raw(wire_type(AttrType::AddrBroadcast), b, 4); return *this; }
    AddrBuilder& peer(size_t n) { std::vector<uint8_t> b(n, 0x0b); w.bytes(wire_type(AttrType::AddrPeer), b); return *this; }
    void done() { w.end_nested(tok); }
};

std::vector<uint8_t> addr_add(std::function<void(AddrBuilder&)> fill) {
    Writer w = targeted(Op::AddrAdd);
    AddrBuilder b(w);
    fill(b);
    b.done();
    return w.finish();
}

}  // namespace

TEST_CASE("every operation and attribute has a table entry", "[schema]") {
    // Numbers are handed out in ranges, so the tables may
    // have gaps (an unassigned number is unknown); both ends are assigned.
    REQUIRE(proto::op_spec(proto::kMaxOp) != nullptr);
    REQUIRE(proto::attr_spec(proto::kMaxAttr) != nullptr);
    for (uint16_t op = 1; op <= proto::kMaxOp; ++op) {
        INFO("op " << op);
        if (op > o(Op::SetOwner) && !proto::op_spec(op)) continue;
        REQUIRE(proto::op_spec(op) != nullptr);
        CHECK_FALSE(proto::op_name(op).empty());
        CHECK(proto::op_name(op) != "unknown");
    }
    CHECK(proto::op_spec(0) == nullptr);
    CHECK(proto::op_spec(proto::kMaxOp + 1) == nullptr);
    CHECK(proto::op_name(0) == "unknown");
    CHECK(proto::op_name(0xffff) == "unknown");
    for (uint16_t a = 1; a <= proto::kMaxAttr; ++a) {
        INFO("attribute " << a);
        if (a > wire_type(AttrType::VnetHdr) && !proto::attr_spec(a)) continue;
        REQUIRE(proto::attr_spec(a) != nullptr);
        CHECK_FALSE(proto::attr_spec(a)->name.empty());
    }
    CHECK(proto::attr_spec(0) == nullptr);
    CHECK(proto::attr_spec(proto::kMaxAttr + 1) == nullptr);
    CHECK(proto::op_name(o(Op::AddrReplace)) == "addr-replace");
    CHECK(proto::op_spec(o(Op::Get))->needs_target);
    CHECK_FALSE(proto::op_spec(o(Op::Get))->changes);
    CHECK(proto::op_spec(o(Op::Destroy))->changes);
    CHECK_FALSE(proto::op_spec(o(Op::Create))->needs_target);
}

TEST_CASE("valid requests of every operation round-trip", "[schema]") {
    Request r;

    SECTION("hello") {
        const auto f = Writer(o(Op::Hello), 0, 1).u32(wire_type(AttrType::Version), proto::kVersion).str(wire_type(AttrType::Software), "test 1.0").finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.op() == Op::Hello);
        CHECK(r.header.id == 1);
        CHECK(r.get(AttrType::Version).as_u32() == 1);
        CHECK(r.get(AttrType::Software).as_str() == "test 1.0");
        const auto bare = Writer(o(Op::Hello), 0, 2).u32(wire_type(AttrType::Version), 1).finish();
        CHECK_OK(validate(bare));
    }
    SECTION("list") {
        const auto f = Writer(o(Op::List), 0, 2).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.op() == Op::List);
        CHECK_FALSE(r.has(AttrType::Name));
    }
    SECTION("get by name and by index") {
        const auto f = targeted(Op::Get, "tap0").finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Name).as_str() == "tap0");
        CHECK_FALSE(r.has(AttrType::Index));
        Request r2;
        const auto g = Writer(o(Op::Get), 0, 3).u32(wire_type(AttrType::Index), 12).finish();
        REQUIRE(proto::validate_request(g, r2).code == 0);
        CHECK(r2.get(AttrType::Index).as_u32() == 12);
        CHECK_FALSE(r2.has(AttrType::Name));
    }
    SECTION("create") {
        const auto f = Writer(o(Op::Create), 0, 4)
                           .str(wire_type(AttrType::NewName), "tap%d").u32(wire_type(AttrType::Queues), 4).u32(wire_type(AttrType::Owner), 1000).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::NewName).as_str() == "tap%d");
        CHECK(r.get(AttrType::Queues).as_u32() == 4);
        CHECK(r.get(AttrType::Owner).as_u32() == 1000);
        CHECK_OK(validate(Writer(o(Op::Create), 0, 5).str(wire_type(AttrType::NewName), "vm-tap0").finish()));
    }
    SECTION("destroy") {
        const auto f = targeted(Op::Destroy, "abcdefghijklmno").finish();  // 15 characters
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Name).as_str() == "abcdefghijklmno");
    }
    SECTION("set-flags") {
        const auto f = targeted(Op::SetFlags).u32(wire_type(AttrType::Flags), 0x1).u32(wire_type(AttrType::FlagsMask), 0x101).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Flags).as_u32() == 0x1);
        CHECK(r.get(AttrType::FlagsMask).as_u32() == 0x101);
    }
    SECTION("set-mtu") {
        const auto f = targeted(Op::SetMtu).u32(wire_type(AttrType::Mtu), 9000).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Mtu).as_u32() == 9000);
    }
    SECTION("set-metric") {
        const auto f = targeted(Op::SetMetric).s32(wire_type(AttrType::Metric), -3).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Metric).as_s32() == -3);
    }
    SECTION("set-lladdr") {
        const std::vector<uint8_t> mac = {0x02, 0, 0, 0xaa, 0xbb, 0xcc};
        const auto f = targeted(Op::SetLladdr).bytes(wire_type(AttrType::Lladdr), mac).u32(wire_type(AttrType::HwType), 1).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        const auto p = r.get(AttrType::Lladdr).payload;
        CHECK(std::vector<uint8_t>(p.begin(), p.end()) == mac);
        CHECK(r.get(AttrType::HwType).as_u32() == 1);
    }
    SECTION("set-txqlen") {
        const auto f = targeted(Op::SetTxqlen).u32(wire_type(AttrType::Txqlen), 500).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Txqlen).as_u32() == 500);
    }
    SECTION("addr-add and addr-del, inet and inet6") {
        for (Op op : {Op::AddrAdd, Op::AddrDel}) {
            proto::Address a = inet(10, 0, 0, 1, 24);
            a.broadcast = std::array<uint8_t, 4>{10, 0, 0, 255};
            a.label = "tap0:1";
            a.flags = 0x80;
            Writer w = targeted(op);
            proto::encode_address(w, AttrType::Address, a);
            const auto f = w.finish();
            Request rq;
            REQUIRE(proto::validate_request(f, rq).code == 0);
            CHECK(rq.op() == op);
            proto::Address back;
            REQUIRE(proto::decode_address(rq.get(AttrType::Address), back).code == 0);
            CHECK(back == a);
            CHECK(back.flags == 0x80);

            proto::Address b6 = inet6_doc(1, 64);
            b6.peer = inet6_doc(2, 128).local;
            Writer w6 = targeted(op);
            proto::encode_address(w6, AttrType::Address, b6);
            const auto f6 = w6.finish();
            Request r6;
            REQUIRE(proto::validate_request(f6, r6).code == 0);
            proto::Address back6;
            REQUIRE(proto::decode_address(r6.get(AttrType::Address), back6).code == 0);
            CHECK(back6 == b6);
        }
    }
    SECTION("addr-replace") {
        Writer w = targeted(Op::AddrReplace);
        const proto::Address oldA = inet(10, 0, 0, 1, 24), newA = inet(10, 0, 1, 1, 16);
        proto::encode_address(w, AttrType::OldAddress, oldA);
        proto::encode_address(w, AttrType::Address, newA);
        const auto f = w.finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        proto::Address a, b;
        REQUIRE(proto::decode_address(r.get(AttrType::OldAddress), a).code == 0);
        REQUIRE(proto::decode_address(r.get(AttrType::Address), b).code == 0);
        CHECK(a == oldA);
        CHECK(b == newA);
    }
    SECTION("rename") {
        const auto f = Writer(o(Op::Rename), 0, 1).u32(wire_type(AttrType::Index), 5).str(wire_type(AttrType::NewName), "wan0").finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.get(AttrType::Index).as_u32() == 5);
        CHECK(r.get(AttrType::NewName).as_str() == "wan0");
    }
    SECTION("multi-add and multi-del") {
        for (Op op : {Op::MultiAdd, Op::MultiDel}) {
            const std::vector<uint8_t> mac = {0x01, 0x00, 0x5e, 0, 0, 1};
            const auto f = targeted(op).bytes(wire_type(AttrType::Lladdr), mac).finish();
            Request rq;
            REQUIRE(proto::validate_request(f, rq).code == 0);
            CHECK(rq.op() == op);
            CHECK(rq.get(AttrType::Lladdr).payload.size() == 6);
        }
    }
    SECTION("open-queue") {
        const auto f = targeted(Op::OpenQueue).finish();
        REQUIRE(proto::validate_request(f, r).code == 0);
        CHECK(r.op() == Op::OpenQueue);
    }
}

TEST_CASE("unknown operation", "[schema]") {
    for (uint16_t op : {uint16_t{0}, uint16_t{proto::kMaxOp + 1}, uint16_t{0xffff}}) {
        const auto f = Writer(op, 0, 1).finish();
        CHECK_ERROR(validate(f), EOPNOTSUPP, "unknown operation " + std::to_string(op));
    }
}

TEST_CASE("unknown attribute type", "[schema]") {
    for (uint16_t type : {uint16_t{0}, uint16_t{proto::kMaxAttr + 1}, uint16_t{0xffff}}) {
        const auto f = targeted(Op::Get).u32(type, 1).finish();
        CHECK_ERROR(validate(f), EINVAL, "unknown attribute type " + std::to_string(type));
    }
}

TEST_CASE("wrong size for fixed-size attributes", "[schema]") {
    const uint8_t junk[16] = {};
    SECTION("u8") {
        for (size_t n : {0, 2, 4}) {
            Writer w = targeted(Op::AddrAdd);
            AddrBuilder b(w);
            b.family(2).local(4);
            w.raw(wire_type(AttrType::AddrPrefix), junk, n);
            b.done();
            CHECK_ERROR(validate(w.finish()), EINVAL, "attribute prefix must be 1 bytes, not " + std::to_string(n));
        }
    }
    SECTION("u32") {
        for (size_t n : {0, 1, 3, 5, 8}) {
            const auto f = targeted(Op::SetMtu).raw(wire_type(AttrType::Mtu), junk, n).finish();
            CHECK_ERROR(validate(f), EINVAL, "attribute mtu must be 4 bytes, not " + std::to_string(n));
        }
    }
    SECTION("s32") {
        const auto f = targeted(Op::SetMetric).raw(wire_type(AttrType::Metric), junk, 8).finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute metric must be 4 bytes, not 8");
    }
    SECTION("u64") {
        for (size_t n : {0, 4, 7, 9, 16}) {
            // check_attr runs before the presence check, so the size error wins
            const auto f = targeted(Op::Get).raw(wire_type(AttrType::UniqueId), junk, n).finish();
            CHECK_ERROR(validate(f), EINVAL, "attribute unique-id must be 8 bytes, not " + std::to_string(n));
        }
    }
    SECTION("fixed-length bytes") {
        const auto f = targeted(Op::Get).raw(wire_type(AttrType::MultiAddr), junk, 5).finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute multicast-address must be 6..6 bytes");
        const auto g = targeted(Op::SetLladdr).raw(wire_type(AttrType::Lladdr), junk, 0).finish();
        CHECK_OK(validate(g));  // an empty link-level address is allowed (0..32)
        std::vector<uint8_t> big(33);
        const auto h = targeted(Op::SetLladdr).bytes(wire_type(AttrType::Lladdr), big).finish();
        CHECK_ERROR(validate(h), EINVAL, "attribute lladdr must be 0..32 bytes");
    }
}

TEST_CASE("malformed strings", "[schema]") {
    SECTION("without NUL") {
        const auto f = Writer(o(Op::Get), 0, 1).raw(wire_type(AttrType::Name), "tap0", 4).finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute name is not a NUL-terminated string");
    }
    SECTION("empty payload") {
        const auto f = Writer(o(Op::Get), 0, 1).raw(wire_type(AttrType::Name), "", 0).finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute name is not a NUL-terminated string");
    }
    SECTION("embedded NUL") {
        const auto f = Writer(o(Op::Get), 0, 1).raw(wire_type(AttrType::Name), "ta\0p0", 6).finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute name has an embedded NUL");
        const auto g = Writer(o(Op::Get), 0, 1).raw(wire_type(AttrType::Name), "\0\0", 2).finish();
        CHECK_ERROR(validate(g), EINVAL, "embedded NUL");
    }
    SECTION("name too long: 16 characters") {
        const auto f = targeted(Op::Get, "abcdefghijklmnop").finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute name must be 1..15 characters");
        const auto g = Writer(o(Op::Create), 0, 1).str(wire_type(AttrType::NewName), "abcdefghijklmnop").finish();
        CHECK_ERROR(validate(g), EINVAL, "attribute new-name must be 1..15 characters");
    }
    SECTION("empty name") {
        const auto f = targeted(Op::Get, "").finish();
        CHECK_ERROR(validate(f), EINVAL, "attribute name must be 1..15 characters");
    }
    SECTION("software string limit") {
        const auto ok = Writer(o(Op::Hello), 0, 1).u32(wire_type(AttrType::Version), 1).str(wire_type(AttrType::Software), std::string(255, 'x')).finish();
        CHECK_OK(validate(ok));
        const auto bad = Writer(o(Op::Hello), 0, 1).u32(wire_type(AttrType::Version), 1).str(wire_type(AttrType::Software), std::string(256, 'x')).finish();
        CHECK_ERROR(validate(bad), EINVAL, "attribute software must be 0..255 characters");
    }
}

TEST_CASE("attribute forbidden for the operation", "[schema]") {
    CHECK_ERROR(validate(targeted(Op::Get).u32(wire_type(AttrType::Mtu), 1500).finish()), EINVAL, "attribute mtu is not allowed in get");
    CHECK_ERROR(validate(targeted(Op::List).finish()), EINVAL, "attribute name is not allowed in list");
    CHECK_ERROR(validate(Writer(o(Op::Hello), 0, 1).u32(wire_type(AttrType::Version), 1).u32(wire_type(AttrType::Index), 1).finish()), EINVAL,
                "attribute index is not allowed in hello");
    CHECK_ERROR(validate(targeted(Op::SetMtu).u32(wire_type(AttrType::Mtu), 1500).u32(wire_type(AttrType::Txqlen), 1).finish()), EINVAL,
                "attribute txqlen is not allowed in set-mtu");
    CHECK_ERROR(validate(targeted(Op::Get).str(wire_type(AttrType::Message), "hi").finish()), EINVAL,
                "attribute message is not allowed in get");
    CHECK_ERROR(validate(Writer(o(Op::Create), 0, 1).str(wire_type(AttrType::NewName), "t").u8(wire_type(AttrType::Managed), 1).finish()), EINVAL,
                "attribute managed is not allowed in create");
    Writer w = targeted(Op::Get);
    const size_t tok = w.begin_nested(wire_type(AttrType::Interface));
    w.u32(wire_type(AttrType::Index), 1);
    w.end_nested(tok);
    CHECK_ERROR(validate(w.finish()), EINVAL, "attribute interface is not allowed in get");
}

TEST_CASE("duplicate attribute", "[schema]") {
    CHECK_ERROR(validate(targeted(Op::SetMtu).u32(wire_type(AttrType::Mtu), 1500).u32(wire_type(AttrType::Mtu), 9000).finish()), EINVAL,
                "attribute mtu appears twice");
    CHECK_ERROR(validate(targeted(Op::Get).str(wire_type(AttrType::Name), "tap1").finish()), EINVAL, "attribute name appears twice");
    Writer w = targeted(Op::AddrAdd);
    proto::encode_address(w, AttrType::Address, inet(10, 0, 0, 1, 24));
    proto::encode_address(w, AttrType::Address, inet(10, 0, 0, 2, 24));
    CHECK_ERROR(validate(w.finish()), EINVAL, "attribute address appears twice");
}

TEST_CASE("required attribute missing", "[schema]") {
    CHECK_ERROR(validate(targeted(Op::SetMtu).finish()), EINVAL, "set-mtu needs attribute mtu");
    CHECK_ERROR(validate(Writer(o(Op::Hello), 0, 1).finish()), EINVAL, "hello needs attribute version");
    CHECK_ERROR(validate(Writer(o(Op::Create), 0, 1).finish()), EINVAL, "create needs attribute new-name");
    CHECK_ERROR(validate(targeted(Op::SetFlags).u32(wire_type(AttrType::Flags), 1).finish()), EINVAL,
                "set-flags needs attribute flags-mask");
    CHECK_ERROR(validate(targeted(Op::Rename).finish()), EINVAL, "rename needs attribute new-name");
    CHECK_ERROR(validate(targeted(Op::MultiAdd).finish()), EINVAL, "multi-add needs attribute lladdr");
    CHECK_ERROR(validate(targeted(Op::AddrDel).finish()), EINVAL, "addr-del needs attribute address");
    Writer w = targeted(Op::AddrReplace);
    proto::encode_address(w, AttrType::Address, inet(10, 0, 0, 1, 24));
    CHECK_ERROR(validate(w.finish()), EINVAL, "addr-replace needs attribute old-address");
}

TEST_CASE("target: exactly one of name or index", "[schema]") {
    for (uint16_t op = 1; op <= proto::kMaxOp; ++op) {
        if (!proto::op_spec(op) || !proto::op_spec(op)->needs_target) continue;
        INFO("op " << proto::op_name(op));
        const auto both = Writer(op, 0, 1).str(wire_type(AttrType::Name), "tap0").u32(wire_type(AttrType::Index), 3).finish();
        const auto neither = Writer(op, 0, 1).finish();
        proto::Request r1, r2;
        const auto e1 = proto::validate_request(both, r1);
        const auto e2 = proto::validate_request(neither, r2);
        // ops with required attributes complain about those first; the target rule is checked last
        const bool has_required = [&] {
            for (uint16_t a = 1; a <= proto::kMaxAttr; ++a)
                if (proto::op_spec(op)->attrs[a] == proto::Presence::Required) return true;
            return false;
        }();
        if (!has_required) {
            CHECK_ERROR(e1, EINVAL, std::string(proto::op_name(op)) + " needs exactly one of name or index");
            CHECK_ERROR(e2, EINVAL, std::string(proto::op_name(op)) + " needs exactly one of name or index");
        } else {
            CHECK(e1.code == EINVAL);
            CHECK(e2.code == EINVAL);
        }
    }
    CHECK_ERROR(validate(Writer(o(Op::SetMtu), 0, 1).u32(wire_type(AttrType::Mtu), 1500).finish()), EINVAL,
                "set-mtu needs exactly one of name or index");
    CHECK_ERROR(validate(targeted(Op::SetMtu).u32(wire_type(AttrType::Index), 2).u32(wire_type(AttrType::Mtu), 1500).finish()), EINVAL,
                "set-mtu needs exactly one of name or index");
}

TEST_CASE("address validation", "[schema]") {
    SECTION("valid edge cases") {
        CHECK_OK(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(32); })));
        CHECK_OK(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(0); })));
        CHECK_OK(validate(addr_add([](AddrBuilder& b) { b.family(10).local(16).prefix(128); })));
        CHECK_OK(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(24).broadcast(); })));
        CHECK_OK(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(32).peer(4); })));
    }
    SECTION("bad family") {
        for (uint8_t fam : {0, 1, 7, 17, 255})
            CHECK_ERROR(validate(addr_add([&](AddrBuilder& b) { b.family(fam).local(4).prefix(24); })), EAFNOSUPPORT,
                        "address family " + std::to_string(fam) + " is not inet or inet6");
    }
    SECTION("no family") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.local(4).prefix(24); })), EINVAL, "address without a family");
    }
    SECTION("wrong address length") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(16).prefix(24); })), EINVAL,
                    "address length does not match its family");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(10).local(4).prefix(64); })), EINVAL,
                    "address length does not match its family");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(5).prefix(24); })), EINVAL,
                    "address length does not match its family");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).prefix(24); })), EINVAL,
                    "address length does not match its family");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(3).prefix(24); })), EINVAL,
                    "attribute local must be 4..16 bytes");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(17).prefix(24); })), EINVAL,
                    "attribute local must be 4..16 bytes");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(32).peer(16); })), EINVAL,
                    "peer address length does not match its family");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(10).local(16).prefix(128).peer(4); })), EINVAL,
                    "peer address length does not match its family");
    }
    SECTION("prefix out of range") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(33); })), EINVAL,
                    "prefix length 33 is out of range");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(255); })), EINVAL,
                    "prefix length 255 is out of range");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(10).local(16).prefix(129); })), EINVAL,
                    "prefix length 129 is out of range");
    }
    SECTION("no prefix") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4); })), EINVAL,
                    "address without a prefix length");
    }
    SECTION("broadcast on inet6") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(10).local(16).prefix(64).broadcast(); })), EINVAL,
                    "only inet addresses have a broadcast address");
    }
    SECTION("attribute not allowed in an address") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(24); b.w.u32(wire_type(AttrType::Mtu), 1); })),
                    EINVAL, "attribute mtu is not allowed in an address");
    }
    SECTION("unknown attribute in an address") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(4).prefix(24); b.w.u32(200, 1); })), EINVAL,
                    "unknown attribute type 200");
    }
    SECTION("duplicate attribute in an address") {
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(10).family(2).local(4).prefix(24); })), EINVAL,
                    "attribute family appears twice in an address");
        CHECK_ERROR(validate(addr_add([](AddrBuilder& b) { b.family(2).local(16).local(4).prefix(24); })), EINVAL,
                    "attribute local appears twice in an address");
    }
    SECTION("old-address gets the same checks") {
        Writer w = targeted(Op::AddrReplace);
        AddrBuilder old(w, AttrType::OldAddress);
        old.family(10).local(16).prefix(200);
        old.done();
        proto::encode_address(w, AttrType::Address, inet(10, 0, 0, 1, 24));
        CHECK_ERROR(validate(w.finish()), EINVAL, "prefix length 200 is out of range");
    }
}

TEST_CASE("nested attribute overrunning", "[schema]") {
    Writer w = targeted(Op::AddrAdd);
    proto::encode_address(w, AttrType::Address, inet(10, 0, 0, 1, 24));
    auto f = w.finish();
    // The Address starts after the 12-byte Name attribute.
    const size_t addr_at = proto::kHeaderSize + 12;
    REQUIRE(get_u16(f, addr_at + 2) == wire_type(AttrType::Address));

    SECTION("child runs past the end of its parent") {
        // The first child (family, length 5) claims 64 bytes; the parent holds fewer.
        put_u16(f, addr_at + 4, 64);
        CHECK_ERROR(validate(f), EBADMSG, "attribute 22 has length 64");
    }
    SECTION("parent shortened so its last child is cut") {
        const uint16_t len = get_u16(f, addr_at);
        put_u16(f, addr_at, static_cast<uint16_t>(len - 4));
        // Now 4 bytes of the last child follow the Address as a bogus top-level attribute;
        // whichever is reported first, it must be a structural error.
        const auto e = validate(f);
        CHECK((e.code == EBADMSG || e.code == EINVAL));
        CHECK_FALSE(e.message.empty());
    }
    SECTION("parent longer than the frame") {
        put_u16(f, addr_at, static_cast<uint16_t>(f.size()));
        CHECK_ERROR(validate(f), EBADMSG, "attribute 11 has length");
    }
    SECTION("child with a truncated header") {
        Writer w2 = targeted(Op::AddrAdd);
        const size_t tok = w2.begin_nested(wire_type(AttrType::Address));
        w2.u8(wire_type(AttrType::AddrFamily), 2);
        w2.end_nested(tok);
        auto g = w2.finish();
        // grow the nested attribute by 2 bytes of garbage (a partial child header)
        g.insert(g.end(), {0x04, 0x00});
        put_u16(g, addr_at, static_cast<uint16_t>(get_u16(g, addr_at) + 2));
        fix_length(g);
        CHECK_ERROR(validate(g), EBADMSG, "truncated attribute header");
    }
}

TEST_CASE("per-client and offload values are checked before any handler", "[schema]") {
    SECTION("flag references name IFF_PROMISC or IFF_ALLMULTI, and take 0 or 1") {
        CHECK(validate(targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0x100).u8(wire_type(AttrType::RefOn), 1).finish()).code == 0);
        CHECK(validate(targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0x200).u8(wire_type(AttrType::RefOn), 0).finish()).code == 0);
        CHECK_ERROR(validate(targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0x1).u8(wire_type(AttrType::RefOn), 1).finish()), EINVAL,
                    "IFF_PROMISC");
        CHECK_ERROR(validate(targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0x300).u8(wire_type(AttrType::RefOn), 1).finish()), EINVAL,
                    "0x300");
        CHECK_ERROR(validate(targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0x100).u8(wire_type(AttrType::RefOn), 2).finish()), EINVAL,
                    "0 or 1");
        CHECK_ERROR(validate(targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0x100).finish()), EINVAL, "ref-on");
    }
    SECTION("switches are 0 or 1") {
        const uint8_t mac[6] = {1, 0, 0x5e, 0, 0, 1};
        CHECK_ERROR(validate(targeted(Op::MultiAdd).raw(wire_type(AttrType::Lladdr), mac, 6).u8(wire_type(AttrType::PerClient), 7).finish()), EINVAL,
                    "per-client");
        CHECK_ERROR(validate(targeted(Op::Rename).str(wire_type(AttrType::NewName), "x0").u8(wire_type(AttrType::LiveRename), 2).finish()), EINVAL,
                    "live-rename");
        CHECK(validate(targeted(Op::MultiDel).raw(wire_type(AttrType::Lladdr), mac, 6).u8(wire_type(AttrType::PerClient), 1).finish()).code == 0);
    }
    SECTION("a unique id comes with its family, and is not 0") {
        auto create = [] { return Writer(o(Op::Create), 0, 1).str(wire_type(AttrType::NewName), "tap%d"); };
        CHECK(validate(create().u64(wire_type(AttrType::UniqueId), 4).str(wire_type(AttrType::UniqueFamily), "ether").finish()).code == 0);
        CHECK_ERROR(validate(create().u64(wire_type(AttrType::UniqueId), 4).finish()), EINVAL, "family");
        CHECK_ERROR(validate(create().str(wire_type(AttrType::UniqueFamily), "ether").finish()), EINVAL, "family");
        CHECK_ERROR(validate(create().u64(wire_type(AttrType::UniqueId), 0).str(wire_type(AttrType::UniqueFamily), "ether").finish()), EINVAL,
                    "none");
        CHECK_ERROR(validate(Writer(o(Op::Forget), 0, 1).u64(wire_type(AttrType::UniqueId), 4).finish()), EINVAL, "unique-family");
        CHECK(validate(Writer(o(Op::Forget), 0, 1).u64(wire_type(AttrType::UniqueId), 4).str(wire_type(AttrType::UniqueFamily), "e").finish()).code == 0);
        CHECK_ERROR(validate(targeted(Op::Forget).u64(wire_type(AttrType::UniqueId), 4).str(wire_type(AttrType::UniqueFamily), "e").finish()), EINVAL,
                    "not allowed");
    }
    SECTION("records' counters are not request attributes") {
        CHECK_ERROR(validate(targeted(Op::SetCaps).u32(wire_type(AttrType::CapsEnabled), 1).u32(wire_type(AttrType::CapsSupported), 1).finish()),
                    EINVAL, "not allowed");
        CHECK(validate(targeted(Op::Detach).finish()).code == 0);
    }
}

TEST_CASE("value rules and attribute groups: each form, refused and accepted", "[schema]") {
    using proto::ValueRule;
    const uint8_t mac6[6] = {1, 0, 0x5e, 0, 0, 1}, mac5[5] = {1, 0, 0x5e, 0, 0}, mac8[8] = {};
    auto create = [](const char* name) { return Writer(o(Op::Create), 0, 1).str(wire_type(AttrType::NewName), name); };
    auto rename = [](const char* name) { return targeted(Op::Rename).str(wire_type(AttrType::NewName), name); };
    auto subscribe = [] { return Writer(o(Op::Subscribe), 0, 1); };
    auto move = [] { return targeted(Op::MoveNetns); };
    struct Form {
        ValueRule rule;  // Any: a group's row
        std::vector<uint8_t> frame;
        int code;                 // 0: accepted
        std::string message = {};  // refused: a part of the message
    };
    const std::vector<Form> forms = {
        {ValueRule::NewIfName, create("tap%d").finish(), 0},
        {ValueRule::NewIfName, create("vpn.0-x_y").finish(), 0},
        {ValueRule::NewIfName, rename("a%dz").finish(), 0},
        {ValueRule::NewIfName, create("a/b").finish(), EINVAL, "new-name \"a/b\": interface names cannot contain '/', ':' or spaces"},
        {ValueRule::NewIfName, create("lo:1").finish(), EINVAL, "cannot contain"},
        {ValueRule::NewIfName, create("a b").finish(), EINVAL, "cannot contain"},
        {ValueRule::NewIfName, create("a\tb").finish(), EINVAL, "cannot contain"},
        {ValueRule::NewIfName, create(".").finish(), EINVAL, "not a valid interface name"},
        {ValueRule::NewIfName, rename("..").finish(), EINVAL, "not a valid interface name"},
        {ValueRule::NewIfName, create("t%d%d").finish(), EINVAL, "one %d"},
        {ValueRule::NewIfName, create("t%s").finish(), EINVAL, "one %d"},
        {ValueRule::NewIfName, rename("t%").finish(), EINVAL, "one %d"},
        {ValueRule::QueueCount, create("t").u32(wire_type(AttrType::Queues), 1).finish(), 0},
        {ValueRule::QueueCount, create("t").u32(wire_type(AttrType::Queues), 256).finish(), 0},
        {ValueRule::QueueCount, create("t").u32(wire_type(AttrType::Queues), 0).finish(), EINVAL, "queues must be 1..256, not 0"},
        {ValueRule::QueueCount, create("t").u32(wire_type(AttrType::Queues), 257).finish(), EINVAL, "not 257"},
        {ValueRule::EventMask, subscribe().u32(wire_type(AttrType::EventKinds), proto::kAllEvents).finish(), 0},
        {ValueRule::EventMask, subscribe().u32(wire_type(AttrType::EventKinds), 0).finish(), EINVAL, "non-empty set"},
        {ValueRule::EventMask, subscribe().u32(wire_type(AttrType::EventKinds), proto::kAllEvents + 1).finish(), EINVAL,
         "mask 0x3ff"},
        {ValueRule::Ethernet, targeted(Op::MultiAdd).raw(wire_type(AttrType::Lladdr), mac6, 6).finish(), 0},
        {ValueRule::Ethernet, targeted(Op::MultiAdd).raw(wire_type(AttrType::Lladdr), mac5, 5).finish(), EINVAL,
         "lladdr must be 6 bytes (an Ethernet address) in this request, not 5"},
        {ValueRule::Ethernet, targeted(Op::MultiDel).raw(wire_type(AttrType::Lladdr), mac8, 8).finish(), EINVAL, "not 8"},
        // The same attribute takes other lengths where no rule narrows it.
        {ValueRule::Any, targeted(Op::SetLladdr).raw(wire_type(AttrType::Lladdr), mac8, 8).finish(), 0},
        {ValueRule::Switch, Writer(o(Op::Hello), 0, 1).u32(wire_type(AttrType::Version), 1).u8(wire_type(AttrType::Snapshot), 2).finish(),
         EINVAL, "snapshot must be 0 or 1"},
        {ValueRule::Switch, targeted(Op::SetInet6).u8(wire_type(AttrType::NoDad), 3).finish(), EINVAL, "no-dad must be 0 or 1"},
        {ValueRule::FlagReference, targeted(Op::FlagRef).u32(wire_type(AttrType::RefFlag), 0).u8(wire_type(AttrType::RefOn), 1).finish(),
         EINVAL, "not 0x0"},
        {ValueRule::NotZero,
         create("t").u64(wire_type(AttrType::UniqueId), 0).str(wire_type(AttrType::UniqueFamily), "ether").finish(), EINVAL,
         "unique-id cannot be 0"},
        // Groups.
        {ValueRule::Any, move().u32(wire_type(AttrType::NetnsPid), 1).finish(), 0},
        {ValueRule::Any, move().str(wire_type(AttrType::NetnsPath), "/run/netns/x").finish(), 0},
        {ValueRule::Any, move().finish(), EINVAL, "move-netns needs exactly one of netns-pid or netns-path"},
        {ValueRule::Any, move().u32(wire_type(AttrType::NetnsPid), 1).str(wire_type(AttrType::NetnsPath), "/x").finish(), EINVAL,
         "exactly one of netns-pid or netns-path"},
        {ValueRule::Any, subscribe().str(wire_type(AttrType::Name), "t").finish(), 0},
        {ValueRule::Any, subscribe().str(wire_type(AttrType::Name), "t").u32(wire_type(AttrType::Index), 2).finish(), EINVAL,
         "subscribe takes name or index, not both"},
        {ValueRule::Any, targeted(Op::SetInet6).finish(), EINVAL, "set-inet6 needs no-dad or auto-linklocal"},
        {ValueRule::Any, targeted(Op::SetInet6).u8(wire_type(AttrType::AutoLinklocal), 0).finish(), 0},
        {ValueRule::Any, create("t").u64(wire_type(AttrType::UniqueId), 9).finish(), EINVAL,
         "create takes unique-id and unique-family together, or neither"},
        // The target's pair is checked before the operation's own groups.
        {ValueRule::Any, Writer(o(Op::MoveNetns), 0, 1).finish(), EINVAL, "move-netns needs exactly one of name or index"},
    };
    std::set<ValueRule> refused_rules;
    for (const Form& f : forms) {
        INFO("form " << (&f - forms.data()));
        const proto::Error e = validate(f.frame);
        INFO("message: \"" << e.message << "\"");
        CHECK(e.code == f.code);
        if (f.code) {
            CHECK_THAT(e.message, Catch::Contains(f.message));
            refused_rules.insert(f.rule);
        }
    }
    // Every rule an operation applies has a refused form above.
    for (uint16_t op = 1; op <= proto::kMaxOp; ++op) {
        const proto::OpSpec* spec = proto::op_spec(op);
        if (!spec) continue;
        for (uint16_t t = 1; t <= proto::kMaxAttr; ++t) {
            INFO(spec->name << ", attribute " << t);
            if (spec->rules[t] != ValueRule::Any && spec->attrs[t] != proto::Presence::Forbidden)
                CHECK(refused_rules.count(spec->rules[t]) == 1);
        }
    }
}
