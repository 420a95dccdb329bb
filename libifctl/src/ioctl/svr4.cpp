// The SVR4 personality: the if(7) request set with illumos' rules (the SVR4
// page gives no errnos; the matrix takes them from illumos ip_if.c). Each IPv4
// address is a logical interface, "tap0", "tap0:1", ... (logical_names.hpp).
// Every interface the daemon sees is answered here; see docs/semantics.md.
#include <net/if_arp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "bsd_ops.hpp"
#include "conf_entries.hpp"
#include "flags.hpp"
#include "unix_family.hpp"
#include "inet_rules.hpp"
#include "logical_names.hpp"

#define IFCTL_COMPAT_NO_FLAG_NAMES
#include "ifctl/compat.h"

namespace ifctl::ioctl_layer {
namespace {

using client::Connection;
using client::InterfaceRef;

// ip_sioctl_mtu: the IPv4 minimum (§7).
constexpr int kMinMtu = 68;


// ---- interface requests ------------------------------------------------------------

Outcome get_flags(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    d.r.ifr_flags = static_cast<short>(svr4_flags_from_linux(d.l.rec.flags));
    return give_back(c, d.r);
}

// ip_sioctl_flags: low 16 bits, IFF_CANTCHANGE kept (§3.3). A logical
// interface has no up/down of its own on Linux: the device's flags change.
Outcome set_flags(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    const FlagChange fc = svr4_flags_to_linux(static_cast<uint16_t>(d.r.ifr_flags));
    // A down keeps the IPv6 addresses, as illumos does (KeepInet6).
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.set_flags(t, fc.flags, fc.mask, true); }));
}

Outcome set_mtu(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    const int mtu = d.r.ifr_mtu;
    if (mtu < kMinMtu) return answered(EINVAL);  // above: the TAP's maximum, the kernel's EINVAL
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.set_mtu(t, static_cast<uint32_t>(mtu)); }));
}

// SIOCGENADDR: the Ethernet address in ifr_enaddr (offset 16, 6 bytes).
Outcome get_enaddr(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (d.l.rec.lladdr.size() != 6) return answered(EINVAL);  // not an Ethernet-like interface
    std::memcpy(d.r.ifr_enaddr, d.l.rec.lladdr.data(), 6);
    return give_back(c, d.r);
}

// SIOCSIFNAME: ifr_name names the interface, as in every if(7) request, and
// ifr_oname ("other if name") carries the new one, inline.
Outcome set_name(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (d.name.alias) return answered(EINVAL);  // a logical interface is not renamed alone
    if (int e = refused(d)) return answered(e);
    d.r.ifr_oname[IFNAMSIZ - 1] = 0;
    const std::string to(d.r.ifr_oname);
    if (to.empty() || to.find('%') != std::string::npos || to.find(':') != std::string::npos) return answered(EINVAL);
    if (to == d.l.rec.name) return answered();
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return rename_live(conn, t, to); }));
}

// ---- SIOCGIFCONF / SIOCGIFNUM (ip_sioctl_get_ifconf) ---------------------------------

// One entry per logical interface (logical_names.hpp), by unit: unit 0 with
// 0.0.0.0 when it has no address (§13).
template <typename Each>
void each_logical(std::span<const proto::Interface> all, Each each) {
    thread_local std::vector<LogicalIf> logical;  // one vector for the whole walk
    for (const proto::Interface& i : all) {
        logical_interfaces(i, logical);
        for (const LogicalIf& l : logical) each(l.name, l.address ? v4(*l.address) : 0u);
    }
}

Outcome get_conf(const Call& c) {
    struct ifconf ifc;
    std::memcpy(&ifc, c.arg, sizeof ifc);
    const ConfEntries* entries = conf_entries(kConfSvr4, [](std::span<const proto::Interface> all, ConfEntries& out) {
        each_logical(all, [&](const std::string& name, uint32_t addr) {
            struct ifreq e {};
            std::memcpy(e.ifr_name, name.data(), std::min<size_t>(name.size(), IFNAMSIZ - 1));
            write_sockaddr_in(&e.ifr_addr, addr);
            out.add(&e, sizeof e);
        });
    });
    if (!entries) return answered(ENXIO);
    // Whole entries only, and no error when none fits; an entry that fits is
    // copied out, to NULL a fault.
    if (!ifc.ifc_buf) return answered(entries->fitting(ifc.ifc_len) > 0 ? EFAULT : 0);
    const int used = entries->copy_into(ifc.ifc_buf, ifc.ifc_len);
    std::memcpy(static_cast<char*>(c.arg) + offsetof(struct ifconf, ifc_len), &used, sizeof used);
    return answered();
}

Outcome get_num(const Call& c) {
    std::span<const proto::Interface> all;
    if (!list_all(all)) return answered(ENXIO);
    int n = 0;
    each_logical(all, [&](const std::string&, uint32_t) { ++n; });
    std::memcpy(c.arg, &n, sizeof n);
    return answered();
}

// ---- IPv4 addresses (ip_sioctl_addr and friends) -------------------------------------

// The old ifreq requests are IPv4's: on an IPv6 socket the interface is not
// found (ENXIO, §4); on a socket that is not IP there is no such request (EINVAL).
int need_inet(const Call& c) {
    if (c.domain == AF_INET) return 0;
    return c.domain == AF_INET6 ? ENXIO : EINVAL;
}

// The logical interface's address (logical_names.hpp); null for unit 0
// without one, or a "tap0:N" that does not exist yet.
const proto::Address* logical(const Dev& d) {
    const std::vector<LogicalIf> all = logical_interfaces(d.l.rec);
    const LogicalIf* l = find_logical(all, d.name.full);
    return l ? l->address : nullptr;
}

Outcome get_inet(const Call& c, uint32_t (*pick)(const proto::Address&), uint32_t needs_flag) {
    Dev d = open_dev(c, Need::Addresses);
    if (d.err) return answered(d.err);
    if (int e = need_inet(c)) return answered(e);
    const proto::Address* a = logical(d);
    if (!a && d.name.alias) return answered(ENXIO);  // no such logical interface
    // BRDADDR without IFF_BROADCAST, DSTADDR on a non point-to-point: EADDRNOTAVAIL (§5.2).
    if (needs_flag && !(d.l.rec.flags & needs_flag)) return answered(EADDRNOTAVAIL);
    // Unit 0 exists without an address: it reads 0.0.0.0, no error (§5.2).
    write_sockaddr_in(&d.r.ifr_addr, a ? pick(*a) : 0);
    return give_back(c, d.r);
}
Outcome get_addr(const Call& c) { return get_inet(c, v4, 0); }
Outcome get_netmask(const Call& c) {
    return get_inet(c, [](const proto::Address& a) { return prefix_to_mask(a.prefix); }, 0);
}
Outcome get_brdaddr(const Call& c) { return get_inet(c, broadcast_of, IFF_BROADCAST); }
Outcome get_dstaddr(const Call& c) { return get_inet(c, peer_or_local, IFF_POINTOPOINT); }

struct InetSet {
    Dev d;
    int err = 0;
    const proto::Address* slot = nullptr;
    uint32_t value = 0;
};
// The opening of the sets: lookup, socket, privilege, family (EAFNOSUPPORT).
// Only SIOCSIFADDR may name a logical interface that does not exist yet.
InetSet open_set(const Call& c, Logical may = Logical::MustExist) {
    InetSet s{open_dev(c, Need::Addresses, may)};
    if ((s.err = s.d.err)) return s;
    if ((s.err = need_inet(c))) return s;
    if ((s.err = refused(s.d))) return s;
    if (s.d.r.ifr_addr.sa_family != AF_INET) {
        s.err = EAFNOSUPPORT;
        return s;
    }
    s.slot = logical(s.d);
    s.value = read_sockaddr_in(&s.d.r.ifr_addr);
    return s;
}

uint32_t subnet_broadcast(const proto::Interface& rec, uint32_t local, unsigned prefix) {
    if (!(rec.flags & IFF_BROADCAST) || prefix >= 31) return 0;
    return local | ~prefix_to_mask(prefix);
}

// ip_addr_ok_v4: no multicast, limited broadcast or class E as a local address.
bool unusable(uint32_t a) { return a != 0 && (classful_prefix(a) < 0 || classful_prefix(a) == 32); }

// SIOCSIFADDR: the named logical interface gets the address; its netmask is
// kept if it had one, else the natural mask; broadcast recomputed (§5.1).
// 0.0.0.0 leaves the logical interface without an address.
Outcome set_addr(const Call& c) {
    InetSet s = open_set(c, Logical::MayMake);
    if (s.err) return answered(s.err);
    if (unusable(s.value)) return answered(EADDRNOTAVAIL);
    const proto::Interface& rec = s.d.l.rec;
    if (s.value == 0) return answered(s.slot ? put_address(s.d, s.slot, nullptr) : 0);
    unsigned prefix = s.slot ? s.slot->prefix : static_cast<unsigned>(classful_prefix(s.value));
    if (rec.flags & IFF_POINTOPOINT) prefix = 32;
    const uint32_t peer = s.slot && s.slot->peer ? peer_or_local(*s.slot) : s.value;
    const proto::Address next = inet_address(s.value, prefix, subnet_broadcast(rec, s.value, prefix), peer, s.d.name.full);
    if (s.slot && *s.slot == next) return answered();
    return answered(put_address(s.d, s.slot, &next));
}

// SIOCSIFNETMASK: no contiguity rule in illumos, but Linux holds a prefix
// length, so a mask that is not contiguous is refused the SVR4 way.
Outcome set_netmask(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (!s.slot || noncontiguous(s.value)) return answered(EADDRNOTAVAIL);
    const proto::Address& old = *s.slot;
    const unsigned prefix = mask_to_prefix(s.value);
    if (old.prefix == prefix) return answered();
    const proto::Address next =
        inet_address(v4(old), prefix, subnet_broadcast(s.d.l.rec, v4(old), prefix), peer_or_local(old), old.label);
    return answered(put_address(s.d, &old, &next));
}

// SIOCSIFBRDADDR: IFF_BROADCAST needed (EADDRNOTAVAIL, §5.4).
Outcome set_brdaddr(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (!(s.d.l.rec.flags & IFF_BROADCAST) || !s.slot) return answered(EADDRNOTAVAIL);
    const proto::Address& old = *s.slot;
    if (broadcast_of(old) == s.value) return answered();
    const proto::Address next = inet_address(v4(old), old.prefix, s.value, peer_or_local(old), old.label);
    return answered(put_address(s.d, &old, &next));
}

// SIOCSIFDSTADDR: any logical interface takes a destination (illumos turns a
// broadcast one into point-to-point; on Linux the address gets a peer, §5.5).
Outcome set_dstaddr(const Call& c) {
    InetSet s = open_set(c);
    if (s.err) return answered(s.err);
    if (unusable(s.value) || !s.slot) return answered(EADDRNOTAVAIL);
    const proto::Address& old = *s.slot;
    if (peer_or_local(old) == s.value) return answered();
    const proto::Address next = inet_address(v4(old), old.prefix, 0, s.value, old.label);
    return answered(put_address(s.d, &old, &next));
}

constexpr RequestRow kSvr4[] = {
    {SIOCGIFCONF, "SIOCGIFCONF", get_conf},
    {SIOCGIFNUM, "SIOCGIFNUM", get_num},
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
    {SIOCGIFMTU, "SIOCGIFMTU", get_mtu_common},
    {SIOCSIFMTU, "SIOCSIFMTU", set_mtu},
    {SIOCGIFMETRIC, "SIOCGIFMETRIC", get_metric_common},
    {SIOCSIFMETRIC, "SIOCSIFMETRIC", set_metric_common},
    {SIOCGIFINDEX, "SIOCGIFINDEX", get_index_common},
    {SIOCSIFNAME, "SIOCSIFNAME", set_name},
    {SIOCGENADDR, "SIOCGENADDR", get_enaddr},
};

}  // namespace

const RequestRow* svr4_requests(unsigned long request) { return find_row(kSvr4, request); }

}  // namespace ifctl::ioctl_layer
