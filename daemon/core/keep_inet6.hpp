// BSD keeps an interface's IPv6 addresses while it is down; Linux drops them
// unless the per-device keep_addr_on_down is set, which the service's sandbox
// (ProtectKernelTunables) cannot write. So a SetFlags that takes an interface
// down with KeepInet6 notes the addresses the kernel would keep with that
// setting and re-adds, right after the down, those the kernel dropped
// (docs/semantics.md, "IPv6 addresses across down and up").
#pragma once

#include <cstdint>
#include <vector>

#include "daemon/kernel/kernel.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

// The addresses addrconf_ifdown keeps with keep_addr_on_down: IPv6, permanent
// (an infinite valid lifetime), not link-local (those come back with the up).
std::vector<proto::Address> inet6_to_keep(const proto::Interface& k);

// Re-adds each of `kept` to the interface, as it was; one the kernel kept
// anyway (EEXIST) is fine. Returns 0 or the first failure's negative errno,
// having tried them all.
int restore_inet6(Kernel& kernel, uint32_t index, const std::vector<proto::Address>& kept);

}  // namespace ifctl::daemon
