#include "listener.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "daemon/core/audit.hpp"
#include "libifctl/protocol/netns_mark.hpp"
#include "libifctl/protocol/schema.hpp"
#include "libifctl/protocol/wire.hpp"

namespace ifctl::daemon {

namespace {

std::runtime_error failure(const std::string& what, int err) {
    return std::runtime_error(what + ": " + std::strerror(err));
}

sockaddr_un socket_address(const std::string& path) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path)
        throw std::runtime_error("socket path \"" + path + "\" is empty or longer than " +
                                 std::to_string(sizeof sa.sun_path - 1) + " bytes");
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    return sa;
}

std::string user_name(uid_t uid) {
    const struct passwd* pw = ::getpwuid(uid);
    return "uid " + std::to_string(uid) + (pw ? " (" + std::string(pw->pw_name) + ")" : "");
}

// Who listens on a socket we could connect to: its process, as SO_PEERCRED
// names it, and the socket file's owner.
std::string listener_of(int probe, const struct stat& file) {
    ucred cred{};
    socklen_t len = sizeof cred;
    std::string who = "a process";
    if (::getsockopt(probe, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        who = "pid " + std::to_string(cred.pid);
        std::ifstream comm("/proc/" + std::to_string(cred.pid) + "/comm");
        if (std::string name; std::getline(comm, name) && !name.empty()) who += " (" + name + ")";
        who += " of " + user_name(cred.uid);
    }
    return who + "; the socket file belongs to " + user_name(file.st_uid);
}

// Throws if anything answers on `path` (another ifctld, or someone else's
// listener, named); removes the file if it is a dead socket.
void refuse_if_listened(const std::string& path, const sockaddr_un& sa) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) return;
    if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error(path + " exists and is not a socket; remove it or choose another --socket");
    UniqueFd probe(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (probe && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
        ucred cred{};
        socklen_t len = sizeof cred;
        const bool ours = ::getsockopt(probe.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
                          cred.uid == ::geteuid() && st.st_uid == ::geteuid();
        if (ours) throw std::runtime_error("another ifctld is already serving " + path);
        throw std::runtime_error(path + " is held by a listener that is not ifctld's: " + listener_of(probe.get(), st) +
                                 "; stop it, or choose another --socket");
    }
    spdlog::info("removing stale socket {}", path);
    ::unlink(path.c_str());
}

// Whoever may write the socket's directory may replace the socket with their
// own and receive every client's requests. A directory we create is made 0755;
// one that exists must not be writable by group or others, unless it is sticky
// (like /tmp, where nobody else may remove or rename our socket).
void check_socket_dir(const std::string& dir) {
    std::error_code ec;
    const bool created = std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
    if (created && ::chmod(dir.c_str(), 0755) < 0) throw failure("chmod " + dir, errno);
    struct stat st {};
    if (::stat(dir.c_str(), &st) < 0) throw failure("stat " + dir, errno);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw std::runtime_error("socket directory " + dir + " is writable by group or others (mode " + mode +
                                 "), so anyone could replace the socket; run \"chmod go-w " + dir +
                                 "\" or choose another --socket");
    }
}

}  // namespace

// The name the socket is made under before it is ready: the same directory
// (so that rename() moves it), or the final name itself when the longer one
// would not fit in sun_path.
std::string staging_path(const std::string& path) {
    std::string staged = path + ".new-" + std::to_string(::getpid());
    return staged.size() < sizeof(sockaddr_un{}.sun_path) ? staged : path;
}

int make_listen_socket(const SocketOptions& opts) {
    const std::filesystem::path dir = std::filesystem::path(opts.path).parent_path();
    if (!dir.empty()) check_socket_dir(dir.string());
    refuse_if_listened(opts.path, socket_address(opts.path));

    // Made under another name and renamed into place once it listens: a
    // client that sees the socket can connect to it (a script that waits for
    // the file, then runs ifctl, is never refused).
    const std::string staged = staging_path(opts.path);
    const sockaddr_un sa = socket_address(staged);
    if (staged != opts.path) ::unlink(staged.c_str());  // a leftover of a daemon of this pid that died here
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw failure("socket", errno);
    // Created 0600 and widened below, so that nobody can connect in between.
    const mode_t old = ::umask(0177);
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    const int bind_err = errno;
    ::umask(old);
    if (rc < 0) {
        ::close(fd);
        throw failure("cannot bind " + staged, bind_err);
    }
    // The group's access is settled (and logged) before the socket has its
    // name: a client that can connect finds its final mode and the daemon's
    // word on it already written.
    if (!opts.group.empty()) {
        if (const struct group* g = ::getgrnam(opts.group.c_str())) {
            if (::chown(staged.c_str(), 0, g->gr_gid) == 0 && ::chmod(staged.c_str(), 0660) == 0)
                spdlog::info("socket {} is open to group {}", opts.path, opts.group);
            else
                spdlog::warn("could not give group {} access to {}: {}", opts.group, opts.path, std::strerror(errno));
        } else {
            spdlog::warn("group {} does not exist, so only root may use {} (mode 0600); create it with "
                         "\"groupadd --system {}\", add users with \"usermod -aG {} USER\" and restart ifctld",
                         opts.group, opts.path, opts.group, opts.group);
        }
    }
    if (::listen(fd, SOMAXCONN) < 0 || (staged != opts.path && ::rename(staged.c_str(), opts.path.c_str()) < 0)) {
        const int e = errno;
        ::close(fd);
        if (staged != opts.path) ::unlink(staged.c_str());
        throw failure("listen on " + opts.path, e);
    }
    return fd;
}

Listener::Listener(boost::asio::io_context& io, int listen_fd, Dispatcher& dispatcher, const SessionLimits& limits,
                   size_t max_per_uid, size_t reserved_fds)
    : io_(io),
      sock_(io, listen_fd),
      backoff_(io),
      dispatcher_(dispatcher),
      limits_(limits),
      max_per_uid_(max_per_uid),
      reserved_fds_(reserved_fds),
      refusals_(io) {
    budget_.set_reply_limit(limits_.max_reply_bytes_per_uid);
}

void Listener::start() {
    rlimit rl{};
    fd_limit_ = ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 1 << 20;
    // The namespace mark lets clients without rights over this process (which
    // cannot compare /proc/PID/ns/net) tell that they share its network
    // namespace; libifctl then takes SIOCGIFCONF from their own kernel, which
    // answers with the same list at a twentieth of the cost.
    sockaddr_un sa;
    const socklen_t len = proto::netns_mark_address(::getpid(), sa);
    UniqueFd mark(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (mark && ::bind(mark.get(), reinterpret_cast<sockaddr*>(&sa), len) == 0 && ::shutdown(mark.get(), SHUT_RD) == 0)
        netns_mark_ = std::move(mark);
    else
        spdlog::warn("no network-namespace mark ({}): unprivileged clients list interfaces through the daemon",
                     std::strerror(errno));
    wait_accept();
}

void Listener::stop() {
    stopped_ = true;
    netns_mark_.reset();
    refusals_.stop();
    boost::system::error_code ec;
    sock_.cancel(ec);
    backoff_.cancel();
    auto sessions = std::move(sessions_);
    for (auto& [_, s] : sessions) s->close();
}

void Listener::wait_accept() {
    if (stopped_) return;
    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        for (;;) {
            const int fd = ::accept4(sock_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (errno == EAGAIN) break;
                // EMFILE, ENFILE, ENOMEM: the connection stays queued and the socket
                // stays readable; waiting at once would spin. Try again shortly.
                spdlog::warn("accept: {}; not accepting for 100 ms", std::strerror(errno));
                backoff_.expires_after(std::chrono::milliseconds(100));
                backoff_.async_wait([this](const boost::system::error_code& e) {
                    if (!e) wait_accept();
                });
                return;
            }
            admit(fd);
        }
        wait_accept();
    });
}

void Listener::admit(int fd) {
    Peer peer;
    if (int rc = read_peer(fd, peer); rc < 0) {
        spdlog::warn("dropping a client whose credentials cannot be read: {}", std::strerror(-rc));
        ::close(fd);
        return;
    }
    peer.client = ++next_client_;
    // Root is trusted not to flood; everyone else gets a bounded share, refused
    // at once, before a session or a timer exists for the connection.
    const uid_t uid = peer.uid;
    if (uid != 0) {
        // Descriptors are numbered lowest free first, so this one's number is a
        // count of those open: the last reserved_fds are root's.
        if (static_cast<size_t>(fd) + reserved_fds_ >= fd_limit_)
            return refuse(fd, peer, EMFILE,
                          "ifctld is keeping its last " + std::to_string(reserved_fds_) +
                              " descriptors for root (limits.reserved_fds); try again later",
                          "limits.reserved_fds");
        if (per_uid_[uid] >= max_per_uid_)
            return refuse(fd, peer, EUSERS,
                          "uid " + std::to_string(uid) + " already has " + std::to_string(per_uid_[uid]) +
                              " connections to ifctld, the most one user may hold "
                              "(limits.max_connections_per_uid); close one first",
                          "limits.max_connections_per_uid");
        ++per_uid_[uid];
    }
    auto s = std::make_shared<Session>(io_, fd, std::move(peer), dispatcher_, limits_, budget_,
                                       [this, uid](Session* gone) {
                                           sessions_.erase(gone);
                                           if (uid != 0 && --per_uid_[uid] == 0) per_uid_.erase(uid);
                                       });
    sessions_.emplace(s.get(), s);
    spdlog::debug("client connected: {}", s->peer().describe());
    s->start();
}

void Listener::refuse(int fd, const Peer& peer, int err, const std::string& message, const std::string& rule) {
    proto::Writer w(static_cast<uint16_t>(proto::Op::Hello), proto::kFlagReply, 0, err);
    w.str(wire_type(proto::AttrType::Message), message);
    const std::vector<uint8_t> frame = w.finish();
    // A fresh socket's buffer takes one small frame; a client that never reads
    // it loses nothing the daemon must keep.
    (void)::send(fd, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::close(fd);
    refusals_.refused(peer, err, message, rule);
}

}  // namespace ifctl::daemon
