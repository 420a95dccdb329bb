// The process-wide connection ifctl_ioctl uses: opened on first use, reopened
// after fork (a child must not share its parent's request stream; fork holds the
// lock so a child never inherits it taken) and after the daemon restarts. Calls
// are serialised, so any thread may use it.
#pragma once

#include <functional>

#include "libifctl/src/connection.hpp"
#include "notes.hpp"

namespace ifctl::ioctl_layer {

enum class Link {
    Ok,        // fn ran on a live connection
    NoDaemon,  // nothing answers on the socket: fn did not run
    Broken,    // the connection broke while fn ran (daemon restarted): fn's request may or may not have been applied
};

// Runs `fn` with a live connection. `fn` returns false when the connection
// broke under it; the connection is then dropped and the next call opens a new one.
Link with_daemon(const std::function<bool(client::Connection&)>& fn);

// Whether the daemon runs in this process's network namespace, as found when
// the connection was opened: the daemon's pid from SO_PEERCRED, then its
// namespace mark (protocol/netns_mark.hpp) or, for a daemon without one,
// /proc/PID/ns/net against /proc/self/ns/net. Opens the connection if there is
// none. False when no daemon answers or it cannot be told (the daemon in
// another pid namespace; no mark and no ptrace rights over the daemon).
bool daemon_in_our_netns();

}  // namespace ifctl::ioctl_layer
