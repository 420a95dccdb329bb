#include "tun_driver.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace ifctl::daemon {
namespace {

int ioctl_value(int fd, unsigned long request, unsigned long value) {
    return ::ioctl(fd, request, value) < 0 ? -errno : 0;
}

class LinuxTun final : public TunDriver {
public:
    int open(const std::string& name, short flags, uint32_t ifindex, UniqueFd& out, std::string* actual) override {
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
    int get_iff(int fd, std::string& name, short& flags) override {
        struct ifreq ifr {};
        if (::ioctl(fd, TUNGETIFF, &ifr) < 0) return -errno;
        name = ifr.ifr_name;
        flags = ifr.ifr_flags;
        return 0;
    }
    int set_persist(int fd, bool on) override { return ioctl_value(fd, TUNSETPERSIST, on); }
    int set_owner(int fd, uint32_t uid) override { return ioctl_value(fd, TUNSETOWNER, uid); }
    int set_group(int fd, uint32_t gid) override { return ioctl_value(fd, TUNSETGROUP, gid); }
    int set_queue(int fd, bool attach) override {
        struct ifreq ifr {};
        ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
        return ::ioctl(fd, TUNSETQUEUE, &ifr) < 0 ? -errno : 0;
    }
    int set_tx_filter(int fd, const std::vector<std::array<uint8_t, 6>>& addresses, bool allmulti) override {
        // struct tun_filter is followed by `count` addresses (a flexible array).
        std::vector<uint8_t> buf(sizeof(tun_filter) + addresses.size() * ETH_ALEN);
        tun_filter f{};
        f.flags = allmulti ? TUN_FLT_ALLMULTI : 0;
        f.count = static_cast<uint16_t>(addresses.size());
        std::memcpy(buf.data(), &f, sizeof f);
        for (size_t n = 0; n < addresses.size(); ++n)
            std::memcpy(buf.data() + sizeof f + n * ETH_ALEN, addresses[n].data(), ETH_ALEN);
        return ::ioctl(fd, TUNSETTXFILTER, buf.data()) < 0 ? -errno : 0;
    }
    int set_offloads(int fd, uint32_t tun_f) override { return ioctl_value(fd, TUNSETOFFLOAD, tun_f); }
    int device_netns(int fd, UniqueFd& out) override {
        const int ns = ::ioctl(fd, TUNGETDEVNETNS);  // the kernel opens it close-on-exec
        if (ns < 0) return -errno;
        out = UniqueFd(ns);
        return 0;
    }
    int read_state(uint32_t ifindex, TunState& out) override { return read_tun_state(ifindex, out); }
};

}  // namespace

TunDriver& linux_tun() {
    static LinuxTun tun;
    return tun;
}

}  // namespace ifctl::daemon
