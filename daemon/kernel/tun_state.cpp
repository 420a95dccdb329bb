#include "tun_state.hpp"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "unique_fd.hpp"

namespace ifctl::daemon {
namespace {

// Calls `fn(type, payload, length)` for each attribute in [data, data + len).
template <typename F>
void each_attr(const uint8_t* data, size_t len, F fn) {
    while (len >= sizeof(nlattr)) {
        nlattr a;
        std::memcpy(&a, data, sizeof a);
        if (a.nla_len < sizeof a || a.nla_len > len) return;
        fn(static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK), data + NLA_HDRLEN, size_t{a.nla_len} - NLA_HDRLEN);
        const size_t step = NLA_ALIGN(a.nla_len);
        if (step >= len) return;
        data += step;
        len -= step;
    }
}

uint32_t u32_of(const uint8_t* p, size_t n) {
    uint32_t v = 0;
    if (n >= sizeof v) std::memcpy(&v, p, sizeof v);
    return v;
}

// IFLA_INFO_DATA of a "tun" link.
void read_tun_data(const uint8_t* p, size_t n, TunState& out) {
    each_attr(p, n, [&](uint16_t type, const uint8_t* v, size_t vn) {
        switch (type) {
            case IFLA_TUN_OWNER: out.owner = u32_of(v, vn); break;
            case IFLA_TUN_GROUP: out.group = u32_of(v, vn); break;
            case IFLA_TUN_PERSIST: out.persist = vn >= 1 && v[0]; break;
            case IFLA_TUN_NUM_QUEUES: out.queues = u32_of(v, vn); break;
            case IFLA_TUN_NUM_DISABLED_QUEUES: out.queues_detached = u32_of(v, vn); break;
            default: break;
        }
    });
}

// The link message's attributes: IFLA_LINKINFO, with kind "tun" and its data.
int read_link(const uint8_t* p, size_t n, TunState& out) {
    bool tun = false;
    each_attr(p, n, [&](uint16_t type, const uint8_t* v, size_t vn) {
        if (type != IFLA_LINKINFO) return;
        each_attr(v, vn, [&](uint16_t t, const uint8_t* w, size_t wn) {
            if (t == IFLA_INFO_KIND) tun = wn >= 3 && std::memcmp(w, "tun", 3) == 0;
            if (t == IFLA_INFO_DATA) read_tun_data(w, wn, out);
        });
    });
    return tun ? 0 : -EINVAL;
}

}  // namespace

int read_tun_state(uint32_t ifindex, TunState& out) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) return -errno;
    struct {
        nlmsghdr h;
        ifinfomsg i;
    } req{};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST;
    req.h.nlmsg_seq = 1;
    req.i.ifi_family = AF_UNSPEC;
    req.i.ifi_index = static_cast<int>(ifindex);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return -errno;
    // One link message (a TAP's is well under 4 KiB), or an error.
    alignas(nlmsghdr) std::array<uint8_t, 16384> buf;
    ssize_t n;
    do n = ::recv(fd.get(), buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (static_cast<size_t>(n) < sizeof(nlmsghdr)) return -EIO;
    nlmsghdr h;
    std::memcpy(&h, buf.data(), sizeof h);
    if (h.nlmsg_len > static_cast<size_t>(n) || h.nlmsg_len < NLMSG_HDRLEN) return -EIO;
    if (h.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr e{};
        if (h.nlmsg_len >= NLMSG_LENGTH(sizeof e)) std::memcpy(&e, buf.data() + NLMSG_HDRLEN, sizeof e);
        return e.error ? e.error : -EIO;
    }
    if (h.nlmsg_type != RTM_NEWLINK || h.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return -EIO;
    out = TunState{};
    const size_t head = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(ifinfomsg)));
    return read_link(buf.data() + head, h.nlmsg_len - head, out);
}

}  // namespace ifctl::daemon
