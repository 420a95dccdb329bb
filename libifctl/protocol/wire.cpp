#include "wire.hpp"

#include <cerrno>
#include <stdexcept>

namespace ifctl::proto {

Writer::Writer(uint16_t op, uint16_t flags, uint32_t id, int32_t status) {
    buf_.reserve(256);
    buf_.resize(kHeaderSize);
    Header h;
    h.op = op;
    h.flags = flags;
    h.id = id;
    h.status = status;
    std::memcpy(buf_.data() + 4, &h.op, 2);
    std::memcpy(buf_.data() + 6, &h.flags, 2);
    std::memcpy(buf_.data() + 8, &h.id, 4);
    std::memcpy(buf_.data() + 12, &h.status, 4);
}

Writer& Writer::raw(uint16_t type, const void* data, size_t len) {
    if (len > 0xffff - kAttrHeaderSize) throw std::length_error("attribute too long");
    const size_t at = buf_.size();
    const uint16_t alen = static_cast<uint16_t>(kAttrHeaderSize + len);
    buf_.resize(at + align4(alen), 0);
    std::memcpy(buf_.data() + at, &alen, 2);
    std::memcpy(buf_.data() + at + 2, &type, 2);
    if (len) std::memcpy(buf_.data() + at + kAttrHeaderSize, data, len);
    return *this;
}

Writer& Writer::str(uint16_t type, std::string_view s) {
    std::string tmp(s);
    return raw(type, tmp.c_str(), tmp.size() + 1);
}

size_t Writer::begin_nested(uint16_t type) {
    const size_t at = buf_.size();
    buf_.resize(at + kAttrHeaderSize, 0);
    std::memcpy(buf_.data() + at + 2, &type, 2);
    return at;
}

void Writer::end_nested(size_t token) {
    const size_t len = buf_.size() - token;
    if (len > 0xffff) throw std::length_error("nested attribute too long");
    const uint16_t alen = static_cast<uint16_t>(len);
    std::memcpy(buf_.data() + token, &alen, 2);
}

std::vector<uint8_t> Writer::finish() {
    if (buf_.size() > kMaxFrame) throw std::length_error("frame too long");
    const uint32_t len = static_cast<uint32_t>(buf_.size());
    std::memcpy(buf_.data(), &len, 4);
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
    std::memcpy(&h.length, frame.data(), 4);
    std::memcpy(&h.op, frame.data() + 4, 2);
    std::memcpy(&h.flags, frame.data() + 6, 2);
    std::memcpy(&h.id, frame.data() + 8, 4);
    std::memcpy(&h.status, frame.data() + 12, 4);
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
