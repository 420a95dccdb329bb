// Whether the process at the other end of a daemon socket may be trusted as
// ifctld: the client checks its credentials (SO_PEERCRED) before the first
// request. A daemon is trusted when it runs as root, as the caller's own uid, or
// as the uid named by IFCTL_DAEMON_UID (a number or a user name). Anything else
// (say IFCTL_SOCKET pointing at another user's listener) is refused with EPERM:
// that user could otherwise answer requests falsely and pass descriptors.
#pragma once

#include <string>

namespace ifctl::client {

// 0 when the peer of the connected socket `fd` is trusted; else -EPERM (or the
// errno of a failed SO_PEERCRED) with `why` saying whose the socket at `path` is.
int check_daemon_trust(int fd, const std::string& path, std::string& why);

}  // namespace ifctl::client
