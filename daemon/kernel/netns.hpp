// Other network namespaces: naming one (a namespace file or a process) and
// doing netlink work inside it. Used to move a TAP into a container's
// namespace and re-apply its configuration there.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "daemon/kernel/unique_fd.hpp"

namespace ifctl::daemon {

// A descriptor that setns(2) accepts for the network namespace of `path`
// (an nsfs file such as /run/netns/NAME or /proc/PID/ns/net) or, when path is
// empty, of process `pid` (a pidfd). 0, or -ENOENT/-ESRCH/-EINVAL (not a
// network namespace)/-errno.
int open_netns(const std::string& path, uint32_t pid, UniqueFd& out);

// Runs `fn` on a thread that has joined that namespace (the daemon's own
// threads never leave theirs) and returns its result, or -errno if joining
// failed (-EPERM without CAP_SYS_ADMIN).
int in_netns(int ns_fd, const std::function<int()>& fn);

}  // namespace ifctl::daemon
