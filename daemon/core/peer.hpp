// Who is on the other end of a connection: read once, at accept (SO_PEERCRED).
#pragma once

#include <sys/types.h>

#include <string>

namespace ifctl::daemon {

struct Peer {
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    pid_t pid = 0;
    std::string comm;  // program name from /proc/PID/comm, for the audit log

    bool is_root() const { return uid == 0; }
    // "uid=1000 pid=42 comm=qemu"
    std::string describe() const;
};

// Reads the credentials of a connected Unix socket. Returns -errno on failure.
int read_peer(int fd, Peer& out);

}  // namespace ifctl::daemon
