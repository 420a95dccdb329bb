// libifctl-preload.so: the calls that make, copy and close descriptors,
// watched so that the dispatch knows a socket's domain without asking the
// kernel on every ioctl (ioctl/fd_domains.hpp). Each records or forgets, then
// hands the call on unchanged to the next symbol in the chain (libc's, or
// another shim's), found with dlsym(RTLD_NEXT) on first use; the system call
// itself when there is none. errno is the next symbol's.
//
// A descriptor closed where the shim cannot see it (syscall(SYS_close, ...),
// or a close inside libc on a descriptor the program made with socket()) keeps
// its record until the shim sees the number made, copied onto or closed again;
// docs/preload.md says so.
#include <dlfcn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "libifctl/src/ioctl/fd_domains.hpp"

using namespace ifctl::ioctl_layer;

namespace {

// The next symbol called `name`, resolved once (two threads may both resolve
// it and get the same answer).
template <class Fn>
Fn next(std::atomic<Fn>& slot, const char* name) {
    Fn f = slot.load(std::memory_order_acquire);
    if (!f) {
        f = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
        slot.store(f, std::memory_order_release);
    }
    return f;
}

std::atomic<int (*)(int, int, int)> g_socket{nullptr};
std::atomic<int (*)(int, int, int, int*)> g_socketpair{nullptr};
std::atomic<int (*)(int)> g_close{nullptr};
std::atomic<int (*)(int, int)> g_dup2{nullptr};
std::atomic<int (*)(int, int, int)> g_dup3{nullptr};
std::atomic<int (*)(unsigned, unsigned, int)> g_close_range{nullptr};
std::atomic<int (*)(FILE*)> g_fclose{nullptr};

// After a copy onto `to`: it is what `from` is.
void copied(int from, int to) {
    const int d = recorded_domain(from);
    if (d >= 0) record_domain(to, d);
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int socket(int domain, int type, int protocol) noexcept {
    auto f = next(g_socket, "socket");
    const int fd = f ? f(domain, type, protocol) : static_cast<int>(::syscall(SYS_socket, domain, type, protocol));
    if (fd >= 0) record_domain(fd, domain);
    return fd;
}

__attribute__((visibility("default"))) int socketpair(int domain, int type, int protocol, int sv[2]) noexcept {
    auto f = next(g_socketpair, "socketpair");
    const int r = f ? f(domain, type, protocol, sv) : static_cast<int>(::syscall(SYS_socketpair, domain, type, protocol, sv));
    if (r == 0) {
        record_domain(sv[0], domain);
        record_domain(sv[1], domain);
    }
    return r;
}

__attribute__((visibility("default"))) int close(int fd) {
    forget_domain(fd);
    auto f = next(g_close, "close");
    return f ? f(fd) : static_cast<int>(::syscall(SYS_close, fd));
}

__attribute__((visibility("default"))) int dup2(int from, int to) noexcept {
    if (from != to) forget_domain(to);
    auto f = next(g_dup2, "dup2");
    const int r = f ? f(from, to) : static_cast<int>(::syscall(SYS_dup3, from, to, 0));
    if (r >= 0 && from != to) copied(from, to);
    return r;
}

__attribute__((visibility("default"))) int dup3(int from, int to, int flags) noexcept {
    if (from != to) forget_domain(to);
    auto f = next(g_dup3, "dup3");
    const int r = f ? f(from, to, flags) : static_cast<int>(::syscall(SYS_dup3, from, to, flags));
    if (r >= 0) copied(from, to);
    return r;
}

__attribute__((visibility("default"))) int close_range(unsigned first, unsigned last, int flags) noexcept {
    // With CLOSE_RANGE_CLOEXEC nothing is closed yet; forgetting only costs a
    // getsockopt later.
    forget_domains(first, last);
    auto f = next(g_close_range, "close_range");
    return f ? f(first, last, flags) : static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

__attribute__((visibility("default"))) int fclose(FILE* stream) {
    if (stream) forget_domain(::fileno(stream));
    auto f = next(g_fclose, "fclose");
    return f ? f(stream) : EOF;
}

}  // extern "C"
