// Link-level multicast memberships. Netlink has no request for these, so this
// is the one place the daemon uses the SIOCADDMULTI/SIOCDELMULTI ioctls.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ifctl::daemon {

// Returns 0 or the kernel's negative errno.
int add_multicast(const std::string& ifname, const std::array<uint8_t, 6>& mac);
int delete_multicast(const std::string& ifname, const std::array<uint8_t, 6>& mac);

}  // namespace ifctl::daemon
