#include "flags.hpp"

#define IFCTL_COMPAT_NO_FLAG_NAMES
#include "ifctl/compat.h"

namespace ifctl::ioctl_layer {
namespace {

// Bits 0x1..0x200 (UP .. ALLMULTI) are shared by all four systems (§3.1).
constexpr uint32_t kShared = 0x3ff;
// The shared bits a set takes from the request: UP is acted on; DEBUG,
// NOTRAILERS and NOARP are stored by Linux too (§3.3). PROMISC and ALLMULTI
// are per-client references in the bsd personality and can't-change in svr4.
constexpr uint32_t kSettable = IFF_UP | IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP;

}  // namespace

uint32_t bsd_flags_from_linux(uint32_t lf, bool ethernet) {
    uint32_t out = lf & kShared;
    if (lf & IFF_MULTICAST) out |= IFCTL_BSD_IFF_MULTICAST;
    // FreeBSD's tap (if_tuntap.c) is IFF_SIMPLEX: it does not hear its own frames.
    if (ethernet) out |= IFCTL_BSD_IFF_SIMPLEX;
    // A promiscuous interface reports the user-level request bit too (ifhwioctl).
    if (lf & IFF_PROMISC) out |= IFCTL_BSD_IFF_PPROMISC;
    return out;
}

FlagChange bsd_flags_to_linux(uint32_t w) {
    FlagChange c;
    c.mask = kSettable;
    c.flags = w & kSettable;
    // 4.4BSD sets PROMISC directly, FreeBSD asks with PPROMISC: either takes a reference.
    c.promisc = (w & (IFF_PROMISC | IFCTL_BSD_IFF_PPROMISC)) != 0;
    c.allmulti = (w & IFF_ALLMULTI) != 0;
    // LINK0-2, MONITOR, STATICARP have no Linux counterpart: ignored. The rest
    // is IFF_CANTCHANGE or Linux-only, kept by the daemon (outside the mask).
    return c;
}

uint32_t svr4_flags_from_linux(uint32_t lf) {
    uint32_t out = lf & kShared;
    if (lf & IFF_MULTICAST) out |= IFCTL_SVR4_IFF_MULTICAST;
    return out;
}

FlagChange svr4_flags_to_linux(uint32_t w) {
    FlagChange c;
    c.mask = kSettable;
    c.flags = w & kSettable;
    return c;  // PROMISC and ALLMULTI are in illumos' IFF_CANTCHANGE: not changed
}

}  // namespace ifctl::ioctl_layer
