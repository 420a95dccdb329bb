// ifctl_ioctl: the ioctl(2)-shaped entry point. Interface requests go through
// the personality's table; everything else goes to the kernel untouched.
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "dispatch.hpp"
#include "kernel.hpp"
#include "personality.hpp"

using namespace ifctl::ioctl_layer;

namespace {

constexpr int kUnset = -1;
std::atomic<int> g_personality{kUnset};

ifctl_personality_t personality_from_env() {
    const char* p = std::getenv("IFCTL_PERSONALITY");
    if (!p || !*p || std::strcmp(p, "linux") == 0) return IFCTL_PERSONALITY_LINUX;
    if (std::strcmp(p, "bsd") == 0) return IFCTL_PERSONALITY_BSD;
    if (std::strcmp(p, "svr4") == 0) return IFCTL_PERSONALITY_SVR4;
    return IFCTL_PERSONALITY_LINUX;  // an unknown name is not worth failing every ioctl over
}

int socket_domain(int fd) {
    int domain = -1;
    socklen_t len = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return -1;
    return domain;
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
int dispatch_ioctl(int fd, unsigned long request, void* arg, KernelIoctl kernel) {
    const RequestRow* row = find_request(ifctl_get_personality(), request);
    if (!row || !arg) return kernel(fd, request, arg);
    // Interface requests mean something only on a socket; on anything else the
    // kernel's answer (ENOTTY, or a driver's own) is the right one.
    const int domain = socket_domain(fd);
    if (domain < 0) return kernel(fd, request, arg);
    const int saved = errno;
    Outcome o;
    try {
        o = row->handler(Call{fd, request, arg, domain});
    } catch (...) {  // never let C++ escape into C callers
        errno = ENOMEM;
        return -1;
    }
    if (o.to_kernel) {
        errno = saved;
        return kernel(fd, request, arg);
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
    if (p != IFCTL_PERSONALITY_LINUX && p != IFCTL_PERSONALITY_BSD && p != IFCTL_PERSONALITY_SVR4) return -EINVAL;
    g_personality = p;
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

}  // extern "C"
