#include "wire.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ifctl::proto {

// 512 bytes: a request or a one-record reply, without growing.
Writer::Writer(uint16_t op, uint16_t flags, uint32_t id, int32_t status) : buf_(512) {
    const std::span<uint8_t> head(grow(kHeaderSize), kHeaderSize);
    set_frame_op(head, op);
    set_frame_flags(head, flags);
    set_frame_id(head, id);
    set_frame_status(head, status);
}

// The frame is the first size_ bytes of buf_; the vector only grows, by
// doubling. Resizing the vector per attribute (resize(n, 0), a generic
// fill-insert) was a quarter of the daemon's work per get (callgrind); here
// only the new bytes are written, and attr() (wire.hpp) clears the padding.
void Writer::expand(size_t need) { buf_.resize(std::max(buf_.size() * 2, need)); }

void Writer::too_long() { throw std::length_error("attribute too long"); }

uint8_t* Writer::grow(size_t n) {
    if (size_ + n > buf_.size()) expand(size_ + n);
    uint8_t* at = buf_.data() + size_;
    std::memset(at, 0, n);
    size_ += n;
    return at;
}

Writer& Writer::str(uint16_t type, std::string_view s) {
    uint8_t* at = attr(type, s.size() + 1);
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    at[s.size()] = 0;
    return *this;
}

size_t Writer::begin_nested(uint16_t type) {
    const size_t token = size_;
    uint8_t* at = grow(kAttrHeaderSize);
    std::memcpy(at + 2, &type, 2);
    return token;
}

void Writer::end_nested(size_t token) {
    const size_t len = size_ - token;
    if (len > 0xffff) throw std::length_error("nested attribute too long");
    const uint16_t alen = static_cast<uint16_t>(len);
    std::memcpy(buf_.data() + token, &alen, 2);
}

std::vector<uint8_t> Writer::finish() {
    if (size_ > kMaxFrame) throw std::length_error("frame too long");
    set_frame_length(buf_, static_cast<uint32_t>(size_));
    buf_.resize(size_);
    size_ = 0;
    return std::move(buf_);
}

bool AttrIter::next(Attr& out) {
    if (err_ || pos_ >= data_.size()) return false;
    const size_t left = data_.size() - pos_;
    if (left < kAttrHeaderSize) {
        err_ = {EBADMSG, "truncated attribute header"};
        return false;
    }
    uint16_t alen, type;
    std::memcpy(&alen, data_.data() + pos_, 2);
    std::memcpy(&type, data_.data() + pos_ + 2, 2);
    if (alen < kAttrHeaderSize || alen > left) {
        err_ = {EBADMSG, "attribute " + std::to_string(type) + " has length " + std::to_string(alen) +
                             " but " + std::to_string(left) + " bytes remain"};
        return false;
    }
    out.type = type;
    out.payload = data_.subspan(pos_ + kAttrHeaderSize, alen - kAttrHeaderSize);
    // The last attribute may omit its padding; anything else must be padded.
    pos_ += std::min(align4(alen), left);
    return true;
}

Error parse_header(std::span<const uint8_t> frame, Header& h, bool expect_reply) {
    if (frame.size() < kHeaderSize)
        return {EBADMSG, "frame of " + std::to_string(frame.size()) + " bytes is shorter than the 16-byte header"};
    if (frame.size() > kMaxFrame) return {EMSGSIZE, "frame longer than " + std::to_string(kMaxFrame) + " bytes"};
    h.length = frame_length(frame);
    h.op = frame_op(frame);
    h.flags = frame_flags(frame);
    h.id = frame_id(frame);
    h.status = frame_status(frame);
    if (h.length != frame.size())
        return {EBADMSG, "header says " + std::to_string(h.length) + " bytes, datagram has " +
                             std::to_string(frame.size())};
    if (h.flags & ~kKnownFlags) return {EINVAL, "unknown header flags"};
    // kFlagMore only means something on a reply, so a request may carry no flag at all.
    if (!expect_reply && (h.flags & kKnownFlags)) return {EBADMSG, "a request must not carry reply flags"};
    if (expect_reply && !(h.flags & (kFlagReply | kFlagEvent))) return {EBADMSG, "expected a reply frame"};
    if (!expect_reply && h.status != 0) return {EINVAL, "a request must carry status 0"};
    if (expect_reply && (h.status < 0 || h.status > 4095)) return {EBADMSG, "reply status out of range"};
    return {};
}

}  // namespace ifctl::proto
