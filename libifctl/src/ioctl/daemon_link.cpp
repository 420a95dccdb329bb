#include "daemon_link.hpp"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace ifctl::ioctl_layer {
namespace {

std::mutex g_mutex;
std::unique_ptr<client::Connection> g_conn;
// Set in a child after fork (pthread_atfork): cheaper than asking getpid() per call.
bool g_forked = false;

void note_fork_in_child() { g_forked = true; }

// After fork the child's copy of the connection shares its parent's stream:
// close the child's descriptor (the parent's stays open) and open our own.
void forget_if_forked() {
    static const bool registered = ::pthread_atfork(nullptr, nullptr, note_fork_in_child) == 0;
    (void)registered;
    if (g_forked) {
        g_forked = false;
        g_conn.reset();
    }
}

bool connect_locked() {
    std::string why;
    std::unique_ptr<client::Connection> c;
    if (client::Connection::open(client::default_socket_path(), c, why, "libifctl-ioctl") < 0) {
        debug_note("ifctl: %s", why.c_str());
        return false;
    }
    g_conn = std::move(c);
    return true;
}

}  // namespace

void debug_note(const char* fmt, ...) {
    if (!std::getenv("IFCTL_DEBUG")) return;
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
}

bool with_daemon(const std::function<bool(client::Connection&)>& fn) {
    std::lock_guard lock(g_mutex);
    forget_if_forked();
    if (!g_conn && !connect_locked()) return false;
    if (!fn(*g_conn)) {
        debug_note("ifctl: connection to ifctld lost: %s", g_conn->message().c_str());
        g_conn.reset();
        return false;
    }
    return true;
}

void drop_daemon_connection() {
    std::lock_guard lock(g_mutex);
    forget_if_forked();
    g_conn.reset();
}

}  // namespace ifctl::ioctl_layer
