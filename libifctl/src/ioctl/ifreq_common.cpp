#include "ifreq_common.hpp"

#include <cerrno>
#include <cstring>

#include "inet_rules.hpp"

namespace ifctl::ioctl_layer {

using client::Connection;
using client::InterfaceRef;

IfName name_of(const struct ifreq& r) {
    IfName n;
    n.full.assign(r.ifr_name, strnlen(r.ifr_name, IFNAMSIZ - 1));
    const auto colon = n.full.find(':');
    n.alias = colon != std::string::npos;
    n.dev = n.full.substr(0, colon);
    return n;
}

struct ifreq load(const Call& c) {
    struct ifreq r;
    std::memcpy(&r, c.arg, sizeof r);
    r.ifr_name[IFNAMSIZ - 1] = 0;
    return r;
}

// Gets write the whole ifreq back on success, as sock_do_ioctl does.
Outcome give_back(const Call& c, const struct ifreq& r) {
    std::memcpy(c.arg, &r, sizeof r);
    return answered();
}

// Looks the device up; only a managed one is ours to answer for.
bool managed(const IfName& n, Lookup& l, Need need) {
    if (n.dev.empty()) return false;
    l = lookup(InterfaceRef::by_name(n.dev), need == Need::Addresses);
    return l.reach == Reach::Managed;
}

// Sends a change about the device; nullopt means "the kernel's business":
// no daemon, or an interface it does not manage. A connection that broke
// while the change was under way is EIO, never a second try at the kernel.
std::optional<Outcome> send_change(const IfName& n, const std::function<client::Result(Connection&)>& op) {
    if (n.dev.empty()) return std::nullopt;
    const Sent s = change(op);
    if (s.reach == Reach::Broken) return answered(EIO);
    if (s.reach != Reach::Managed) return std::nullopt;
    return answered(s.err);
}

// The IPv4 address an address request names: by label, and for gets first by
// label and the address passed in ifr_addr (devinet_ioctl's "4.4BSD style" match).
const proto::Address* find_by_label(const proto::Interface& rec, const std::string& label,
                                    const struct sockaddr* match) {
    if (match && match->sa_family == AF_INET) {
        const uint32_t want = read_sockaddr_in(match);
        for (const proto::Address& a : rec.addresses)
            if (a.family == AF_INET && a.label == label && v4(a) == want) return &a;
    }
    for (const proto::Address& a : rec.addresses)
        if (a.family == AF_INET && a.label == label) return &a;
    return nullptr;
}

uint32_t peer_or_local(const proto::Address& a) {
    if (!a.peer) return v4(a);
    uint32_t n;
    std::memcpy(&n, a.peer->data(), 4);
    return ntohl(n);
}

uint32_t broadcast_of(const proto::Address& a) {
    if (!a.broadcast) return 0;
    uint32_t n;
    std::memcpy(&n, a.broadcast->data(), 4);
    return ntohl(n);
}

// Builds an inet address the way devinet_ioctl leaves it after a change.
proto::Address inet_address(uint32_t local, unsigned prefix, uint32_t broadcast, uint32_t peer, const std::string& label) {
    proto::Address a;
    a.family = AF_INET;
    put_v4(a.local, local);
    a.prefix = static_cast<uint8_t>(prefix);
    if (broadcast) {
        std::array<uint8_t, 4> b;
        const uint32_t nb = htonl(broadcast);
        std::memcpy(b.data(), &nb, 4);
        a.broadcast = b;
    }
    if (peer != local) {
        std::array<uint8_t, 16> p{};
        put_v4(p, peer);
        a.peer = p;
    }
    a.label = label;
    return a;
}

// The errno of a change the lookup said was ours: a daemon that went away in
// between is an I/O error, never a silent success.
int errno_of(const Sent& s) { return s.reach == Reach::Unreachable || s.reach == Reach::Broken ? EIO : s.err; }

// "Delete the old, insert the new", as devinet_ioctl does with inet_del_ifa and
// inet_insert_ifa: same-subnet secondaries go with a deleted primary (cascade).
// A change of one address to another is one addr-replace, which the daemon
// judges whole before its first step: a refused or failed replace leaves the
// old address (and its secondaries) in place.
int swap_address(const std::string& dev, const proto::Address* old_addr, const proto::Address* new_addr) {
    const InterfaceRef t = InterfaceRef::by_name(dev);
    if (old_addr && new_addr)
        return errno_of(change([&](Connection& c) { return c.addr_replace(t, *old_addr, *new_addr, true); }));
    if (old_addr) return errno_of(change([&](Connection& c) { return c.addr_del(t, *old_addr, true); }));
    if (!new_addr) return 0;
    return errno_of(change([&](Connection& c) { return c.addr_add(t, *new_addr); }));
}

int find_device(const IfName& n, Lookup& l, Need need) {
    if (n.dev.empty()) return ENXIO;
    l = lookup(InterfaceRef::by_name(n.dev), need == Need::Addresses);
    return l.reach == Reach::Managed || l.reach == Reach::Unmanaged ? 0 : ENXIO;
}

int change_errno(const Sent& s) {
    if (s.reach == Reach::Unknown) return ENXIO;
    return errno_of(s);
}

int copy_in_string(const char* from, size_t max, std::string& out) {
    if (!from) return EFAULT;
    const size_t len = strnlen(from, max);
    if (len == max) return ENAMETOOLONG;
    out.assign(from, len);
    return 0;
}

const proto::Address* first_inet(const proto::Interface& rec) {
    for (const proto::Address& a : rec.addresses)
        if (a.family == AF_INET) return &a;
    return nullptr;
}

}  // namespace ifctl::ioctl_layer
