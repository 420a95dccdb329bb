// ifctl_ioctl: the ioctl(2)-shaped entry point. Interface requests go through
// the personality's table; everything else goes to the kernel untouched.
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "daemon_ops.hpp"
#include "dispatch.hpp"
#include "libifctl/src/environment.hpp"
#include "fd_domains.hpp"
#include "ifconf_layout.hpp"
#include "kernel.hpp"
#include "libifctl/protocol/snapshot_layout.hpp"
#include "names.hpp"
#include "notes.hpp"
#include "personality.hpp"
#include "read_scope.hpp"

using namespace ifctl::ioctl_layer;

namespace {

constexpr int kUnset = -1;
std::atomic<int> g_personality{kUnset};
std::once_flag g_env_once;
ifctl_personality_t g_env = IFCTL_PERSONALITY_LINUX;

// $IFCTL_PERSONALITY, read once. The systems' own names are accepted too
// (freebsd, solaris, ...), in any case. Anything else is said once on stderr
// and means linux: a silent fallback would leave a BSD program reading Linux
// answers (garbage families in its SIOCGIFCONF walk) with no clue why.
ifctl_personality_t personality_from_env() {
    std::call_once(g_env_once, [] {
        const char* v = ifctl::client::ifctl_env("IFCTL_PERSONALITY");
        if (v && *v) {
            if (auto p = personality_by_name(v)) g_env = *p;
            else note("ifctl: IFCTL_PERSONALITY=%s is not a personality (accepted, in any case: %s); using linux", v,
                      personality_names().c_str());
        }
        debug_note("ifctl: personality %s%s%s", personality_name(g_env), v && *v ? " from IFCTL_PERSONALITY=" : "",
                   v && *v ? v : "");
    });
    return g_env;
}

// The caller's socket's domain, -1 for anything that is not a socket (or no
// descriptor). Recorded for the sockets the preload shim saw made, and those
// made with ifctl_socket (fd_domains.hpp); asked of the kernel for the rest.
int socket_domain(int fd) {
    if (const int known = recorded_domain(fd); known >= 0) return known;
    int domain = -1;
    socklen_t len = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return -1;
    return domain;
}

// The requests answered from the snapshot: the gets (named SIOCG...), except
// those that read statistics, which move without the daemon hearing of it.
bool reads_only(const RequestRow& row) {
    return std::strncmp(row.name, "SIOCG", 5) == 0 && std::strcmp(row.name, "SIOCGIFDATA") != 0;
}

}  // namespace

namespace ifctl::ioctl_layer {

const RequestRow* find_request(ifctl_personality_t p, unsigned long request) {
    switch (p) {
        case IFCTL_PERSONALITY_LINUX: return linux_requests(request);
        case IFCTL_PERSONALITY_BSD: return bsd_requests(request);
        case IFCTL_PERSONALITY_SVR4: return svr4_requests(request);
        default: return nullptr;
    }
}

// The one dispatch: ifctl_ioctl passes the system call as `kernel`, the preload
// shim passes the next ioctl in the symbol chain (libc's, or another shim's).
int dispatch_ioctl(int fd, unsigned long request, void* arg, KernelIoctl kernel, ifctl_ifconf_layout_t layout) {
    const RequestRow* row = find_request(ifctl_get_personality(), request);
    if (!row || !arg) return kernel(fd, request, arg);
    // Interface requests mean something only on a socket; on anything else the
    // kernel's answer (ENOTTY, or a driver's own) is the right one.
    const int saved = errno;
    uint64_t netns = 0;
    int domain = -1;
    if (row->by_namespace && recorded_domain(fd) < 0) {
        netns = proto::snapshot::netns_cookie_of(fd);
        if (netns) domain = AF_UNSPEC;
        else if (errno == ENOPROTOOPT) domain = socket_domain(fd);  // a kernel before SO_NETNS_COOKIE
    } else {
        domain = socket_domain(fd);
    }
    if (domain < 0) {
        errno = saved;
        return kernel(fd, request, arg);
    }
    Outcome o;
    try {
        const ReadScope scope(reads_only(*row));
        o = row->handler(Call{fd, request, arg, domain, layout, netns});
    } catch (...) {  // never let C++ escape into C callers
        errno = ENOMEM;
        return -1;
    }
    if (o.to_kernel) {
        errno = saved;
        const int rc = kernel(fd, request, arg);
        if (rc == 0 && !reads_only(*row)) note_kernel_change();
        return rc;
    }
    if (o.err) {
        errno = o.err;
        return -1;
    }
    errno = saved;
    return 0;
}

}  // namespace ifctl::ioctl_layer

extern "C" {

int ifctl_set_personality(ifctl_personality_t p) {
    const int raw = enum_argument(p);
    if (raw != IFCTL_PERSONALITY_LINUX && raw != IFCTL_PERSONALITY_BSD && raw != IFCTL_PERSONALITY_SVR4) return -EINVAL;
    g_personality = raw;
    debug_note("ifctl: personality %s, set by the program", personality_name(p));
    return 0;
}

ifctl_personality_t ifctl_get_personality(void) {
    int p = g_personality.load();
    if (p == kUnset) {
        p = personality_from_env();
        g_personality = p;
    }
    return static_cast<ifctl_personality_t>(p);
}

int ifctl_ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return dispatch_ioctl(fd, request, arg, kernel_ioctl);
}

int ifctl_ioctl_layout(ifctl_ifconf_layout_t layout, int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    const int raw = enum_argument(layout);
    if (!valid_layout(raw)) {
        errno = EINVAL;
        return -1;
    }
    return dispatch_ioctl(fd, request, arg, kernel_ioctl, static_cast<ifctl_ifconf_layout_t>(raw));
}

}  // extern "C"
