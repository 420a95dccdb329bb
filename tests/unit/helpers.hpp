// Shared helpers for the codec unit tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/schema.hpp"
#include "libifctl/protocol/wire.hpp"

namespace testutil {

namespace proto = ifctl::proto;
using proto::AttrType;
using proto::Op;

// A fresh directory /tmp/PREFIX.XXXXXX, removed with all it holds when the
// object goes, however the test ends (a member constructed first outlives the
// failure of the rest of a constructor).
struct TempDir {
    std::string path;
    explicit TempDir(const std::string& prefix) {
        std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
        REQUIRE(::mkdtemp(tmpl.data()));
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

inline constexpr uint16_t o(Op op) { return static_cast<uint16_t>(op); }

// Rewrites the header's length field to the frame's real size (after a test
// appended or removed bytes on purpose).
inline void fix_length(std::vector<uint8_t>& f) {
    const uint32_t n = static_cast<uint32_t>(f.size());
    std::memcpy(f.data(), &n, 4);
}

inline uint32_t get_u32(const std::vector<uint8_t>& f, size_t at) {
    uint32_t v;
    std::memcpy(&v, f.data() + at, 4);
    return v;
}
inline uint16_t get_u16(const std::vector<uint8_t>& f, size_t at) {
    uint16_t v;
    std::memcpy(&v, f.data() + at, 2);
    return v;
}
inline void put_u16(std::vector<uint8_t>& f, size_t at, uint16_t v) { std::memcpy(f.data() + at, &v, 2); }
inline void put_u32(std::vector<uint8_t>& f, size_t at, uint32_t v) { std::memcpy(f.data() + at, &v, 4); }

// A request for op that targets tap0 by name.
inline proto::Writer targeted(Op op, std::string_view name = "tap0") {
    proto::Writer w(o(op), 0, 7);
    w.str(wire_type(AttrType::Name), name);
    return w;
}

inline proto::Address inet(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix) {
    proto::Address x;
    x.family = 2;
    x.local[0] = a; x.local[1] = b; x.local[2] = c; x.local[3] = d;
    x.prefix = prefix;
    return x;
}

inline proto::Address inet6_doc(uint8_t last, uint8_t prefix) {
    proto::Address x;
    x.family = 10;
    const uint8_t p[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    std::memcpy(x.local.data(), p, 16);
    x.prefix = prefix;
    return x;
}

// Validates a request frame; the Request must not outlive `frame`.
inline proto::Error validate(const std::vector<uint8_t>& frame) {
    proto::Request r;
    return proto::validate_request(frame, r);
}

}  // namespace testutil

// Checks an Error: exact errno, a non-empty message, and that the message
// names what went wrong (`needle`, case-sensitive substring).
#define CHECK_ERROR(expr, errcode, needle)                               \
    do {                                                                 \
        const ::ifctl::proto::Error e_ = (expr);                         \
        INFO("message: \"" << e_.message << "\"");                     \
        CHECK(e_.code == (errcode));                                     \
        CHECK_FALSE(e_.message.empty());                                 \
        CHECK_THAT(e_.message, Catch::Contains(needle));                 \
    } while (0)

#define CHECK_OK(expr)                                                   \
    do {                                                                 \
        const ::ifctl::proto::Error e_ = (expr);                         \
        INFO("message: \"" << e_.message << "\"");                     \
        CHECK(e_.code == 0);                                             \
    } while (0)
