// Until the daemon's per-client operations are in: plain changes. See bsd_ops.hpp.
#include "bsd_ops.hpp"

#include <net/if.h>

#include <cerrno>

#include "daemon_ops.hpp"
#include "ifreq_common.hpp"

namespace ifctl::ioctl_layer {

int set_flag_refs(const proto::Interface& rec, const FlagChange& fc) {
    const client::Target t = client::Target::by_index(rec.index);
    const uint32_t flags = (fc.promisc ? uint32_t{IFF_PROMISC} : 0u) | (fc.allmulti ? uint32_t{IFF_ALLMULTI} : 0u);
    return change_errno(change([&](client::Connection& c) { return c.set_flags(t, flags, IFF_PROMISC | IFF_ALLMULTI); }));
}

int rename_live(client::Connection& c, const client::Target& t, const std::string& to) { return c.rename(t, to); }

int multi_per_client(client::Connection& c, const client::Target& t, const std::array<uint8_t, 6>& mac, bool add) {
    return add ? c.multi_add(t, mac) : c.multi_del(t, mac);
}

uint32_t caps_supported(const proto::Interface&) { return 0; }
uint32_t caps_enabled(const proto::Interface&) { return 0; }
int set_caps(client::Connection&, const client::Target&, uint32_t) { return -EOPNOTSUPP; }

}  // namespace ifctl::ioctl_layer
