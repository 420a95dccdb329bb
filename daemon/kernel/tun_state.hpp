// What the kernel says about a TAP that anyone holding one of its queues, or
// its kernel owner, can change without asking the daemon: the kernel owner and
// group (who may attach queues through /dev/net/tun), IFF_PERSIST, and the
// queue counts. Read with RTM_GETLINK (IFLA_INFO_DATA, IFLA_TUN_*), since the
// TUN driver has no ioctl that reports the owner.
#pragma once

#include <cstdint>
#include <optional>

namespace ifctl::daemon {

struct TunState {
    std::optional<uint32_t> owner, group;  // none: not set (then anyone may attach)
    bool persist = false;
    uint32_t queues = 0, queues_detached = 0;
};

// Reads the state of the TAP with index `ifindex` in the daemon's network
// namespace: 0, or a negative errno (-ENODEV if there is none, -EINVAL if it
// is not a TUN/TAP device).
int read_tun_state(uint32_t ifindex, TunState& out);

}  // namespace ifctl::daemon
