#include "daemon_link.hpp"

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
pid_t g_owner_pid = 0;

// After fork the child's copy of the connection shares its parent's stream:
// close the child's descriptor (the parent's stays open) and open our own.
void forget_if_forked() {
    if (g_conn && g_owner_pid != ::getpid()) g_conn.reset();
}

bool connect_locked() {
    std::string why;
    std::unique_ptr<client::Connection> c;
    if (client::Connection::open(client::default_socket_path(), c, why, "libifctl-ioctl") < 0) {
        debug_note("ifctl: %s", why.c_str());
        return false;
    }
    g_conn = std::move(c);
    g_owner_pid = ::getpid();
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
