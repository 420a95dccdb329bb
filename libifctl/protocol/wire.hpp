// Protocol v1 wire format: one frame per SOCK_SEQPACKET datagram.
//
//   frame  = header (16 bytes, host byte order) + attributes
//   header = u32 length | u16 op | u16 flags | u32 id | i32 status
//   attr   = u16 length (header + payload, unpadded) | u16 type | payload | pad to 4
//
// Host byte order is deliberate: both ends are on the same machine (Unix socket).
// Everything here is bounds-checked; a decoder never reads past the span it was given.
// See docs/protocol.md for the full description.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ifctl::proto {

inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kAttrHeaderSize = 4;
// Largest frame either side sends or accepts. Replies that would be larger (a
// list of thousands of interfaces) are split into several frames with kFlagMore.
inline constexpr size_t kMaxFrame = 64 * 1024;

// Header flags.
inline constexpr uint16_t kFlagReply = 0x1;  // a reply to request `id`
inline constexpr uint16_t kFlagMore = 0x2;   // more reply frames follow for this id
inline constexpr uint16_t kFlagEvent = 0x4;  // an unsolicited event (id = subscription)
inline constexpr uint16_t kKnownFlags = kFlagReply | kFlagMore | kFlagEvent;

struct Header {
    uint32_t length = 0;  // whole frame, header included
    uint16_t op = 0;
    uint16_t flags = 0;
    uint32_t id = 0;
    int32_t status = 0;  // 0 or a positive errno (replies only)
};

// The header's fields in a frame, read and written by name: the one place that
// knows their offsets. A reader given fewer bytes than its field needs returns
// 0 (a frame cut short still echoes the id it got as far as); a writer needs
// a whole header (a Writer's frame always has one).
namespace header_at {
inline constexpr size_t kLength = 0, kOp = 4, kFlags = 6, kId = 8, kStatus = 12;
}
template <typename T>
T header_field(std::span<const uint8_t> frame, size_t at) {
    T v{};
    if (frame.size() >= at + sizeof v) std::memcpy(&v, frame.data() + at, sizeof v);
    return v;
}
template <typename T>
void set_header_field(std::span<uint8_t> frame, size_t at, T v) {
    if (frame.size() >= at + sizeof v) std::memcpy(frame.data() + at, &v, sizeof v);
}
inline uint32_t frame_length(std::span<const uint8_t> f) { return header_field<uint32_t>(f, header_at::kLength); }
inline uint16_t frame_op(std::span<const uint8_t> f) { return header_field<uint16_t>(f, header_at::kOp); }
inline uint16_t frame_flags(std::span<const uint8_t> f) { return header_field<uint16_t>(f, header_at::kFlags); }
inline uint32_t frame_id(std::span<const uint8_t> f) { return header_field<uint32_t>(f, header_at::kId); }
inline int32_t frame_status(std::span<const uint8_t> f) { return header_field<int32_t>(f, header_at::kStatus); }
inline void set_frame_length(std::span<uint8_t> f, uint32_t v) { set_header_field(f, header_at::kLength, v); }
inline void set_frame_op(std::span<uint8_t> f, uint16_t v) { set_header_field(f, header_at::kOp, v); }
inline void set_frame_flags(std::span<uint8_t> f, uint16_t v) { set_header_field(f, header_at::kFlags, v); }
inline void set_frame_id(std::span<uint8_t> f, uint32_t v) { set_header_field(f, header_at::kId, v); }
inline void set_frame_status(std::span<uint8_t> f, int32_t v) { set_header_field(f, header_at::kStatus, v); }

// A decoding failure: the errno to answer with and why.
struct Error {
    int code = 0;  // positive errno, 0 = no error
    std::string message;
    explicit operator bool() const { return code != 0; }
};

inline constexpr size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

// Appends attributes to a growing frame. Nested attributes are written by
// begin_nested()/end_nested(), which patch the length afterwards.
class Writer {
public:
    Writer(uint16_t op, uint16_t flags, uint32_t id, int32_t status = 0);

    Writer& u8(uint16_t type, uint8_t v) { return raw(type, &v, 1); }
    Writer& u32(uint16_t type, uint32_t v) { return raw(type, &v, 4); }
    Writer& s32(uint16_t type, int32_t v) { return raw(type, &v, 4); }
    Writer& u64(uint16_t type, uint64_t v) { return raw(type, &v, 8); }
    Writer& str(uint16_t type, std::string_view s);  // written with its NUL
    Writer& bytes(uint16_t type, std::span<const uint8_t> b) { return raw(type, b.data(), b.size()); }
    // Inline, so that the fixed-size ones above copy their few bytes without
    // calls: a record is thirty-odd attributes (the daemon's biggest cost per get).
    Writer& raw(uint16_t type, const void* data, size_t len) {
        uint8_t* at = attr(type, len);
        if (len) std::memcpy(at, data, len);
        return *this;
    }

    size_t begin_nested(uint16_t type);
    void end_nested(size_t token);

    size_t size() const { return size_; }
    // Finishes the header and hands the frame over.
    std::vector<uint8_t> finish();
    // Rolls back to an earlier size (used when splitting replies).
    void truncate(size_t size) { size_ = std::min(size, size_); }

private:
    // Appends an attribute's header and padding for a payload of `len` bytes
    // and returns where the payload goes (the caller writes exactly `len`).
    uint8_t* attr(uint16_t type, size_t len) {
        if (len > 0xffff - kAttrHeaderSize) too_long();
        const auto alen = static_cast<uint16_t>(kAttrHeaderSize + len);
        const size_t padded = align4(alen);
        if (size_ + padded > buf_.size()) expand(size_ + padded);
        uint8_t* at = buf_.data() + size_;
        size_ += padded;
        std::memcpy(at, &alen, 2);
        std::memcpy(at + 2, &type, 2);
        // The last word, cleared before the payload goes in: the padding is zero.
        if (padded > kAttrHeaderSize) std::memset(at + padded - 4, 0, 4);
        return at + kAttrHeaderSize;
    }
    uint8_t* grow(size_t n);  // appends n zero bytes, returns where they start
    void expand(size_t need);  // buf_ holds at least `need` bytes
    [[noreturn]] static void too_long();
    std::vector<uint8_t> buf_;  // the frame is its first size_ bytes
    size_t size_ = 0;
};

// One attribute as found in a frame: type and payload (the span points into the frame).
struct Attr {
    uint16_t type = 0;
    std::span<const uint8_t> payload;

    uint8_t as_u8() const { return payload[0]; }
    uint32_t as_u32() const { uint32_t v; std::memcpy(&v, payload.data(), 4); return v; }
    int32_t as_s32() const { int32_t v; std::memcpy(&v, payload.data(), 4); return v; }
    uint64_t as_u64() const { uint64_t v; std::memcpy(&v, payload.data(), 8); return v; }
    // Strings are validated to end in their only NUL before anyone reads them.
    std::string_view as_str() const {
        return {reinterpret_cast<const char*>(payload.data()), payload.empty() ? 0 : payload.size() - 1};
    }
};

// Walks the attributes of a byte range. Structural checks only (lengths, padding);
// what each attribute may hold is checked by the schema (schema.hpp).
class AttrIter {
public:
    explicit AttrIter(std::span<const uint8_t> data) : data_(data) {}
    // Returns false at the end or on a malformed attribute (then error() says why).
    bool next(Attr& out);
    const Error& error() const { return err_; }

private:
    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    Error err_;
};

// Checks a received datagram's header against its size and the limits.
// `expect_reply` chooses which side's rules apply.
Error parse_header(std::span<const uint8_t> frame, Header& out, bool expect_reply);

}  // namespace ifctl::proto
