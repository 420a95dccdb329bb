// The per-client parts of the BSD personality, on the daemon's per-client
// operations (docs/protocol.md): FlagRef, PerClient multicast, SetCaps and
// the records' CapsSupported/CapsEnabled, LiveRename. See bsd_ops.hpp.
#include "bsd_ops.hpp"

#include <linux/if_tun.h>
#include <net/if.h>

#include <cerrno>

#include "daemon_ops.hpp"
#include "ifreq_common.hpp"

#define IFCTL_COMPAT_NO_FLAG_NAMES
#include "ifctl/compat.h"

namespace ifctl::ioctl_layer {
namespace {

// TUN_F_* offloads of a TAP and the IFCAP_* bits that mean the same (§12.2):
// the TAP reader accepting frames without checksums is the interface's
// transmit checksum offload; TSO likewise. The rest has no IFCAP counterpart.
struct CapPair {
    uint32_t tun;
    uint32_t ifcap;
};
constexpr CapPair kCaps[] = {
    {TUN_F_CSUM, IFCAP_TXCSUM | IFCAP_TXCSUM_IPV6},
    {TUN_F_TSO4, IFCAP_TSO4},
    {TUN_F_TSO6, IFCAP_TSO6},
};

uint32_t to_ifcap(uint32_t tun) {
    uint32_t out = 0;
    for (const CapPair& p : kCaps)
        if (tun & p.tun) out |= p.ifcap;
    return out;
}

}  // namespace

int set_flag_refs(const proto::Interface& rec, const FlagChange& fc) {
    const client::InterfaceRef t = client::InterfaceRef::by_index(rec.index);
    const struct {
        uint32_t flag;
        bool on;
    } refs[] = {{IFF_PROMISC, fc.promisc}, {IFF_ALLMULTI, fc.allmulti}};
    for (const auto& r : refs)
        if (int e = change_errno(change([&](client::Connection& c) { return c.flag_ref(t, r.flag, r.on); }))) return e;
    return 0;
}

client::Result rename_live(client::Connection& c, const client::InterfaceRef& t, const std::string& to) {
    return c.rename(t, to, true);
}

client::Result multi_per_client(client::Connection& c, const client::InterfaceRef& t, const std::array<uint8_t, 6>& mac, bool add) {
    return add ? c.multi_add(t, mac, true) : c.multi_del(t, mac, true);
}

uint32_t caps_supported(const proto::Interface& rec) { return to_ifcap(rec.caps_supported); }
uint32_t caps_enabled(const proto::Interface& rec) { return to_ifcap(rec.caps_enabled); }

client::Result set_caps(client::Connection& c, const client::InterfaceRef& t, uint32_t ifcap) {
    uint32_t tun = 0;
    for (const CapPair& p : kCaps)
        if (ifcap & p.ifcap) tun |= p.tun;
    return c.set_caps(t, tun);
}

}  // namespace ifctl::ioctl_layer
