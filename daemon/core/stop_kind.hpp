// Whether a stop is for good or for a restart. A restart (`systemctl restart`,
// a package upgrade, Restart= after a crash) must not be seen on the wire, so
// it destroys nothing; only a stop for good removes the non-persistent TAPs
// nobody holds a queue of (docs/persistence.md, "Stops and restarts").
//
// The signal does not say which it is: systemd sends SIGTERM for both. Under
// systemd the daemon asks the service manager, over its private bus, which job
// its unit is running: "stop" (systemctl stop, disable --now, shutdown) is for
// good; "restart" or none (ifctld killed by hand) is not. Outside systemd a
// stop keeps everything unless [daemon] on_stop = "destroy".
#pragma once

#include <string>

namespace ifctl::daemon {

// on_stop: "auto", "keep" or "destroy" ([daemon] on_stop).
bool stop_is_for_good(const std::string& on_stop);

// The type of the job systemd runs on the unit of this process ("stop",
// "restart", ...), "" when there is none, or an error message starting with
// "?" when it cannot be asked (not under systemd, bus unreachable).
std::string own_unit_job();

}  // namespace ifctl::daemon
