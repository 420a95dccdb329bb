// Frame header, Writer and AttrIter: the structural layer of protocol v1.
#include <cerrno>

#include "helpers.hpp"

using namespace testutil;
using proto::AttrIter;
using proto::Attr;
using proto::Header;
using proto::Writer;

TEST_CASE("Writer fills the header and pads attributes", "[wire]") {
    Writer w(o(Op::SetMtu), 0, 0x01020304);
    w.str(wire_type(AttrType::Name), "tap0");       // 4 + 5 -> padded to 12
    w.u32(wire_type(AttrType::Mtu), 9000);          // 8
    w.u8(wire_type(AttrType::Carrier), 1);          // 5 -> 8
    w.u64(wire_type(AttrType::UniqueId), 42);       // 12
    w.s32(wire_type(AttrType::Metric), -5);         // 8
    const auto f = w.finish();
    REQUIRE(f.size() == proto::kHeaderSize + 12 + 8 + 8 + 12 + 8);
    CHECK(get_u32(f, 0) == f.size());
    CHECK(get_u16(f, 4) == o(Op::SetMtu));
    CHECK(get_u16(f, 6) == 0);
    CHECK(get_u32(f, 8) == 0x01020304);
    CHECK(get_u32(f, 12) == 0);
    // first attribute: unpadded length 9, type Name, "tap0\0", 3 zero bytes of padding
    CHECK(get_u16(f, 16) == 9);
    CHECK(get_u16(f, 18) == wire_type(AttrType::Name));
    CHECK(std::memcmp(f.data() + 20, "tap0\0\0\0\0", 8) == 0);

    Header h;
    CHECK_OK(proto::parse_header(f, h, false));
    CHECK(h.length == f.size());
    CHECK(h.op == o(Op::SetMtu));
    CHECK(h.id == 0x01020304);

    AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
    Attr a;
    REQUIRE(it.next(a));
    CHECK(a.type == wire_type(AttrType::Name));
    CHECK(a.as_str() == "tap0");
    CHECK(a.payload.size() == 5);
    REQUIRE(it.next(a));
    CHECK(a.type == wire_type(AttrType::Mtu));
    CHECK(a.as_u32() == 9000);
    REQUIRE(it.next(a));
    CHECK(a.as_u8() == 1);
    REQUIRE(it.next(a));
    CHECK(a.as_u64() == 42);
    REQUIRE(it.next(a));
    CHECK(a.as_s32() == -5);
    CHECK_FALSE(it.next(a));
    CHECK_FALSE(it.error());
}

TEST_CASE("Writer: empty string, empty bytes and nesting", "[wire]") {
    Writer w(o(Op::List), 0, 1);
    w.str(wire_type(AttrType::Message), "");
    w.bytes(wire_type(AttrType::Lladdr), {});
    const size_t outer = w.begin_nested(wire_type(AttrType::Interface));
    w.u32(wire_type(AttrType::Index), 3);
    const size_t inner = w.begin_nested(wire_type(AttrType::Stats));
    w.u64(wire_type(AttrType::StatRxBytes), 1234);
    w.end_nested(inner);
    w.end_nested(outer);
    const auto f = w.finish();

    AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
    Attr a;
    REQUIRE(it.next(a));
    CHECK(a.payload.size() == 1);
    CHECK(a.as_str().empty());
    REQUIRE(it.next(a));
    CHECK(a.type == wire_type(AttrType::Lladdr));
    CHECK(a.payload.empty());
    REQUIRE(it.next(a));
    CHECK(a.type == wire_type(AttrType::Interface));
    CHECK(a.payload.size() == 8 + 4 + 12);
    {
        AttrIter in(a.payload);
        Attr b;
        REQUIRE(in.next(b));
        CHECK(b.as_u32() == 3);
        REQUIRE(in.next(b));
        CHECK(b.type == wire_type(AttrType::Stats));
        AttrIter in2(b.payload);
        Attr c;
        REQUIRE(in2.next(c));
        CHECK(c.type == wire_type(AttrType::StatRxBytes));
        CHECK(c.as_u64() == 1234);
        CHECK_FALSE(in2.next(c));
        CHECK_FALSE(in.next(b));
        CHECK_FALSE(in.error());
    }
    CHECK_FALSE(it.next(a));
    CHECK_FALSE(it.error());
}

TEST_CASE("Writer refuses attributes and frames that do not fit", "[wire]") {
    Writer w(o(Op::List), 0, 1);
    std::vector<uint8_t> big(0x10000);
    CHECK_THROWS_AS(w.bytes(wire_type(AttrType::Lladdr), big), std::length_error);
    Writer w2(o(Op::List), 0, 1);
    std::vector<uint8_t> chunk(0xff00);
    for (int i = 0; i < 2; ++i) w2.bytes(wire_type(AttrType::Lladdr), chunk);
    CHECK_THROWS_AS(w2.finish(), std::length_error);
}

TEST_CASE("AttrIter accepts a final attribute without padding", "[wire]") {
    auto f = Writer(o(Op::Get), 0, 1).str(wire_type(AttrType::Name), "tap0").finish();
    f.resize(f.size() - 3);  // drop the padding of "tap0\0"
    fix_length(f);
    CHECK_OK(validate(f));
}

TEST_CASE("AttrIter rejects malformed attributes", "[wire]") {
    auto base = Writer(o(Op::Get), 0, 1).str(wire_type(AttrType::Name), "tap0").finish();

    SECTION("truncated attribute header") {
        for (int extra = 1; extra <= 3; ++extra) {
            auto f = base;
            f.insert(f.end(), extra, 0x08);
            fix_length(f);
            AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
            Attr a;
            REQUIRE(it.next(a));
            CHECK_FALSE(it.next(a));
            CHECK_ERROR(it.error(), EBADMSG, "truncated attribute header");
            CHECK_ERROR(validate(f), EBADMSG, "truncated attribute header");
        }
    }
    SECTION("length below the attribute header") {
        for (uint16_t len : {0, 1, 2, 3}) {
            auto f = base;
            put_u16(f, proto::kHeaderSize, len);
            CHECK_ERROR(validate(f), EBADMSG, "has length " + std::to_string(len));
        }
    }
    SECTION("length past the end") {
        auto f = base;
        put_u16(f, proto::kHeaderSize, 13);  // 12 bytes are there
        CHECK_ERROR(validate(f), EBADMSG, "has length 13 but 12 bytes remain");
        put_u16(f, proto::kHeaderSize, 0xffff);
        CHECK_ERROR(validate(f), EBADMSG, "has length 65535");
    }
    SECTION("iteration stops after an error") {
        auto f = base;
        put_u16(f, proto::kHeaderSize, 2);
        AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
        Attr a;
        CHECK_FALSE(it.next(a));
        CHECK(it.error().code == EBADMSG);
        CHECK_FALSE(it.next(a));
        CHECK(it.error().code == EBADMSG);
    }
}

TEST_CASE("AttrIter on an empty range", "[wire]") {
    AttrIter it(std::span<const uint8_t>{});
    Attr a;
    CHECK_FALSE(it.next(a));
    CHECK_FALSE(it.error());
}

TEST_CASE("parse_header accepts well-formed requests and replies", "[wire]") {
    Header h;
    const auto req = Writer(o(Op::List), 0, 9).finish();
    CHECK_OK(proto::parse_header(req, h, false));
    CHECK(h.length == proto::kHeaderSize);
    CHECK(h.op == o(Op::List));
    CHECK(h.id == 9);

    for (uint16_t flags : {proto::kFlagReply, uint16_t(proto::kFlagReply | proto::kFlagMore), proto::kFlagEvent}) {
        const auto rep = Writer(o(Op::List), flags, 9, 0).finish();
        CHECK_OK(proto::parse_header(rep, h, true));
        CHECK(h.flags == flags);
    }
    const auto err = Writer(o(Op::Get), proto::kFlagReply, 9, ENODEV).finish();
    CHECK_OK(proto::parse_header(err, h, true));
    CHECK(h.status == ENODEV);

    std::vector<uint8_t> max(proto::kMaxFrame, 0);
    std::memcpy(max.data(), req.data(), proto::kHeaderSize);
    fix_length(max);
    CHECK_OK(proto::parse_header(max, h, false));
}

TEST_CASE("parse_header rejects malformed frames", "[wire]") {
    Header h;
    const auto good = Writer(o(Op::Get), 0, 1).str(wire_type(AttrType::Name), "tap0").finish();

    SECTION("shorter than the header") {
        for (size_t n : {size_t{0}, size_t{1}, size_t{4}, size_t{15}}) {
            std::vector<uint8_t> f(good.begin(), good.begin() + static_cast<long>(n));
            CHECK_ERROR(proto::parse_header(f, h, false), EBADMSG, "shorter than the 16-byte header");
            CHECK_ERROR(proto::parse_header(f, h, true), EBADMSG, "shorter than the 16-byte header");
            CHECK_ERROR(validate(f), EBADMSG, "shorter than the 16-byte header");
        }
    }
    SECTION("length field larger than the datagram") {
        auto f = good;
        put_u32(f, 0, static_cast<uint32_t>(f.size() + 4));
        CHECK_ERROR(proto::parse_header(f, h, false), EBADMSG,
                    "header says " + std::to_string(f.size() + 4) + " bytes, datagram has " + std::to_string(f.size()));
    }
    SECTION("length field smaller than the datagram") {
        auto f = good;
        put_u32(f, 0, proto::kHeaderSize);
        CHECK_ERROR(proto::parse_header(f, h, false), EBADMSG, "header says 16 bytes");
    }
    SECTION("length field below the header size") {
        auto f = good;
        put_u32(f, 0, 3);
        CHECK_ERROR(proto::parse_header(f, h, false), EBADMSG, "header says 3 bytes");
    }
    SECTION("oversized") {
        std::vector<uint8_t> f(proto::kMaxFrame + 1, 0);
        std::memcpy(f.data(), good.data(), proto::kHeaderSize);
        fix_length(f);
        CHECK_ERROR(proto::parse_header(f, h, false), EMSGSIZE, "longer than 65536 bytes");
        CHECK_ERROR(proto::parse_header(f, h, true), EMSGSIZE, "longer than 65536 bytes");
        CHECK_ERROR(validate(f), EMSGSIZE, "longer than");
    }
    SECTION("unknown flags") {
        for (uint16_t bit = 0x8; bit != 0; bit = static_cast<uint16_t>(bit << 1)) {
            auto f = good;
            put_u16(f, 6, bit);
            CHECK_ERROR(proto::parse_header(f, h, false), EINVAL, "unknown header flags");
            put_u16(f, 6, static_cast<uint16_t>(bit | proto::kFlagReply));
            CHECK_ERROR(proto::parse_header(f, h, true), EINVAL, "unknown header flags");
        }
    }
    SECTION("reply flags on a request") {
        for (uint16_t flags : {proto::kFlagReply, proto::kFlagEvent, proto::kFlagMore,
                               uint16_t(proto::kFlagReply | proto::kFlagMore)}) {
            auto f = good;
            put_u16(f, 6, flags);
            CHECK_ERROR(proto::parse_header(f, h, false), EBADMSG, "must not carry reply flags");
            CHECK_ERROR(validate(f), EBADMSG, "must not carry reply flags");
        }
    }
    SECTION("a request where a reply is expected") {
        CHECK_ERROR(proto::parse_header(good, h, true), EBADMSG, "expected a reply frame");
        auto f = good;
        put_u16(f, 6, proto::kFlagMore);
        CHECK_ERROR(proto::parse_header(f, h, true), EBADMSG, "expected a reply frame");
    }
    SECTION("nonzero status in a request") {
        for (int32_t st : {1, EINVAL, -1, 4096}) {
            auto f = good;
            std::memcpy(f.data() + 12, &st, 4);
            CHECK_ERROR(proto::parse_header(f, h, false), EINVAL, "status 0");
            CHECK_ERROR(validate(f), EINVAL, "status 0");
        }
    }
    SECTION("reply status out of range") {
        for (int32_t st : {-1, 4096, INT32_MIN}) {
            const auto f = Writer(o(Op::Get), proto::kFlagReply, 1, st).finish();
            CHECK_ERROR(proto::parse_header(f, h, true), EBADMSG, "reply status out of range");
        }
    }
}

TEST_CASE("header fields are read and written by name, each at its own place", "[wire]") {
    auto f = Writer(o(Op::SetMtu), 0, 7, 0).finish();
    CHECK(proto::frame_length(f) == f.size());
    CHECK(proto::frame_op(f) == o(Op::SetMtu));
    CHECK(proto::frame_id(f) == 7);
    proto::set_frame_flags(f, proto::kFlagReply | proto::kFlagMore);
    proto::set_frame_id(f, 0x0a0b0c0d);
    proto::set_frame_status(f, 22);
    // The bytes the format fixes (wire.hpp's comment), and nothing else moved.
    CHECK(get_u16(f, 6) == (proto::kFlagReply | proto::kFlagMore));
    CHECK(get_u32(f, 8) == 0x0a0b0c0d);
    CHECK(get_u32(f, 12) == 22);
    CHECK(get_u32(f, 0) == f.size());
    CHECK(get_u16(f, 4) == o(Op::SetMtu));
    // A frame cut short: fields it does not reach read as 0.
    const std::vector<uint8_t> cut(f.begin(), f.begin() + 10);
    CHECK(proto::frame_op(cut) == o(Op::SetMtu));
    CHECK(proto::frame_id(cut) == 0);
    CHECK(proto::frame_status(cut) == 0);
}
