// The daemon's network-namespace mark: an abstract AF_UNIX datagram socket
// named "ifctld-netns-PID" (PID as the daemon sees itself), bound for the
// daemon's life, shut for reading, never used. Abstract names are private to a
// network namespace, so a client that can connect a datagram socket to the
// name made from the pid SO_PEERCRED gives it is in the daemon's namespace.
// Unlike comparing /proc/PID/ns/net, this needs no rights over the daemon's
// process. Anyone in a namespace may bind such a name; all a false mark could
// do is make a client take its own kernel's answer to SIOCGIFCONF.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdio>

namespace ifctl::proto {

// Fills `sa` with the mark's abstract address for `pid`; returns the length
// to pass to bind() or connect().
inline socklen_t netns_mark_address(pid_t pid, sockaddr_un& sa) {
    sa = {};
    sa.sun_family = AF_UNIX;
    const int n = std::snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "ifctld-netns-%ld", static_cast<long>(pid));
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + static_cast<size_t>(n));
}

}  // namespace ifctl::proto
