// The mark every TAP ifctld manages carries in the kernel, whatever its name:
// link group kManagedLinkGroup (IFLA_GROUP, sysfs netdev_group). udev matches
// it (unmanaged/85-ifctl-unmanaged.rules) to keep NetworkManager and
// systemd-networkd off the TAP, and `ip link show group 26982` lists them.
// Set right after TUNSETIFF registers the TAP (the daemon's next netlink
// request), before udev has read the new device's attributes, and again at re-adoption (a TAP made by an older
// ifctld, or moved to another group behind the daemon's back).
#pragma once

#include <cstdint>

#include "daemon/kernel/kernel.hpp"

namespace ifctl::daemon {

inline constexpr uint32_t kManagedLinkGroup = 0x6966;  // "if"

// 0 or -errno.
inline int mark_managed(Kernel& nl, uint32_t index) {
    LinkChange c;
    c.group = kManagedLinkGroup;
    return nl.change_link(index, c);
}

}  // namespace ifctl::daemon
