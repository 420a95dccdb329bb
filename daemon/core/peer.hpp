// Who is on the other end of a connection: read once, at accept (SO_PEERCRED,
// SO_PEERGROUPS, /proc/PID/comm). Later requests are judged by this, not by
// whatever the process becomes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ifctl::daemon {

struct Peer {
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    pid_t pid = 0;
    std::vector<gid_t> groups;  // supplementary groups at connect time
    std::string comm;           // program name from /proc/PID/comm, for the audit log
    uint64_t client = 0;  // this connection, numbered from 1 at accept: whose references are whose

    bool is_root() const { return uid == 0; }
    // The primary group or one of the supplementary ones.
    bool in_group(gid_t g) const;
    // "uid=1000 pid=42 comm=qemu"
    std::string describe() const;
};

// Reads the credentials of a connected Unix socket. Returns -errno on failure.
int read_peer(int fd, Peer& out);

}  // namespace ifctl::daemon
