// The BSD personality: FreeBSD's interface requests and 4.4BSD's address
// requests, on Linux's structures (the program compiles with the system's
// <net/if.h>; <ifctl/compat.h> adds the names Linux lacks). Every interface the
// daemon sees is answered here, never by the kernel: reads of any of them,
// changes of the ones it manages (others: EPERM). docs/semantics.md lists each
// rule with the matrix section (reference/ioctl-semantics.md) it follows.
#include <linux/if_addr.h>
#include <net/if_arp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "flags.hpp"
#include "unix_family.hpp"
#include "inet_rules.hpp"
#include "bsd_ops.hpp"
#include "conf_entries.hpp"
#include "ifconf_layout.hpp"

#define IFCTL_COMPAT_NO_FLAG_NAMES
#include "ifctl/compat.h"

namespace ifctl::ioctl_layer {
namespace {

using client::Connection;
using client::InterfaceRef;

// FreeBSD IF_MINMTU / IF_MAXMTU (net/if_var.h), §7.
constexpr int kMinMtu = 72;
constexpr int kMaxMtu = 65535;
// FreeBSD IF_MAXUNIT: the largest unit a cloner gives (§12.1).
constexpr unsigned long kMaxUnit = 0x7fff;


// ---- interface requests (ifhwioctl) --------------------------------------------

uint32_t bsd_flags(const proto::Interface& i) { return bsd_flags_from_linux(i.flags, i.hw_type == ARPHRD_ETHER); }

Outcome get_flags(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    const uint32_t f = bsd_flags(d.l.rec);
    d.r.ifr_flags = static_cast<short>(f & 0xffff);
    ifctl_set_ifr_flagshigh(&d.r, static_cast<int>(f >> 16));
    return give_back(c, d.r);
}

Outcome set_flags(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    const uint32_t word = static_cast<uint16_t>(d.r.ifr_flags) | static_cast<uint32_t>(ifctl_ifr_flagshigh(&d.r)) << 16;
    const FlagChange fc = bsd_flags_to_linux(word);
    // A down keeps the global IPv6 addresses, as on BSD (KeepInet6).
    if (int e = send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.set_flags(t, fc.flags, fc.mask, true); }))
        return answered(e);
    return answered(set_flag_refs(d.l.rec, fc));
}

Outcome set_mtu(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    const int mtu = d.r.ifr_mtu;
    if (mtu < kMinMtu || mtu > kMaxMtu) return answered(EINVAL);
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.set_mtu(t, static_cast<uint32_t>(mtu)); }));
}

// FreeBSD if_rename: the new name is a string the caller points at from
// ifr_data (copyinstr, IFNAMSIZ); nothing is written back (_IOW).
Outcome set_name(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    std::string to;
    if (int e = copy_in_string(d.r.ifr_data, IFNAMSIZ, to)) return answered(e);
    // Empty is FreeBSD's EINVAL; '%' would be a Linux unit pattern, not a name.
    if (to.empty() || to.find('%') != std::string::npos) return answered(EINVAL);
    if (to == d.l.rec.name) return answered();
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return rename_live(conn, t, to); }));
}

// SIOCGIFDATA: the if_data of the interface, from the kernel's counters.
Outcome get_data(const Call& c) {
    Dev d = open_dev(c, Need::Addresses);  // a full record carries the statistics
    if (d.err) return answered(d.err);
    if (!d.r.ifr_data) return answered(EFAULT);
    const proto::Interface& i = d.l.rec;
    struct if_data out {};
    out.ifi_type = i.hw_type == ARPHRD_ETHER ? IFT_ETHER : i.hw_type == ARPHRD_LOOPBACK ? IFT_LOOP : IFT_OTHER;
    out.ifi_addrlen = static_cast<uint8_t>(std::min<size_t>(i.lladdr.size(), 255));
    out.ifi_hdrlen = i.hw_type == ARPHRD_ETHER ? 14 : 0;
    out.ifi_link_state = i.carrier ? LINK_STATE_UP : LINK_STATE_DOWN;
    out.ifi_datalen = sizeof out;
    out.ifi_mtu = i.mtu;
    out.ifi_metric = static_cast<uint32_t>(i.metric);
    out.ifi_ipackets = i.stats.rx_packets;
    out.ifi_ierrors = i.stats.rx_errors;
    out.ifi_opackets = i.stats.tx_packets;
    out.ifi_oerrors = i.stats.tx_errors;
    out.ifi_collisions = i.stats.collisions;
    out.ifi_ibytes = i.stats.rx_bytes;
    out.ifi_obytes = i.stats.tx_bytes;
    out.ifi_imcasts = i.stats.multicast;
    out.ifi_iqdrops = i.stats.rx_dropped;
    out.ifi_oqdrops = i.stats.tx_dropped;
    out.ifi_lastchange.tv_sec = static_cast<time_t>(i.change_time_ms / 1000);
    out.ifi_lastchange.tv_usec = static_cast<suseconds_t>(i.change_time_ms % 1000 * 1000);
    std::memcpy(d.r.ifr_data, &out, sizeof out);
    return answered();
}

// ---- cloning (if_clone.c) -------------------------------------------------------

// "tap" or "tapN" (N decimal, no leading zero, at most IF_MAXUNIT); anything
// else matches no cloner (EINVAL), a unit too large is ENOSPC (§12.1).
int cloner_name(const std::string& name, std::string& create_as) {
    if (name.rfind("tap", 0) != 0) return EINVAL;
    const std::string unit = name.substr(3);
    if (unit.empty()) {
        create_as = "tap%d";
        return 0;
    }
    if (!std::all_of(unit.begin(), unit.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return EINVAL;
    if (unit.size() > 1 && unit[0] == '0') return EINVAL;
    if (unit.size() > 5 || std::stoul(unit) > kMaxUnit) return ENOSPC;
    create_as = name;
    return 0;
}

Outcome clone_create(const Call& c) {
    struct ifreq r = load(c);
    const IfName n = name_of(r);
    std::string as;
    if (int e = cloner_name(n.full, as)) return answered(e);
    proto::Interface made;
    const Sent s = change([&](Connection& conn) { return conn.create(as, client::CreateOptions{}, made); });
    if (int e = errno_of(s)) return answered(e);
    // The unit the daemon picked goes back to the caller (SIOCIFCREATE is _IOWR).
    std::memset(r.ifr_name, 0, IFNAMSIZ);
    std::memcpy(r.ifr_name, made.name.data(), std::min<size_t>(made.name.size(), IFNAMSIZ - 1));
    return give_back(c, r);
}

Outcome clone_destroy(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (!d.l.rec.managed) return answered(EINVAL);  // not made by a cloner (if_clone_destroy)
    return answered(send(d, [](Connection& conn, const InterfaceRef& t) { return conn.destroy(t); }));
}

// ---- SIOCGIFCONF (ifconf) ---------------------------------------------------------

// Appends one entry: the name, then the address, in the size the layout gives
// an address of its family (compat.h's IFCTL_IFCONF_ENTRY_SIZE, the same
// arithmetic the program's _SIZEOF_ADDR_IFREQ does): §13. An address longer
// than its entry keeps its first bytes: in the ifreq layout an inet6 entry
// holds family, port, flow information and the whole sin6_addr, not
// sin6_scope_id (docs/semantics.md).
void add_entry(ConfEntries& out, ifctl_ifconf_layout_t layout, const std::string& name, const void* sa,
               sa_family_t family, size_t sa_len) {
    const size_t size = IFCTL_IFCONF_ENTRY_SIZE(layout, family);
    char entry[IFNAMSIZ + sizeof(struct sockaddr_in6)] = {};
    static_assert(sizeof entry >= sizeof(struct ifreq));
    std::memcpy(entry, name.data(), std::min<size_t>(name.size(), IFNAMSIZ - 1));
    std::memcpy(entry + IFNAMSIZ, sa, std::min(sa_len, size - IFNAMSIZ));
    out.add(entry, size);
}

// The link-level entry, fitted in 16 bytes: the name is in ifr_name already
// (sdl_nlen 0), the address follows the header (§2.2, §15.2).
struct sockaddr_dl link_address(const proto::Interface& i) {
    struct sockaddr_dl dl {};
    dl.sdl_family = AF_LINK;
    dl.sdl_index = static_cast<unsigned short>(i.index);
    dl.sdl_type = i.hw_type == ARPHRD_ETHER ? IFT_ETHER : i.hw_type == ARPHRD_LOOPBACK ? IFT_LOOP : IFT_OTHER;
    if (i.lladdr.size() <= sizeof dl.sdl_data) {
        dl.sdl_alen = static_cast<unsigned char>(i.lladdr.size());
        // std::copy, not memcpy: an interface without a link-level address has
        // an empty vector whose data() may be null.
        std::copy(i.lladdr.begin(), i.lladdr.end(), reinterpret_cast<unsigned char*>(dl.sdl_data));
    }
    return dl;
}

Outcome get_conf(const Call& c) {
    struct ifconf ifc;
    std::memcpy(&ifc, c.arg, sizeof ifc);
    // No size query: a length of 0 or less is EINVAL, a NULL buffer EFAULT (§13).
    if (ifc.ifc_len <= 0) return answered(EINVAL);
    if (!ifc.ifc_buf) return answered(EFAULT);
    const ifctl_ifconf_layout_t layout = layout_in_force(c.layout);
    const ConfEntries* entries = conf_entries(conf_kind_bsd(layout), [&](std::span<const proto::Interface> all,
                                                                         ConfEntries& out) {
        for (const proto::Interface& i : all) {
            const struct sockaddr_dl dl = link_address(i);
            add_entry(out, layout, i.name, &dl, AF_LINK, sizeof dl);
            for (const proto::Address& a : i.addresses) {
                if (a.family == AF_INET) {
                    struct sockaddr_in sin {};
                    sin.sin_family = AF_INET;
                    std::memcpy(&sin.sin_addr, a.local.data(), 4);
                    add_entry(out, layout, i.name, &sin, AF_INET, sizeof sin);
                } else if (a.family == AF_INET6) {
                    struct sockaddr_in6 sin6 {};
                    sin6.sin6_family = AF_INET6;
                    std::memcpy(&sin6.sin6_addr, a.local.data(), 16);
                    if (IN6_IS_ADDR_LINKLOCAL(&sin6.sin6_addr)) sin6.sin6_scope_id = i.index;
                    add_entry(out, layout, i.name, &sin6, AF_INET6, sizeof sin6);
                }
            }
        }
    });
    if (!entries) return answered(ENXIO);
    const int used = entries->copy_into(ifc.ifc_buf, ifc.ifc_len);
    std::memcpy(static_cast<char*>(c.arg) + offsetof(struct ifconf, ifc_len), &used, sizeof used);
    return answered();
}

// ---- IPv4 addresses (4.4BSD in_control; SIOCAIFADDR/SIOCDIFADDR FreeBSD) ------

// Address requests belong to the socket's protocol (pr_control): only an
// AF_INET socket has them; any other has none (EOPNOTSUPP).
int need_inet(const Call& c) { return c.domain == AF_INET ? 0 : EOPNOTSUPP; }

// The address whose sin_addr equals the one in `sa`, else the first (FreeBSD
// in_control_ioctl, §5.2). Only the four address bytes are compared, never
// sa_family: a program that reused its ifreq for SIOCGIFFLAGS or SIOCGIFMTU has
// overwritten the family bytes but not the address.
const proto::Address* named_or_first(const proto::Interface& rec, const struct sockaddr* sa) {
    const uint32_t want = read_sockaddr_in(sa);
    for (const proto::Address& a : rec.addresses)
        if (a.family == AF_INET && v4(a) == want) return &a;
    return first_inet(rec);
}

Outcome get_inet(const Call& c, uint32_t (*pick)(const proto::Address&), uint32_t needs_flag) {
    Dev d = open_dev(c, Need::Addresses);
    if (d.err) return answered(d.err);
    if (int e = need_inet(c)) return answered(e);
    const proto::Address* a = named_or_first(d.l.rec, &d.r.ifr_addr);
    if (!a) return answered(EADDRNOTAVAIL);
    // BRDADDR without IFF_BROADCAST, DSTADDR without IFF_POINTOPOINT: EINVAL (§5.2, §15.7).
    if (needs_flag && !(d.l.rec.flags & needs_flag)) return answered(EINVAL);
    write_sockaddr_in(&d.r.ifr_addr, pick(*a));
    return give_back(c, d.r);
}
Outcome get_addr(const Call& c) { return get_inet(c, v4, 0); }
Outcome get_netmask(const Call& c) {
    return get_inet(c, [](const proto::Address& a) { return prefix_to_mask(a.prefix); }, 0);
}
Outcome get_brdaddr(const Call& c) { return get_inet(c, broadcast_of, IFF_BROADCAST); }
Outcome get_dstaddr(const Call& c) { return get_inet(c, peer_or_local, IFF_POINTOPOINT); }

// The broadcast address 4.4BSD in_ifinit and FreeBSD in_aifaddr_ioctl compute:
// subnet | ~mask on a broadcast interface; /31 uses 255.255.255.255 (RFC 3021).
uint32_t bsd_broadcast(const proto::Interface& rec, uint32_t local, unsigned prefix) {
    if (!(rec.flags & IFF_BROADCAST)) return 0;
    if (prefix == 31) return 0xffffffffu;
    return local | ~prefix_to_mask(prefix);
}

// The opening of the 4.4BSD sets: lookup, socket, privilege, the first address.
struct InetSet {
    Dev d;
    int err = 0;
    const proto::Address* first = nullptr;
    uint32_t value = 0;
};
InetSet open_set(const Call& c) {
    InetSet s{open_dev(c, Need::Addresses)};
    if ((s.err = s.d.err)) return s;
    if ((s.err = need_inet(c))) return s;
    if ((s.err = refused(s.d))) return s;
    s.first = first_inet(s.d.l.rec);
    s.value = read_sockaddr_in(&s.d.r.ifr_addr);
    return s;
}

// SIOCSIFADDR (4.4BSD): the first address changes; an existing netmask is
// kept, else the classful one; broadcast recomputed (§5.1). 0.0.0.0 removes it.
Outcome set_addr(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (s.d.r.ifr_addr.sa_family != AF_INET) return answered(EINVAL);
    const proto::Interface& rec = s.d.l.rec;
    if (s.value == 0) {
        if (!s.first) return answered();
        return answered(send(s.d, [&](Connection& conn, const InterfaceRef& t) { return conn.addr_del(t, *s.first); }));
    }
    int prefix = s.first ? s.first->prefix : classful_prefix(s.value);
    if (prefix < 0) return answered(EINVAL);  // class D: no classful mask, and not a host address
    if (rec.flags & IFF_POINTOPOINT) prefix = 32;
    const auto p = static_cast<unsigned>(prefix);
    // A point-to-point destination already set stays.
    const uint32_t peer = s.first && s.first->peer ? peer_or_local(*s.first) : s.value;
    const proto::Address next = inet_address(s.value, p, bsd_broadcast(rec, s.value, p), peer, s.first ? s.first->label : rec.name);
    if (s.first && *s.first == next) return answered();
    return answered(put_address(s.d, s.first, &next));
}

// SIOCSIFNETMASK (4.4BSD): only the mask changes; broadcast stays until the
// next SIOCSIFADDR (§5.3). Linux keeps a prefix length: a mask that is not
// contiguous cannot be held (EINVAL).
Outcome set_netmask(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (!s.first) return answered(EADDRNOTAVAIL);
    if (noncontiguous(s.value)) return answered(EINVAL);
    const proto::Address& old = *s.first;
    if (prefix_to_mask(old.prefix) == s.value) return answered();
    const proto::Address next = inet_address(v4(old), mask_to_prefix(s.value), broadcast_of(old), peer_or_local(old), old.label);
    return answered(put_address(s.d, &old, &next));
}

// SIOCSIFBRDADDR (4.4BSD): needs an address, then IFF_BROADCAST (§5.4).
Outcome set_brdaddr(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (!s.first) return answered(EADDRNOTAVAIL);
    if (!(s.d.l.rec.flags & IFF_BROADCAST)) return answered(EINVAL);
    const proto::Address& old = *s.first;
    if (broadcast_of(old) == s.value) return answered();
    const proto::Address next = inet_address(v4(old), old.prefix, s.value, peer_or_local(old), old.label);
    return answered(put_address(s.d, &old, &next));
}

// SIOCSIFDSTADDR (4.4BSD): point-to-point interfaces only (§5.5).
Outcome set_dstaddr(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (!s.first) return answered(EADDRNOTAVAIL);
    if (!(s.d.l.rec.flags & IFF_POINTOPOINT)) return answered(EINVAL);
    const proto::Address& old = *s.first;
    if (peer_or_local(old) == s.value) return answered();
    const proto::Address next = inet_address(v4(old), old.prefix, 0, s.value, old.label);
    return answered(put_address(s.d, &old, &next));
}

// SIOCAIFADDR (FreeBSD in_aifaddr_ioctl, §9): add, or change an address the
// interface already has. An absent mask is classful; an absent broadcast is
// computed.
Outcome add_alias(const Call& c) {
    struct ifaliasreq q;
    std::memcpy(&q, c.arg, sizeof q);
    const Dev d = open_named(q.ifra_name, Need::Addresses);
    if (d.err) return answered(d.err);
    if (int e = need_inet(c)) return answered(e);
    if (int e = refused(d)) return answered(e);
    auto present = [](const struct sockaddr& sa) { return sa.sa_family != AF_UNSPEC; };
    if (q.ifra_addr.sa_family != AF_INET) return answered(EINVAL);
    if ((present(q.ifra_broadaddr) && q.ifra_broadaddr.sa_family != AF_INET) ||
        (present(q.ifra_mask) && q.ifra_mask.sa_family != AF_INET))
        return answered(EINVAL);
    if (q.ifra_vhid != 0) return answered(EPROTONOSUPPORT);  // no CARP
    const proto::Interface& rec = d.l.rec;
    const uint32_t local = read_sockaddr_in(&q.ifra_addr);
    const bool p2p = rec.flags & IFF_POINTOPOINT;
    const uint32_t other = present(q.ifra_broadaddr) ? read_sockaddr_in(&q.ifra_broadaddr) : 0;
    if (p2p && other == 0) return answered(EDESTADDRREQ);
    int prefix;
    if (present(q.ifra_mask)) {
        const uint32_t mask = read_sockaddr_in(&q.ifra_mask);
        if (noncontiguous(mask)) return answered(EINVAL);  // Linux holds a prefix length
        prefix = static_cast<int>(mask_to_prefix(mask));
    } else {
        prefix = classful_prefix(local);
        if (prefix < 0) return answered(EINVAL);
    }
    if (p2p) prefix = 32;
    const auto p = static_cast<unsigned>(prefix);
    const uint32_t broadcast = p2p ? 0 : other ? other : bsd_broadcast(rec, local, p);
    const proto::Address* old = nullptr;
    for (const proto::Address& a : rec.addresses)
        if (a.family == AF_INET && v4(a) == local) old = &a;
    const proto::Address next = inet_address(local, p, broadcast, p2p ? other : local, old ? old->label : rec.name);
    if (old && *old == next) return answered();
    return answered(put_address(d, old, &next));
}

// SIOCDIFADDR (FreeBSD in_difaddr_ioctl, §9): the address whose sin_addr
// equals ifr_addr's, whatever the family bytes hold (as for the gets); else,
// with no address given (not AF_INET, or 0.0.0.0), the first one.
Outcome del_alias(const Call& c) {
    Dev d = open_dev(c, Need::Addresses);
    if (d.err) return answered(d.err);
    if (int e = need_inet(c)) return answered(e);
    if (int e = refused(d)) return answered(e);
    const proto::Address* victim = nullptr;
    const uint32_t want = read_sockaddr_in(&d.r.ifr_addr);
    for (const proto::Address& a : d.l.rec.addresses)
        if (a.family == AF_INET && v4(a) == want) victim = &a;
    if (!victim && (d.r.ifr_addr.sa_family != AF_INET || want == 0)) victim = first_inet(d.l.rec);
    if (!victim) return answered(EADDRNOTAVAIL);
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.addr_del(t, *victim); }));
}

// ---- IPv6 addresses (FreeBSD in6_control / in6_update_ifa) -----------------------

const proto::Address* find_inet6(const proto::Interface& rec, const struct in6_addr& want) {
    for (const proto::Address& a : rec.addresses)
        if (a.family == AF_INET6 && std::memcmp(a.local.data(), &want, 16) == 0) return &a;
    return nullptr;
}

int prefix_of_mask6(const struct in6_addr& m) {
    int n = 0;
    bool ended = false;
    for (uint8_t byte : m.s6_addr)
        for (int bit = 7; bit >= 0; --bit) {
            const bool one = byte >> bit & 1;
            if (one && ended) return -1;  // not contiguous
            if (one) ++n;
            else ended = true;
        }
    return n;
}

// SIOCAIFADDR_IN6: add or change an IPv6 address. Lifetimes are not kept: Linux
// addresses set this way are permanent.
Outcome add_alias6(const Call& c) {
    struct in6_aliasreq q;
    std::memcpy(&q, c.arg, sizeof q);
    const Dev d = open_named(q.ifra_name, Need::Addresses);
    if (d.err) return answered(d.err);
    if (c.domain != AF_INET6) return answered(EOPNOTSUPP);
    if (int e = refused(d)) return answered(e);
    if (q.ifra_addr.sin6_family != AF_INET6) return answered(EINVAL);
    const proto::Address* old = find_inet6(d.l.rec, q.ifra_addr.sin6_addr);
    int prefix = old ? old->prefix : 128;  // no mask: the existing one, else a host address
    if (q.ifra_prefixmask.sin6_family == AF_INET6) prefix = prefix_of_mask6(q.ifra_prefixmask.sin6_addr);
    else if (q.ifra_prefixmask.sin6_family != AF_UNSPEC) return answered(EINVAL);
    if (prefix < 0) return answered(EINVAL);
    proto::Address next;
    next.family = AF_INET6;
    std::memcpy(next.local.data(), &q.ifra_addr.sin6_addr, 16);
    next.prefix = static_cast<uint8_t>(prefix);
    if (old && old->prefix == next.prefix) return answered();
    return answered(put_address(d, old, &next));
}

// The address an in6_ifreq names (in6_control): ifr_addr must be AF_INET6 and
// one of the interface's; a link-local one may carry its zone in sin6_scope_id,
// which must then be this interface's index. Anything else names none
// (EADDRNOTAVAIL), except a zone that is no interface at all: ENXIO, as
// sa6_embedscope answers before the address is looked for.
int named_inet6(const proto::Interface& rec, const struct sockaddr_in6& sa, const proto::Address*& out) {
    out = nullptr;
    if (sa.sin6_family != AF_INET6) return EADDRNOTAVAIL;
    const uint32_t zone = sa.sin6_scope_id;
    if (IN6_IS_ADDR_LINKLOCAL(&sa.sin6_addr) && zone != 0 && zone != rec.index) {
        const Reach r = lookup(InterfaceRef::by_index(zone), false).reach;
        return r == Reach::Managed || r == Reach::Unmanaged ? EADDRNOTAVAIL : ENXIO;
    }
    out = find_inet6(rec, sa.sin6_addr);
    return out ? 0 : EADDRNOTAVAIL;
}

// The opening of the in6_ifreq requests: lookup (ENXIO), the socket (only
// AF_INET6 has them: EOPNOTSUPP), EPERM for the delete, the address named.
struct In6Req {
    Dev d;
    struct ifctl_in6_ifreq q {};
    const proto::Address* a = nullptr;
    int err = 0;
};
In6Req open_in6(const Call& c, bool change) {
    In6Req r;
    std::memcpy(&r.q, c.arg, sizeof r.q);
    r.d = open_named(r.q.ifr_name, Need::Addresses);
    if ((r.err = r.d.err)) return r;
    if (c.domain != AF_INET6) {
        r.err = EOPNOTSUPP;
        return r;
    }
    if (change && (r.err = refused(r.d))) return r;
    r.err = named_inet6(r.d.l.rec, r.q.ifr_ifru.ifru_addr, r.a);
    return r;
}

// SIOCDIFADDR_IN6: only the address named, never "the first" (in6_control).
Outcome del_alias6(const Call& c) {
    const In6Req r = open_in6(c, true);
    if (r.err) return answered(r.err);
    return answered(send(r.d, [&](Connection& conn, const InterfaceRef& t) { return conn.addr_del(t, *r.a); }));
}

struct sockaddr_in6 sockaddr6(const uint8_t* bytes, uint32_t scope) {
    struct sockaddr_in6 sa {};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, bytes, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&sa.sin6_addr)) sa.sin6_scope_id = scope;  // sa6_recoverscope
    return sa;
}

// Linux IFA_F_* → FreeBSD IN6_IFF_*. Linux's optimistic, home-address and
// permanent bits have no FreeBSD counterpart; FreeBSD's anycast, detached and
// autoconf have no Linux one.
int in6_flags(uint32_t linux_flags) {
    constexpr std::pair<uint32_t, int> kMap[] = {
        {IFA_F_TENTATIVE, IN6_IFF_TENTATIVE},   {IFA_F_DADFAILED, IN6_IFF_DUPLICATED},
        {IFA_F_DEPRECATED, IN6_IFF_DEPRECATED}, {IFA_F_NODAD, IN6_IFF_NODAD},
        {IFA_F_TEMPORARY, IN6_IFF_TEMPORARY},
    };
    int out = 0;
    for (auto [from, to] : kMap)
        if (linux_flags & from) out |= to;
    return out;
}

// The five gets (in6_control): the address named, else EADDRNOTAVAIL; the
// whole in6_ifreq is written back with the answer in its union.
Outcome get_in6(const Call& c, unsigned long request) {
    In6Req r = open_in6(c, false);
    if (r.err) return answered(r.err);
    const proto::Address& a = *r.a;
    const uint32_t index = r.d.l.rec.index;
    auto& u = r.q.ifr_ifru;
    if (request == SIOCGIFADDR_IN6) {
        u.ifru_addr = sockaddr6(a.local.data(), index);
    } else if (request == SIOCGIFDSTADDR_IN6) {
        if (!(r.d.l.rec.flags & IFF_POINTOPOINT)) return answered(EINVAL);
        u.ifru_dstaddr = a.peer ? sockaddr6(a.peer->data(), index) : sockaddr_in6{};
    } else if (request == SIOCGIFNETMASK_IN6) {
        std::array<uint8_t, 16> mask{};
        for (unsigned i = 0; i < a.prefix && i < 128; ++i) mask[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
        u.ifru_addr = sockaddr6(mask.data(), 0);
    } else if (request == SIOCGIFAFLAG_IN6) {
        u.ifru_flags6 = in6_flags(a.flags);
    } else {  // SIOCGIFALIFETIME_IN6
        // The record carries no lifetimes: a permanent address (IFA_F_PERMANENT:
        // infinite valid lifetime) reads as infinite, its preferred lifetime 0
        // once deprecated; any other reads 0 (docs/semantics.md).
        u.ifru_lifetime = {};
        if (a.flags & IFA_F_PERMANENT) {
            u.ifru_lifetime.ia6t_vltime = ND6_INFINITE_LIFETIME;
            u.ifru_lifetime.ia6t_pltime = a.flags & IFA_F_DEPRECATED ? 0 : ND6_INFINITE_LIFETIME;
        }
    }
    std::memcpy(c.arg, &r.q, sizeof r.q);
    return answered();
}
Outcome get_addr6(const Call& c) { return get_in6(c, SIOCGIFADDR_IN6); }
Outcome get_dstaddr6(const Call& c) { return get_in6(c, SIOCGIFDSTADDR_IN6); }
Outcome get_netmask6(const Call& c) { return get_in6(c, SIOCGIFNETMASK_IN6); }
Outcome get_aflag6(const Call& c) { return get_in6(c, SIOCGIFAFLAG_IN6); }
Outcome get_alifetime6(const Call& c) { return get_in6(c, SIOCGIFALIFETIME_IN6); }

// ---- multicast (ifhwioctl, if_addmulti, if_delmulti; §11) ------------------------

Outcome multicast(const Call& c, bool add) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    if (!(d.l.rec.flags & IFF_MULTICAST)) return answered(EOPNOTSUPP);
    if (d.r.ifr_addr.sa_family != AF_LINK) return answered(EINVAL);
    struct sockaddr_dl dl;
    std::memcpy(&dl, &d.r.ifr_addr, sizeof dl);
    std::array<uint8_t, 6> mac{};
    if (dl.sdl_alen != mac.size() || dl.sdl_nlen + mac.size() > sizeof dl.sdl_data) return answered(EADDRNOTAVAIL);
    std::memcpy(mac.data(), LLADDR(&dl), mac.size());
    // ether_resolvemulti: only group addresses (§11).
    if (add && !(mac[0] & 1)) return answered(EADDRNOTAVAIL);
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return multi_per_client(conn, t, mac, add); }));
}
Outcome add_multi(const Call& c) { return multicast(c, true); }
Outcome del_multi(const Call& c) { return multicast(c, false); }

// ---- capabilities (ifhwioctl SIOCGIFCAP/SIOCSIFCAP; §12.2) -----------------------

Outcome get_cap(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    d.r.ifr_reqcap = static_cast<int>(caps_supported(d.l.rec));
    d.r.ifr_curcap = caps_enabled(d.l.rec);
    return give_back(c, d.r);
}

Outcome set_cap(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    const auto want = static_cast<uint32_t>(d.r.ifr_reqcap);
    if (want & ~caps_supported(d.l.rec)) return answered(EINVAL);
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return set_caps(conn, t, want); }));
}

constexpr RequestRow kBsd[] = {
    {SIOCGIFCONF, "SIOCGIFCONF", get_conf},
    {SIOCGIFFLAGS, "SIOCGIFFLAGS", get_flags},
    {SIOCSIFFLAGS, "SIOCSIFFLAGS", set_flags},
    {SIOCGIFADDR, "SIOCGIFADDR", get_addr},
    {SIOCSIFADDR, "SIOCSIFADDR", set_addr},
    {SIOCGIFNETMASK, "SIOCGIFNETMASK", get_netmask},
    {SIOCSIFNETMASK, "SIOCSIFNETMASK", set_netmask},
    {SIOCGIFBRDADDR, "SIOCGIFBRDADDR", get_brdaddr},
    {SIOCSIFBRDADDR, "SIOCSIFBRDADDR", set_brdaddr},
    {SIOCGIFDSTADDR, "SIOCGIFDSTADDR", get_dstaddr},
    {SIOCSIFDSTADDR, "SIOCSIFDSTADDR", set_dstaddr},
    {SIOCAIFADDR, "SIOCAIFADDR", add_alias},
    {SIOCDIFADDR, "SIOCDIFADDR", del_alias},
    {SIOCAIFADDR_IN6, "SIOCAIFADDR_IN6", add_alias6},
    {SIOCDIFADDR_IN6, "SIOCDIFADDR_IN6", del_alias6},
    {SIOCGIFADDR_IN6, "SIOCGIFADDR_IN6", get_addr6},
    {SIOCGIFDSTADDR_IN6, "SIOCGIFDSTADDR_IN6", get_dstaddr6},
    {SIOCGIFNETMASK_IN6, "SIOCGIFNETMASK_IN6", get_netmask6},
    {SIOCGIFAFLAG_IN6, "SIOCGIFAFLAG_IN6", get_aflag6},
    {SIOCGIFALIFETIME_IN6, "SIOCGIFALIFETIME_IN6", get_alifetime6},
    {SIOCGIFMTU, "SIOCGIFMTU", get_mtu_common},
    {SIOCSIFMTU, "SIOCSIFMTU", set_mtu},
    {SIOCGIFMETRIC, "SIOCGIFMETRIC", get_metric_common},
    {SIOCSIFMETRIC, "SIOCSIFMETRIC", set_metric_common},
    {SIOCGIFINDEX, "SIOCGIFINDEX", get_index_common},
    {SIOCSIFNAME, "SIOCSIFNAME", set_name},
    {SIOCADDMULTI, "SIOCADDMULTI", add_multi},
    {SIOCDELMULTI, "SIOCDELMULTI", del_multi},
    {SIOCGIFCAP, "SIOCGIFCAP", get_cap},
    {SIOCSIFCAP, "SIOCSIFCAP", set_cap},
    {SIOCGIFDATA, "SIOCGIFDATA", get_data},
    {SIOCIFCREATE, "SIOCIFCREATE", clone_create},
    {SIOCIFDESTROY, "SIOCIFDESTROY", clone_destroy},
};

}  // namespace

const RequestRow* bsd_requests(unsigned long request) { return find_row(kBsd, request); }

}  // namespace ifctl::ioctl_layer
