// systemd's file descriptor store (sd_pid_notify_with_fds, FDSTORE=1): each
// managed TAP's own queue descriptor is handed to the service manager, which
// keeps it while ifctld restarts or after it crashes and passes it back at the
// next start (sd_listen_fds_with_names). A queue that stays open keeps the
// TAP's carrier up, so a restart is not seen on the wire. Without systemd
// ($NOTIFY_SOCKET unset) these are no-ops. docs/persistence.md explains why
// both this and IFF_PERSIST are used.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "daemon/kernel/unique_fd.hpp"

namespace ifctl::daemon {

// "tap-<unique id>": the name under which a TAP's queue is stored.
std::string fdstore_name(uint64_t unique_id);

void fdstore_put(uint64_t unique_id, int fd);
void fdstore_remove(uint64_t unique_id);

// What systemd passed at start: the listening socket (or -1) and the stored
// TAP queues by unique id. Descriptors that are neither are closed.
struct PassedFds {
    int listen_fd = -1;
    std::map<uint64_t, UniqueFd> taps;
};
PassedFds take_passed_fds();

}  // namespace ifctl::daemon
