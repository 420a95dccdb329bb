#include "datagram_batch.hpp"

#include <cerrno>

namespace ifctl::daemon {

DatagramBatch::DatagramBatch() : buffer_(new uint8_t[kSlots * kSlotBytes]) {}

int DatagramBatch::receive(int fd) {
    // recvmmsg() writes msg_namelen, msg_controllen and msg_flags back: set every
    // header afresh.
    for (unsigned i = 0; i < kSlots; ++i) {
        iov_[i] = {slot(i), kSlotBytes};
        headers_[i] = {};
        headers_[i].msg_hdr.msg_name = &senders_[i];
        headers_[i].msg_hdr.msg_namelen = sizeof senders_[i];
        headers_[i].msg_hdr.msg_iov = &iov_[i];
        headers_[i].msg_hdr.msg_iovlen = 1;
    }
    for (;;) {
        const int n = ::recvmmsg(fd, headers_.data(), kSlots, MSG_DONTWAIT, nullptr);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    }
}

}  // namespace ifctl::daemon
