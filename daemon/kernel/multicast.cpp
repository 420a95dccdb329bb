#include "multicast.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libifctl/src/ioctl/kernel.hpp"

namespace ifctl::daemon {
namespace {

int multicast_ioctl(unsigned long request, const std::string& ifname, const std::array<uint8_t, 6>& mac) {
    // Any socket reaches dev_ioctl; a datagram Unix socket needs no network stack.
    static const int sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -EIO;
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    ifr.ifr_hwaddr.sa_family = AF_UNSPEC;
    std::memcpy(ifr.ifr_hwaddr.sa_data, mac.data(), mac.size());
    // By system call: with libifctl-preload.so in the daemon's environment, a
    // plain ioctl on a managed interface would be sent to this very daemon,
    // which is busy here and could not answer.
    return ioctl_layer::kernel_ioctl(sock, request, &ifr) < 0 ? -errno : 0;
}

}  // namespace

int add_multicast(const std::string& ifname, const std::array<uint8_t, 6>& mac) {
    return multicast_ioctl(SIOCADDMULTI, ifname, mac);
}

int delete_multicast(const std::string& ifname, const std::array<uint8_t, 6>& mac) {
    return multicast_ioctl(SIOCDELMULTI, ifname, mac);
}

}  // namespace ifctl::daemon
