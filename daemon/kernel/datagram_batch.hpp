// Reads what is queued on a non-blocking datagram socket (the netlink event
// socket) with recvmmsg(): up to kSlots datagrams per system call.
//
// Why not libnl's nl_recv(): it peeks at each message to size a buffer it
// allocates, reads it, and needs one more call to learn that the queue is
// empty: three system calls and an allocation for the one event a change
// causes, and an allocation even for the per-request look that finds nothing.
// Here an event costs one call, and a look that finds nothing one call: when
// recvmmsg() returns fewer datagrams than it was offered, the queue was empty,
// or an error (ENOBUFS) struck after the first datagram; the kernel keeps that
// error for the next call, and the socket shows ready until it is read, so the
// event loop's watch reads it at once and the next look at the latest.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ifctl::daemon {

class DatagramBatch {
public:
    static constexpr unsigned kSlots = 8;
    // Larger than any single netlink message the kernel multicasts (a link's
    // notification carries no VF list); a longer one is reported truncated.
    static constexpr size_t kSlotBytes = 64 * 1024;

    DatagramBatch();

    // Receives what is queued now, up to kSlots datagrams, without waiting.
    // Returns how many (0: none queued) or -errno (-ENOBUFS from a netlink
    // socket: the kernel dropped messages since the last read).
    int receive(int fd);

    // The i-th datagram of the last receive().
    const uint8_t* data(unsigned i) const { return slot(i); }
    size_t size(unsigned i) const { return headers_[i].msg_len; }
    bool truncated(unsigned i) const { return headers_[i].msg_hdr.msg_flags & MSG_TRUNC; }
    const sockaddr_storage& sender(unsigned i) const { return senders_[i]; }

private:
    uint8_t* slot(unsigned i) const { return buffer_.get() + i * kSlotBytes; }

    // Not value-initialised: pages the kernel never writes stay unmapped.
    std::unique_ptr<uint8_t[]> buffer_;
    std::array<iovec, kSlots> iov_{};
    std::array<sockaddr_storage, kSlots> senders_{};
    std::array<mmsghdr, kSlots> headers_{};
};

}  // namespace ifctl::daemon
