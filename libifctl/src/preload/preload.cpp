// libifctl-preload.so: with LD_PRELOAD, an unmodified program's ioctl(2) calls
// go through the same dispatch as ifctl_ioctl (entry.cpp): interface requests
// about interfaces ifctld manages go to the daemon, everything else goes on to
// the next `ioctl` in the symbol chain (libc's) with the caller's bytes.
//
// Why each piece is here:
// - No constructor: nothing runs until the program's first ioctl, so loading
//   the shim can never fail or print anything on its own.
// - The next ioctl is found lazily with dlsym(RTLD_NEXT); if that ever fails
//   (the shim dlopen'ed rather than preloaded) the system call is used instead.
// - A per-thread depth counter sends any ioctl made while the shim is already
//   working in this thread (a signal handler, a library callback) straight to
//   the next ioctl: no lock is taken twice and nothing allocates there. The
//   library's own kernel calls use syscall() (kernel.hpp) and never come back.
#include <dlfcn.h>
#include <sys/ioctl.h>

#include <atomic>
#include <cstdarg>

#include "libifctl/src/ioctl/dispatch.hpp"
#include "libifctl/src/ioctl/kernel.hpp"

using namespace ifctl::ioctl_layer;

namespace {

using NextIoctl = int (*)(int, unsigned long, ...);

std::atomic<NextIoctl> g_next{nullptr};
std::atomic<bool> g_resolved{false};

// initial-exec: a preloaded object's TLS is static, so reading this costs no
// call into the dynamic loader (and no allocation) on any path.
__thread int t_depth __attribute__((tls_model("initial-exec")));

// Two threads may both resolve it; they get the same answer. Null when there
// is no next ioctl (the shim dlopen'ed rather than preloaded).
NextIoctl next_ioctl() {
    if (!g_resolved.load(std::memory_order_acquire)) {
        g_next.store(reinterpret_cast<NextIoctl>(::dlsym(RTLD_NEXT, "ioctl")), std::memory_order_relaxed);
        g_resolved.store(true, std::memory_order_release);
    }
    return g_next.load(std::memory_order_relaxed);
}

int pass_on(int fd, unsigned long request, void* arg) {
    const NextIoctl f = next_ioctl();
    return f ? f(fd, request, arg) : kernel_ioctl(fd, request, arg);
}

// Keeps the depth right however dispatch_ioctl returns.
struct Depth {
    Depth() { ++t_depth; }
    ~Depth() { --t_depth; }
};

}  // namespace

// glibc's prototype, including its noexcept (__THROW): a mismatch does not compile.
extern "C" __attribute__((visibility("default"))) int ioctl(int fd, unsigned long request, ...) noexcept {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    if (t_depth > 0) return pass_on(fd, request, arg);
    Depth d;
    return dispatch_ioctl(fd, request, arg, pass_on);
}
