// Descriptors passed with a SEQPACKET frame (SCM_RIGHTS), shared by the daemon
// (which refuses them) and the client (which takes one from open-queue).
#pragma once

#include <sys/socket.h>

#include <cstring>

namespace ifctl::proto {

// Calls fn(fd) for every descriptor received in `mh`; fn owns each one.
template <typename Fn>
void for_each_passed_fd(struct msghdr& mh, Fn&& fn) {
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            fn(fd);
        }
    }
}

}  // namespace ifctl::proto
