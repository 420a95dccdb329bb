// The Linux personality: on interfaces ifctld manages, every request behaves as
// the running kernel's own ioctl does (return value, errno and its order, bytes
// written back, resulting state), because the kernel is what ported Linux code
// was written against. Rules follow net/core/dev_ioctl.c and net/ipv4/devinet.c;
// docs/semantics.md lists them with their sources. Requests about interfaces the
// daemon does not manage, or that cannot reach it, go to the kernel unchanged.
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "conf_entries.hpp"
#include "daemon_link.hpp"
#include "daemon_ops.hpp"
#include "fd_domains.hpp"
#include "ifreq_common.hpp"
#include "inet_rules.hpp"
#include "libifctl/protocol/ifname.hpp"
#include "personality.hpp"

namespace ifctl::ioctl_layer {
namespace {

using client::Connection;
using client::InterfaceRef;

// ---- requests on any socket (dev_ioctl) -------------------------------------

// The device gets: look the device up, fill one field from its record, write
// the ifreq back. Everything else in the ifreq keeps the caller's bytes.
using Fill = void (*)(struct ifreq&, const proto::Interface&);
Outcome device_get(const Call& c, Fill fill) {
    struct ifreq r = load(c);
    Lookup l;
    if (!managed(name_of(r), l)) return to_kernel();
    fill(r, l.rec);
    return give_back(c, r);
}

Outcome get_flags(const Call& c) {
    return device_get(c, [](struct ifreq& r, const proto::Interface& i) { r.ifr_flags = static_cast<short>(i.flags); });
}
Outcome get_mtu(const Call& c) {
    return device_get(c, [](struct ifreq& r, const proto::Interface& i) { r.ifr_mtu = static_cast<int>(i.mtu); });
}
Outcome get_metric(const Call& c) {
    // Linux never stores a metric.
    return device_get(c, [](struct ifreq& r, const proto::Interface&) { r.ifr_metric = 0; });
}
Outcome get_index(const Call& c) {
    return device_get(c, [](struct ifreq& r, const proto::Interface& i) { r.ifr_ifindex = static_cast<int>(i.index); });
}
Outcome get_txqlen(const Call& c) {
    return device_get(c, [](struct ifreq& r, const proto::Interface& i) { r.ifr_qlen = static_cast<int>(i.txqlen); });
}
Outcome get_map(const Call& c) {
    // A TAP has no I/O map. Field by field, as dev_ifsioc_locked does: the
    // struct's padding keeps the caller's bytes.
    return device_get(c, [](struct ifreq& r, const proto::Interface&) {
        r.ifr_map.mem_start = 0;
        r.ifr_map.mem_end = 0;
        r.ifr_map.base_addr = 0;
        r.ifr_map.irq = 0;
        r.ifr_map.dma = 0;
        r.ifr_map.port = 0;
    });
}

Outcome get_hwaddr(const Call& c) {
    // dev_get_mac_address: the family is the device type; bytes past the
    // address length are left as the caller passed them.
    return device_get(c, [](struct ifreq& r, const proto::Interface& i) {
        const size_t room = sizeof r.ifr_hwaddr.sa_data;
        if (i.lladdr.empty()) std::memset(r.ifr_hwaddr.sa_data, 0, room);
        else std::memcpy(r.ifr_hwaddr.sa_data, i.lladdr.data(), std::min(room, i.lladdr.size()));
        r.ifr_hwaddr.sa_family = static_cast<sa_family_t>(i.hw_type);
    });
}

Outcome get_name(const Call& c) {
    struct ifreq r;
    std::memcpy(&r, c.arg, sizeof r);
    if (r.ifr_ifindex <= 0) return to_kernel();
    const Lookup l = lookup(InterfaceRef::by_index(static_cast<uint32_t>(r.ifr_ifindex)), false);
    if (l.reach != Reach::Managed) return to_kernel();
    r.ifr_name[IFNAMSIZ - 1] = 0;
    std::strcpy(r.ifr_name, l.rec.name.c_str());
    return give_back(c, r);
}

Outcome set_mtu(const Call& c) {
    const struct ifreq r = load(c);
    const IfName n = name_of(r);
    // A negative MTU reaches the kernel's range check as a huge one: EINVAL either way.
    const auto mtu = static_cast<uint32_t>(r.ifr_mtu);
    return send_change(n, [&](Connection& conn) { return conn.set_mtu(InterfaceRef::by_name(n.dev), mtu); })
        .value_or(to_kernel());
}

// dev_change_flags takes the 16-bit word as given: changeable bits from the
// request, the rest kept. On an AF_INET socket, "dev:N" without IFF_UP deletes
// the alias address with that label instead (devinet_ioctl).
Outcome set_flags(const Call& c) {
    const struct ifreq r = load(c);
    const IfName n = name_of(r);
    const auto flags = static_cast<uint32_t>(static_cast<uint16_t>(r.ifr_flags));
    if (c.domain == AF_INET && n.alias) {
        Lookup l;
        if (!managed(n, l, Need::Addresses)) return to_kernel();
        if (!l.rec.may_change) return answered(EPERM);
        const proto::Address* a = find_by_label(l.rec, n.full, nullptr);
        if (!a) return answered(EADDRNOTAVAIL);
        if (flags & IFF_UP) return answered();
        return answered(swap_address(n.dev, a, nullptr));
    }
    return send_change(n, [&](Connection& conn) { return conn.set_flags(InterfaceRef::by_name(n.dev), flags, 0xffff); })
        .value_or(to_kernel());
}

Outcome set_metric(const Call& c) {
    const struct ifreq r = load(c);
    Lookup l;
    if (!managed(name_of(r), l)) return to_kernel();
    return answered(l.rec.may_change ? EOPNOTSUPP : EPERM);
}

Outcome set_txqlen(const Call& c) {
    const struct ifreq r = load(c);
    const IfName n = name_of(r);
    if (r.ifr_qlen < 0) {  // checked by dev_ifsioc after privilege and lookup
        Lookup l;
        if (!managed(n, l)) return to_kernel();
        return answered(l.rec.may_change ? EINVAL : EPERM);
    }
    const auto qlen = static_cast<uint32_t>(r.ifr_qlen);
    return send_change(n, [&](Connection& conn) { return conn.set_txqlen(InterfaceRef::by_name(n.dev), qlen); })
        .value_or(to_kernel());
}

Outcome set_hwaddr(const Call& c) {
    const struct ifreq r = load(c);
    const IfName n = name_of(r);
    Lookup l;
    if (!managed(n, l)) return to_kernel();
    if (!l.rec.may_change) return answered(EPERM);
    if (r.ifr_hwaddr.sa_family != l.rec.hw_type) return answered(EINVAL);  // dev_set_mac_address
    const size_t len = std::min(l.rec.lladdr.size(), sizeof r.ifr_hwaddr.sa_data);
    std::vector<uint8_t> mac(r.ifr_hwaddr.sa_data, r.ifr_hwaddr.sa_data + len);
    return answered(errno_of(change([&](Connection& conn) { return conn.set_lladdr(InterfaceRef::by_name(n.dev), mac); })));
}

Outcome set_name(const Call& c) {
    struct ifreq r = load(c);
    const IfName n = name_of(r);
    r.ifr_newname[IFNAMSIZ - 1] = 0;  // dev_ifsioc truncates the new name to 15 characters
    const std::string new_name(r.ifr_newname);
    if (!proto::new_ifname_problem(new_name).empty()) {  // dev_get_valid_name refuses it, after privilege and lookup
        Lookup l;
        if (!managed(n, l)) return to_kernel();
        return answered(l.rec.may_change ? EINVAL : EPERM);
    }
    auto out = send_change(n, [&](Connection& conn) { return conn.rename(InterfaceRef::by_name(n.dev), new_name); });
    if (!out) return to_kernel();
    if (out->err) return *out;
    return give_back(c, r);  // SIOCSIFNAME is in dev_ioctl's "return a value" group
}

Outcome multicast(const Call& c, bool add) {
    const struct ifreq r = load(c);
    const IfName n = name_of(r);
    if (r.ifr_hwaddr.sa_family != AF_UNSPEC) {  // dev_ifsioc: after privilege and lookup
        Lookup l;
        if (!managed(n, l)) return to_kernel();
        return answered(l.rec.may_change ? EINVAL : EPERM);
    }
    std::array<uint8_t, 6> mac;
    std::memcpy(mac.data(), r.ifr_hwaddr.sa_data, mac.size());
    return send_change(n, [&](Connection& conn) {
               return add ? conn.multi_add(InterfaceRef::by_name(n.dev), mac) : conn.multi_del(InterfaceRef::by_name(n.dev), mac);
           })
        .value_or(to_kernel());
}
Outcome add_multi(const Call& c) { return multicast(c, true); }
Outcome del_multi(const Call& c) { return multicast(c, false); }

// SIOCGIFCONF: one 40-byte entry per IPv4 address, named by its label, in
// device then address order; a NULL buffer asks for the size (dev_ifconf).
// Whole entries only, as many as fit.
Outcome give_conf(const Call& c, const struct ifconf& ifc, std::span<const uint8_t> entries) {
    constexpr size_t size = sizeof(struct ifreq);
    const size_t room = ifc.ifc_len < 0 ? 0 : static_cast<size_t>(ifc.ifc_len) / size * size;
    const int fit = static_cast<int>(std::min(entries.size(), room));
    const int total = ifc.ifc_buf ? fit : static_cast<int>(entries.size());
    if (ifc.ifc_buf && fit > 0) std::memcpy(ifc.ifc_buf, entries.data(), static_cast<size_t>(fit));
    std::memcpy(static_cast<char*>(c.arg) + offsetof(struct ifconf, ifc_len), &total, sizeof total);
    return answered();
}

Outcome get_conf(const Call& c) {
    struct ifconf ifc;
    std::memcpy(&ifc, c.arg, sizeof ifc);
    // A socket of the daemon's namespace gets the kernel's answer (the kernel
    // lists the socket's namespace): the daemon publishes the kernel's own
    // bytes in the snapshot, device order and all; without them the kernel is
    // asked. A socket of another namespace gets the daemon's list.
    std::span<const uint8_t> published;
    switch (kernel_conf(c.netns ? c.netns : socket_netns(c.fd), published)) {
        case Conf::Published: return give_conf(c, ifc, published);
        case Conf::Kernel: return to_kernel();
        case Conf::DaemonList: break;
    }
    const ConfEntries* entries = conf_entries(kConfLinux, [](std::span<const proto::Interface> all, ConfEntries& out) {
        for (const proto::Interface& i : all)
            for (const proto::Address& a : i.addresses) {
                if (a.family != AF_INET) continue;
                struct ifreq e {};
                std::strncpy(e.ifr_name, a.label.c_str(), IFNAMSIZ - 1);
                write_sockaddr_in(&e.ifr_addr, v4(a));
                out.add(&e, sizeof e);
            }
    });
    if (!entries) return to_kernel();
    return give_conf(c, ifc, {reinterpret_cast<const uint8_t*>(entries->bytes.data()), entries->bytes.size()});
}

// ---- IPv4 address requests (devinet_ioctl; AF_INET sockets only) -----------

// Shared opening of the four gets: socket family, lookup, then the address.
Outcome get_inet(const Call& c, uint32_t (*pick)(const proto::Address&)) {
    if (c.domain != AF_INET) return to_kernel();  // the kernel answers ENOTTY
    struct ifreq r = load(c);
    const IfName n = name_of(r);
    Lookup l;
    if (!managed(n, l, Need::Addresses)) return to_kernel();
    const proto::Address* a = find_by_label(l.rec, n.full, &r.ifr_addr);
    if (!a) return answered(EADDRNOTAVAIL);
    write_sockaddr_in(&r.ifr_addr, pick(*a));
    return give_back(c, r);
}
Outcome get_addr(const Call& c) { return get_inet(c, v4); }
Outcome get_dstaddr(const Call& c) { return get_inet(c, peer_or_local); }
Outcome get_brdaddr(const Call& c) { return get_inet(c, broadcast_of); }
Outcome get_netmask(const Call& c) {
    return get_inet(c, [](const proto::Address& a) { return prefix_to_mask(a.prefix); });
}

// Shared opening of the four sets: privilege, family, lookup, as devinet_ioctl orders them.
struct InetSet {
    Outcome early;  // set when the request is already decided
    bool decided = false;
    IfName name;
    Lookup l;
    uint32_t value = 0;
    const proto::Address* slot = nullptr;
};

InetSet open_inet_set(const Call& c, bool needs_slot) {
    InetSet s;
    auto decide = [&](Outcome o) {
        s.early = o;
        s.decided = true;
        return s;
    };
    if (c.domain != AF_INET) return decide(to_kernel());
    const struct ifreq r = load(c);
    s.name = name_of(r);
    if (!managed(s.name, s.l, Need::Addresses)) return decide(to_kernel());
    if (!s.l.rec.may_change) return decide(answered(EPERM));
    if (r.ifr_addr.sa_family != AF_INET) return decide(answered(EINVAL));
    s.value = read_sockaddr_in(&r.ifr_addr);
    s.slot = find_by_label(s.l.rec, s.name.full, nullptr);
    if (needs_slot && !s.slot) return decide(answered(EADDRNOTAVAIL));
    return s;
}

Outcome set_addr(const Call& c) {
    InetSet s = open_inet_set(c, false);
    if (s.decided) return s.early;
    const int classful = classful_prefix(s.value);
    if (classful < 0) return answered(EINVAL);  // class D
    if (s.slot && v4(*s.slot) == s.value) return answered();
    const std::string label = s.slot ? s.slot->label : s.name.alias ? s.name.full : s.name.dev;
    if (s.value == 0)  // 0.0.0.0 removes the address (inet_set_ifa frees it)
        return answered(s.slot ? swap_address(s.name.dev, s.slot, nullptr) : 0);
    unsigned prefix = 32;
    uint32_t broadcast = 0;
    if (!(s.l.rec.flags & IFF_POINTOPOINT)) {
        prefix = static_cast<unsigned>(classful);
        if ((s.l.rec.flags & IFF_BROADCAST) && prefix < 31) broadcast = s.value | ~prefix_to_mask(prefix);
    }
    const proto::Address next = inet_address(s.value, prefix, broadcast, s.value, label);
    return answered(swap_address(s.name.dev, s.slot, &next));
}

Outcome set_netmask(const Call& c) {
    InetSet s = open_inet_set(c, true);
    if (s.decided) return s.early;
    if (noncontiguous(s.value)) return answered(EINVAL);
    const proto::Address& old = *s.slot;
    const uint32_t old_mask = prefix_to_mask(old.prefix);
    if (old_mask == s.value) return answered();
    const unsigned prefix = mask_to_prefix(s.value);
    uint32_t broadcast = broadcast_of(old);
    // Only a broadcast address that still matches the old mask follows the new one.
    if ((s.l.rec.flags & IFF_BROADCAST) && prefix < 31 && broadcast == (v4(old) | ~old_mask))
        broadcast = v4(old) | ~s.value;
    const proto::Address next = inet_address(v4(old), prefix, broadcast, peer_or_local(old), old.label);
    return answered(swap_address(s.name.dev, &old, &next));
}

Outcome set_brdaddr(const Call& c) {
    InetSet s = open_inet_set(c, true);
    if (s.decided) return s.early;
    const proto::Address& old = *s.slot;
    if (broadcast_of(old) == s.value) return answered();
    const proto::Address next = inet_address(v4(old), old.prefix, s.value, peer_or_local(old), old.label);
    return answered(swap_address(s.name.dev, &old, &next));
}

Outcome set_dstaddr(const Call& c) {
    InetSet s = open_inet_set(c, true);
    if (s.decided) return s.early;
    const proto::Address& old = *s.slot;
    if (peer_or_local(old) == s.value) return answered();
    if (classful_prefix(s.value) < 0) return answered(EINVAL);
    const proto::Address next = inet_address(v4(old), old.prefix, broadcast_of(old), s.value, old.label);
    return answered(swap_address(s.name.dev, &old, &next));
}

// ---- IPv6 addresses: struct in6_ifreq on an AF_INET6 socket (addrconf) ------

// <linux/ipv6.h>'s struct in6_ifreq; that header cannot be mixed with <net/if.h>.
struct In6Ifreq {
    struct in6_addr ifr6_addr;
    uint32_t ifr6_prefixlen;
    int ifr6_ifindex;
};

Outcome inet6_change(const Call& c, bool add) {
    if (c.domain != AF_INET6) return to_kernel();  // SIOCDIFADDR elsewhere: ENOTTY; SIOCSIFADDR: IPv4
    In6Ifreq r;
    std::memcpy(&r, c.arg, sizeof r);
    if (r.ifr6_ifindex <= 0) return to_kernel();
    const Lookup l = lookup(InterfaceRef::by_index(static_cast<uint32_t>(r.ifr6_ifindex)), false);
    if (l.reach != Reach::Managed) return to_kernel();
    if (!l.rec.may_change) return answered(EPERM);
    if (r.ifr6_prefixlen > 128) return answered(EINVAL);
    proto::Address a;
    a.family = AF_INET6;
    std::memcpy(a.local.data(), &r.ifr6_addr, 16);
    a.prefix = static_cast<uint8_t>(r.ifr6_prefixlen);
    const InterfaceRef t = InterfaceRef::by_index(l.rec.index);
    return answered(errno_of(change([&](Connection& conn) { return add ? conn.addr_add(t, a) : conn.addr_del(t, a); })));
}

Outcome set_addr_any(const Call& c) { return c.domain == AF_INET6 ? inet6_change(c, true) : set_addr(c); }
Outcome del_addr6(const Call& c) { return inet6_change(c, false); }

// One row per request.
constexpr RequestRow kLinux[] = {
    {SIOCGIFCONF, "SIOCGIFCONF", get_conf, true},
    {SIOCGIFFLAGS, "SIOCGIFFLAGS", get_flags},
    {SIOCSIFFLAGS, "SIOCSIFFLAGS", set_flags},
    {SIOCGIFADDR, "SIOCGIFADDR", get_addr},
    {SIOCSIFADDR, "SIOCSIFADDR", set_addr_any},
    {SIOCDIFADDR, "SIOCDIFADDR", del_addr6},
    {SIOCGIFNETMASK, "SIOCGIFNETMASK", get_netmask},
    {SIOCSIFNETMASK, "SIOCSIFNETMASK", set_netmask},
    {SIOCGIFBRDADDR, "SIOCGIFBRDADDR", get_brdaddr},
    {SIOCSIFBRDADDR, "SIOCSIFBRDADDR", set_brdaddr},
    {SIOCGIFDSTADDR, "SIOCGIFDSTADDR", get_dstaddr},
    {SIOCSIFDSTADDR, "SIOCSIFDSTADDR", set_dstaddr},
    {SIOCGIFMTU, "SIOCGIFMTU", get_mtu},
    {SIOCSIFMTU, "SIOCSIFMTU", set_mtu},
    {SIOCGIFHWADDR, "SIOCGIFHWADDR", get_hwaddr},
    {SIOCSIFHWADDR, "SIOCSIFHWADDR", set_hwaddr},
    {SIOCGIFINDEX, "SIOCGIFINDEX", get_index},
    {SIOCGIFNAME, "SIOCGIFNAME", get_name},
    {SIOCSIFNAME, "SIOCSIFNAME", set_name},
    {SIOCGIFMETRIC, "SIOCGIFMETRIC", get_metric},
    {SIOCSIFMETRIC, "SIOCSIFMETRIC", set_metric},
    {SIOCGIFTXQLEN, "SIOCGIFTXQLEN", get_txqlen},
    {SIOCSIFTXQLEN, "SIOCSIFTXQLEN", set_txqlen},
    {SIOCGIFMAP, "SIOCGIFMAP", get_map},
    {SIOCADDMULTI, "SIOCADDMULTI", add_multi},
    {SIOCDELMULTI, "SIOCDELMULTI", del_multi},
};

}  // namespace

const RequestRow* linux_requests(unsigned long request) { return find_row(kLinux, request); }

}  // namespace ifctl::ioctl_layer
