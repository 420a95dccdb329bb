// Sends one datagram with descriptors attached (SCM_RIGHTS): for tests that
// play a client or a daemon passing descriptors the other side did not ask for.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace ifctl::test {

// True when the whole of `bytes` was sent, with every descriptor of `fds`.
inline bool send_with_fds(int sock, std::span<const uint8_t> bytes, std::span<const int> fds) {
    iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
    std::vector<char> control(CMSG_SPACE(fds.size_bytes()));
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.data();
    mh.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size_bytes());
    std::memcpy(CMSG_DATA(c), fds.data(), fds.size_bytes());
    return ::sendmsg(sock, &mh, MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

}  // namespace ifctl::test
