// The kernel's own SIOCGIFCONF answer, which the daemon publishes in its
// snapshot for callers in its namespace (docs/snapshot.md): the same bytes the
// kernel would give them, device order included, which the daemon's view
// (in ifindex order) cannot reproduce once a device has left and come back.
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "libifctl/src/ioctl/kernel.hpp"
#include "netlink.hpp"

namespace ifctl::daemon {

int Netlink::inet_ifconf(std::vector<uint8_t>& out) {
    if (!inet_socket_) {
        inet_socket_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (!inet_socket_) return -errno;
    }
    // Room for what the last answer held and more; asked again while the
    // answer fills it (addresses may come between two calls), with room for
    // twice what the kernel says it needs (a NULL buffer asks for the size):
    // doubling alone would give up on the first read of thousands of addresses.
    size_t room = std::max<size_t>(out.capacity(), 16 * sizeof(struct ifreq));
    for (int tries = 0; tries < 8; ++tries) {
        out.resize(room);
        struct ifconf ifc {};
        ifc.ifc_len = static_cast<int>(room);
        ifc.ifc_buf = reinterpret_cast<char*>(out.data());
        // By system call: under the preload shim a plain ioctl would be
        // answered from this very daemon's snapshot, or sent to it.
        if (ioctl_layer::kernel_ioctl(inet_socket_.get(), SIOCGIFCONF, &ifc) < 0) return -errno;
        if (static_cast<size_t>(ifc.ifc_len) + sizeof(struct ifreq) <= room) {
            out.resize(static_cast<size_t>(ifc.ifc_len));
            return 0;
        }
        struct ifconf size {};
        if (ioctl_layer::kernel_ioctl(inet_socket_.get(), SIOCGIFCONF, &size) < 0) return -errno;
        room = 2 * std::max(room, static_cast<size_t>(size.ifc_len));
    }
    return -EAGAIN;
}

}  // namespace ifctl::daemon
