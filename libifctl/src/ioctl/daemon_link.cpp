#include "daemon_link.hpp"
#include "libifctl/src/environment.hpp"

#include "libifctl/protocol/netns_mark.hpp"
#include "snapshot_link.hpp"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <string>

namespace ifctl::ioctl_layer {
namespace {

std::mutex g_mutex;
std::unique_ptr<client::Connection> g_conn;
// The connection's socket as it was opened, to notice a program that closed
// it (daemons close every descriptor at start) and reused the number.
dev_t g_conn_dev = 0;
ino_t g_conn_ino = 0;
// Whether the connection's daemon is in our network namespace (daemon_in_our_netns).
bool g_conn_same_netns = false;
// The same for readers that take no lock: -1 while there is no connection (or
// in a forked child, which must ask on its own), else 0 or 1. A SIOCGIFCONF
// answered from the snapshot reads it on every call.
std::atomic<int> g_same_netns_unlocked{-1};
// Set in a child after fork: cheaper than asking getpid() per call.
bool g_forked = false;
std::once_flag g_atfork_once;

// fork() holds the connection's lock across the fork, so that a child never
// starts with the lock taken by a thread it does not have.
void atfork_prepare() { g_mutex.lock(); }
void atfork_parent() { g_mutex.unlock(); }
void atfork_child() {
    g_forked = true;
    g_same_netns_unlocked = -1;
    g_mutex.unlock();
}

void drop_connection() {
    g_same_netns_unlocked = -1;
    g_conn.reset();
}

// After fork the child's copy of the connection shares its parent's stream:
// close the child's descriptor (the parent's stays open) and open our own.
void forget_if_forked() {
    if (g_forked) {
        g_forked = false;
        drop_connection();
    }
}

// How long a call may wait for the daemon (connect, send, each reply) before
// it counts as unreachable: $IFCTL_TIMEOUT_MS, default 10 s. A program must
// never hang because ifctld is stuck; a healthy daemon answers in milliseconds.
int timeout_ms() {
    constexpr long kDefault = 10000;
    const char* env = ifctl::client::ifctl_env("IFCTL_TIMEOUT_MS");
    if (!env || !*env) return kDefault;
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (*end || v <= 0 || v > 3600000) return kDefault;  // a bad value is not worth failing over
    return static_cast<int>(v);
}

// A process without a daemon would otherwise note the failure on every
// interface request: one note until a connection succeeds again.
bool g_noted_unreachable = false;

// Whether the daemon has left its namespace mark in ours (protocol/netns_mark.hpp).
bool mark_in_our_netns(pid_t pid) {
    sockaddr_un sa;
    const socklen_t len = proto::netns_mark_address(pid, sa);
    const int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    const bool found = ::connect(s, reinterpret_cast<sockaddr*>(&sa), len) == 0;
    ::close(s);
    return found;
}

// Asked once per connection: whether the peer process shares our network
// namespace. Its mark says so to anyone; /proc/PID/ns/net (for daemons that
// leave no mark) only to those with ptrace rights over it.
bool peer_in_our_netns(int fd) {
    ucred cr{};
    socklen_t len = sizeof cr;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.pid <= 0) return false;
    if (mark_in_our_netns(cr.pid)) return true;
    struct stat self {}, peer {};
    const std::string path = "/proc/" + std::to_string(cr.pid) + "/ns/net";
    if (::stat("/proc/self/ns/net", &self) < 0 || ::stat(path.c_str(), &peer) < 0) return false;
    return self.st_dev == peer.st_dev && self.st_ino == peer.st_ino;
}

bool connect_locked() {
    std::string why;
    std::unique_ptr<client::Connection> c;
    int snapshot_fd = -1;
    if (client::Connection::open(client::default_socket_path(), c, why, "libifctl-ioctl", timeout_ms(),
                                 snapshot_wanted() ? &snapshot_fd : nullptr) < 0) {
        if (!g_noted_unreachable) debug_note("ifctl: %s; interface requests go to the kernel", why.c_str());
        g_noted_unreachable = true;
        return false;
    }
    struct stat st {};
    if (::fstat(c->fd(), &st) < 0) {
        if (snapshot_fd >= 0) ::close(snapshot_fd);
        return false;
    }
    g_noted_unreachable = false;
    g_conn_dev = st.st_dev;
    g_conn_ino = st.st_ino;
    g_conn_same_netns = peer_in_our_netns(c->fd());
    adopt_snapshot(snapshot_fd);
    g_conn = std::move(c);
    g_same_netns_unlocked = g_conn_same_netns ? 1 : 0;
    return true;
}

// If the program closed our descriptor (and perhaps opened something else
// under its number), writing to it would corrupt the program's own file or
// connection: forget it, without closing what is now the program's.
void forget_if_taken() {
    if (!g_conn) return;
    struct stat st {};
    if (::fstat(g_conn->fd(), &st) == 0 && st.st_dev == g_conn_dev && st.st_ino == g_conn_ino) return;
    debug_note("ifctl: the connection's descriptor %d was closed by the program; reconnecting", g_conn->fd());
    g_conn->abandon();
    drop_connection();
}

}  // namespace

bool daemon_in_our_netns() {
    // An open connection's answer is about the daemon, not the descriptor,
    // and nothing is sent: no need for with_daemon's checks (an fstat per
    // call, a third of the kernel's whole SIOCGIFCONF with few interfaces), nor
    // its lock. A forked child asks again on its own connection: it may have
    // changed its namespace or dropped the rights the answer rested on.
    if (const int known = g_same_netns_unlocked.load(std::memory_order_acquire); known >= 0) return known == 1;
    bool same = false;
    (void)with_daemon([&](client::Connection&) {
        same = g_conn_same_netns;
        return true;
    });
    return same;
}

Link with_daemon(const std::function<bool(client::Connection&)>& fn) {
    std::call_once(g_atfork_once, [] { ::pthread_atfork(atfork_prepare, atfork_parent, atfork_child); });
    std::lock_guard lock(g_mutex);
    forget_if_forked();
    forget_if_taken();
    for (bool retried = false;; retried = true) {
        if (!g_conn && !connect_locked()) return Link::NoDaemon;
        const uint64_t sent_before = g_conn->requests_sent();
        if (fn(*g_conn)) return Link::Ok;
        // Provably never delivered: nothing of fn's left, and the send found the
        // daemon's end already closed (the daemon restarted since our last call).
        // Only then is fn run again, once, on a new connection; a request that
        // may have reached a daemon is never repeated (a change could apply twice).
        const bool undelivered = g_conn->requests_sent() == sent_before && g_conn->last_send_found_closed();
        debug_note("ifctl: connection to ifctld lost: %s%s", g_conn->transport_error().c_str(),
                   undelivered && !retried ? "; the request was not sent: reconnecting" : "");
        drop_connection();
        if (!undelivered || retried) return Link::Broken;
    }
}

}  // namespace ifctl::ioctl_layer
