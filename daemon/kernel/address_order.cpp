// Where the kernel puts an address in an interface's list, and so where the
// view puts it on the event that announces it. The dumps list each family's
// addresses in their list order (inet_dump_ifaddr walks in_dev->ifa_list,
// in6_dump_addrs walks idev->addr_list), inet ones first.
//
// Removal: both lists unlink the one entry (__inet_del_ifa, ipv6_del_addr),
// the others keep their order. An inet primary's removal with
// promote_secondaries moves the promoted secondary behind the last primary and
// announces it with RTM_NEWADDR without IFA_F_SECONDARY, after the
// RTM_DELADDR: that event finds the address listed as a secondary, and the
// list is read again.
//
// A listed address announced again (IPv6 DAD done, lifetimes, a replace) is
// changed where it is: no path relinks an entry without removing it first,
// except the promotion above, which changes IFA_F_SECONDARY.
//
// A new address:
// - the only one of its family: at that family's place;
// - inet, secondary (__inet_insert_ifa found a primary of its subnet): at the
//   tail of the inet list; a new inet primary goes behind the last primary of
//   a scope not below its own, which the view cannot tell (it does not keep
//   scopes): read again;
// - inet6: ipv6_link_dev_addr keeps the list in decreasing scope, a new one
//   in front of the first of a scope not above its own; the scope follows
//   from the address (__ipv6_addr_type), known here for the usual prefixes.
#include "daemon/kernel/address_order.hpp"

#include <linux/if_addr.h>
#include <sys/socket.h>

#include <algorithm>
#include <optional>

namespace ifctl::daemon {

namespace {

// The kernel's identity of an address of an interface, or a narrower one
// (more events read the list again, none is placed wrong).
bool same_address(const proto::Address& x, const proto::Address& y) {
    return x.same_local(y) && x.prefix == y.prefix && x.peer == y.peer;
}

bool secondary(const proto::Address& a) { return a.flags & IFA_F_SECONDARY; }

// The IPv6 source scope (IPV6_ADDR_SCOPE_*) of the prefixes whose scope
// __ipv6_addr_type gives by their leading bits alone; nullopt for the rest.
std::optional<int> inet6_scope(const proto::Address& a) {
    const uint8_t b0 = a.local[0], b1 = a.local[1];
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) return 0x2;  // fe80::/10, link-local
    if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) return 0x5;  // fec0::/10, site-local
    if ((b0 & 0xfe) == 0xfc) return 0xe;                 // fc00::/7, unique local: global scope
    if ((b0 & 0xe0) != 0x00 && (b0 & 0xe0) != 0xe0) return 0xe;  // 2000::/3 to c000::/3, global
    return std::nullopt;
}

using Position = std::optional<std::vector<proto::Address>::iterator>;

// Where a new address enters the list, if the kernel's rule can be followed.
Position new_address_place(std::vector<proto::Address>& list, const proto::Address& a) {
    auto first_inet6 = std::find_if(list.begin(), list.end(), [](const proto::Address& x) { return x.family == AF_INET6; });
    if (a.family == AF_INET) {
        if (first_inet6 == list.begin() || secondary(a)) return first_inet6;
        return std::nullopt;
    }
    if (first_inet6 == list.end()) return list.end();
    const std::optional<int> scope = inet6_scope(a);
    if (!scope) return std::nullopt;
    for (auto it = first_inet6; it != list.end(); ++it) {
        const std::optional<int> s = inet6_scope(*it);
        if (!s) return std::nullopt;
        if (*scope >= *s) return it;
    }
    return list.end();
}

}  // namespace

bool apply_address_event(std::vector<proto::Address>& list, AddressEvent event, const proto::Address& a) {
    auto listed = std::find_if(list.begin(), list.end(), [&](const proto::Address& x) { return same_address(x, a); });
    if (event == AddressEvent::Removed) {
        if (listed == list.end()) return false;
        list.erase(listed);
        return true;
    }
    if (listed != list.end()) {
        if (secondary(*listed) != secondary(a)) return false;
        *listed = a;
        return true;
    }
    // Another entry of the same local address (another prefix): not a rule above.
    if (std::any_of(list.begin(), list.end(), [&](const proto::Address& x) { return x.same_local(a); })) return false;
    const Position at = new_address_place(list, a);
    if (!at) return false;
    list.insert(*at, a);
    return true;
}

}  // namespace ifctl::daemon
