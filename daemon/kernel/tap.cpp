#include "tap.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace ifctl::daemon {
namespace {

constexpr short kTapFlags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;

// Not in Debian 12's <linux/if_tun.h> (6.1); values from later kernels.
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

int open_tun(const std::string& name, short flags, UniqueFd& out, std::string* actual, uint32_t ifindex = 0) {
    if (name.size() >= IFNAMSIZ) return -EINVAL;
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
    if (!fd) return -errno;
    // Must come before TUNSETIFF: the index is taken when the device is registered.
    if (ifindex != 0) {
        const unsigned int idx = ifindex;
        if (::ioctl(fd.get(), TUNSETIFINDEX, &idx) < 0) return -errno;
    }
    struct ifreq ifr {};
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    ifr.ifr_flags = flags;
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0) return -errno;
    if (actual) *actual = ifr.ifr_name;
    out = std::move(fd);
    return 0;
}

int set_queue(int fd, short flag) {
    struct ifreq ifr {};
    ifr.ifr_flags = flag;
    return ::ioctl(fd, TUNSETQUEUE, &ifr) < 0 ? -errno : 0;
}

}  // namespace

int Tap::create(const std::string& name, bool vnet_hdr, Tap& out, uint32_t ifindex) {
    Tap t;
    t.vnet_hdr_ = vnet_hdr;
    // IFF_TUN_EXCL: never adopt an interface that already exists under that name.
    const short flags = static_cast<short>(kTapFlags | IFF_TUN_EXCL | (vnet_hdr ? IFF_VNET_HDR : 0));
    if (int rc = open_tun(name, flags, t.fd_, &t.name_, ifindex); rc < 0) return rc;
    t.own_attached_ = true;
    out = std::move(t);
    return 0;
}

int Tap::open_queue(const std::string& current_name, UniqueFd& out) const {
    UniqueFd q;
    // Every attach sets the device's IFF_VNET_HDR, so each queue must ask the same.
    const short flags = static_cast<short>(kTapFlags | (vnet_hdr_ ? IFF_VNET_HDR : 0));
    if (int rc = open_tun(current_name, flags, q, nullptr); rc < 0) return rc;
    // Clients get a blocking descriptor, as open(2) of a TAP would give them.
    int fl = ::fcntl(q.get(), F_GETFL);
    if (fl >= 0) ::fcntl(q.get(), F_SETFL, fl & ~O_NONBLOCK);
    out = std::move(q);
    return 0;
}

int Tap::set_owner(uint32_t uid) {
    return ::ioctl(fd_.get(), TUNSETOWNER, static_cast<unsigned long>(uid)) < 0 ? -errno : 0;
}

int Tap::set_group(uint32_t gid) {
    return ::ioctl(fd_.get(), TUNSETGROUP, static_cast<unsigned long>(gid)) < 0 ? -errno : 0;
}

int Tap::attach_own() {
    if (own_attached_) return 0;
    if (int rc = set_queue(fd_.get(), IFF_ATTACH_QUEUE); rc < 0) return rc;
    own_attached_ = true;
    return 0;
}

int Tap::detach_own() {
    if (!own_attached_) return 0;
    if (int rc = set_queue(fd_.get(), IFF_DETACH_QUEUE); rc < 0) return rc;
    own_attached_ = false;
    return 0;
}

int Tap::set_tx_filter(const std::vector<std::array<uint8_t, 6>>& addresses, bool allmulti) {
    // struct tun_filter is followed by `count` addresses (a flexible array).
    std::vector<uint8_t> buf(sizeof(tun_filter) + addresses.size() * ETH_ALEN);
    tun_filter f{};
    f.flags = allmulti ? TUN_FLT_ALLMULTI : 0;
    f.count = static_cast<uint16_t>(addresses.size());
    std::memcpy(buf.data(), &f, sizeof f);
    for (size_t n = 0; n < addresses.size(); ++n)
        std::memcpy(buf.data() + sizeof f + n * ETH_ALEN, addresses[n].data(), ETH_ALEN);
    return ::ioctl(fd_.get(), TUNSETTXFILTER, buf.data()) < 0 ? -errno : 0;
}

uint32_t Tap::offloads_supported() const {
    // What set_offload() in drivers/net/tun.c turns into features. TUN_F_UFO is
    // left out: the kernel accepts it and ignores it (UFO is gone).
    return vnet_hdr_ ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6 : 0;
}

int Tap::set_offloads(uint32_t tun_f) {
    return ::ioctl(fd_.get(), TUNSETOFFLOAD, static_cast<unsigned long>(tun_f)) < 0 ? -errno : 0;
}

}  // namespace ifctl::daemon
