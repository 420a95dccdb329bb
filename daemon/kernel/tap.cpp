#include "tap.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#include <cerrno>

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

}  // namespace

int Tap::create(TunDriver& tun, const std::string& name, bool vnet_hdr, Tap& out, uint32_t ifindex) {
    Tap t;
    t.tun_ = &tun;
    t.vnet_hdr_ = vnet_hdr;
    // IFF_TUN_EXCL: never adopt an interface that already exists under that name.
    const short flags = static_cast<short>(kTapFlags | IFF_TUN_EXCL | (vnet_hdr ? IFF_VNET_HDR : 0));
    if (int rc = tun.open(name, flags, ifindex, t.fd_, &t.name_); rc < 0) return rc;
    // Root's from the next call on: until then anyone may attach (a queue
    // attached in that window is reported by the daemon's check, tap_guard.hpp).
    if (int rc = t.restrict_to_root(); rc < 0) return rc;  // t's descriptor closes: the TAP goes
    t.own_attached_ = true;
    out = std::move(t);
    return 0;
}

int Tap::attach(TunDriver& tun, const std::string& name, bool vnet_hdr, Tap& out) {
    Tap t;
    t.tun_ = &tun;
    t.vnet_hdr_ = vnet_hdr;
    const short flags = static_cast<short>(kTapFlags | (vnet_hdr ? IFF_VNET_HDR : 0));
    if (int rc = tun.open(name, flags, 0, t.fd_, &t.name_); rc < 0) return rc;
    t.own_attached_ = true;
    out = std::move(t);
    return 0;
}

int Tap::from_fd(TunDriver& tun, UniqueFd fd, Tap& out) {
    std::string name;
    short iff = 0;
    if (int rc = tun.get_iff(fd.get(), name, iff); rc < 0) return rc;
    if ((iff & (IFF_TAP | IFF_MULTI_QUEUE)) != (IFF_TAP | IFF_MULTI_QUEUE)) return -EINVAL;
    Tap t;
    t.tun_ = &tun;
    t.vnet_hdr_ = iff & IFF_VNET_HDR;
    t.name_ = name;
    // TUNGETIFF reports IFF_DETACH_QUEUE for a queue that is not attached.
    t.own_attached_ = !(iff & IFF_DETACH_QUEUE);
    t.fd_ = std::move(fd);
    out = std::move(t);
    return 0;
}

int Tap::set_persist(bool on) {
    const int rc = tun_->set_persist(fd_.get(), on);
    if (rc == 0) persist_ = on;
    return rc;
}

int Tap::open_queue(const std::string& current_name, UniqueFd& out) const {
    UniqueFd q;
    // Every attach sets the device's IFF_VNET_HDR, so each queue must ask the same.
    const short flags = static_cast<short>(kTapFlags | (vnet_hdr_ ? IFF_VNET_HDR : 0));
    if (int rc = tun_->open(current_name, flags, 0, q, nullptr); rc < 0) return rc;
    // Clients get a blocking descriptor, as open(2) of a TAP would give them.
    int fl = ::fcntl(q.get(), F_GETFL);
    if (fl >= 0) ::fcntl(q.get(), F_SETFL, fl & ~O_NONBLOCK);
    out = std::move(q);
    return 0;
}

int Tap::ask_name() const {
    if (!fd_) return -EBADF;
    std::string now;
    short flags = 0;
    if (int rc = tun_->get_iff(fd_.get(), now, flags); rc < 0) return rc;
    name_ = std::move(now);
    return 0;
}

const std::string& Tap::name() const {
    ask_name();
    return name_;
}

int Tap::set_owner(uint32_t uid) { return tun_->set_owner(fd_.get(), uid); }

int Tap::set_group(uint32_t gid) { return tun_->set_group(fd_.get(), gid); }

int Tap::restrict_to_root() {
    if (int rc = set_owner(0); rc < 0) return rc;
    return set_group(0);
}

int Tap::attach_own() {
    if (own_attached_) return 0;
    if (int rc = tun_->set_queue(fd_.get(), true); rc < 0) return rc;
    own_attached_ = true;
    return 0;
}

int Tap::detach_own() {
    if (!own_attached_) return 0;
    if (int rc = tun_->set_queue(fd_.get(), false); rc < 0) return rc;
    own_attached_ = false;
    return 0;
}

int Tap::set_tx_filter(const std::vector<std::array<uint8_t, 6>>& addresses, bool allmulti) {
    return tun_->set_tx_filter(fd_.get(), addresses, allmulti);
}

uint32_t Tap::offloads_supported() const {
    // What set_offload() in drivers/net/tun.c turns into features. TUN_F_UFO is
    // left out: the kernel accepts it and ignores it (UFO is gone).
    return vnet_hdr_ ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6 : 0;
}

int Tap::set_offloads(uint32_t tun_f) { return tun_->set_offloads(fd_.get(), tun_f); }

}  // namespace ifctl::daemon
