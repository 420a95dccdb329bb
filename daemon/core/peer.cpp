#include "peer.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <fstream>

namespace ifctl::daemon {

std::string Peer::describe() const {
    return "uid=" + std::to_string(uid) + " pid=" + std::to_string(pid) + " comm=" + (comm.empty() ? "?" : comm);
}

int read_peer(int fd, Peer& out) {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return -errno;
    out.uid = cred.uid;
    out.gid = cred.gid;
    out.pid = cred.pid;
    std::ifstream comm("/proc/" + std::to_string(cred.pid) + "/comm");
    std::getline(comm, out.comm);
    return 0;
}

}  // namespace ifctl::daemon
