#include "peer.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

namespace ifctl::daemon {

namespace {

// The groups the peer had when it connected (SO_PEERGROUPS, Linux 4.13), else
// those its user is listed in (getgrouplist): the best a daemon can know.
void read_groups(int fd, Peer& out) {
    std::vector<gid_t> g(64);
    for (int tries = 0; tries < 2; ++tries) {
        socklen_t len = static_cast<socklen_t>(g.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g.data(), &len) == 0) {
            g.resize(len / sizeof(gid_t));
            out.groups = std::move(g);
            return;
        }
        if (errno != ERANGE) break;
        g.resize(len / sizeof(gid_t) + 1);  // the kernel said how much room it needs
    }
    const passwd* pw = ::getpwuid(out.uid);
    if (!pw) return;
    int n = 64;
    g.assign(static_cast<size_t>(n), 0);
    if (::getgrouplist(pw->pw_name, out.gid, g.data(), &n) < 0) {
        g.assign(static_cast<size_t>(n), 0);
        if (::getgrouplist(pw->pw_name, out.gid, g.data(), &n) < 0) return;
    }
    g.resize(static_cast<size_t>(n));
    out.groups = std::move(g);
}

}  // namespace

bool Peer::in_group(gid_t g) const { return g == gid || std::find(groups.begin(), groups.end(), g) != groups.end(); }

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
    read_groups(fd, out);
    std::ifstream comm("/proc/" + std::to_string(cred.pid) + "/comm");
    std::getline(comm, out.comm);
    return 0;
}

}  // namespace ifctl::daemon
