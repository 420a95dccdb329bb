#include "fd_domains.hpp"

#include <atomic>
#include <cstdint>

#include "libifctl/protocol/snapshot_layout.hpp"

namespace ifctl::ioctl_layer {

namespace {

// Descriptors below this are recorded; higher ones are always asked.
constexpr unsigned kSlots = 1024;
// domain + 1; 0: nothing recorded.
std::atomic<uint16_t> g_domains[kSlots];
// The socket's network namespace once asked; 0: not asked yet.
std::atomic<uint64_t> g_netns[kSlots];

}  // namespace

int recorded_domain(int fd) noexcept {
    if (fd < 0 || static_cast<unsigned>(fd) >= kSlots) return -1;
    return static_cast<int>(g_domains[fd].load(std::memory_order_relaxed)) - 1;
}

void record_domain(int fd, int domain) noexcept {
    if (fd < 0 || static_cast<unsigned>(fd) >= kSlots || domain < 0 || domain >= 0xffff) return;
    g_netns[fd].store(0, std::memory_order_relaxed);
    g_domains[fd].store(static_cast<uint16_t>(domain + 1), std::memory_order_relaxed);
}

uint64_t socket_netns(int fd) noexcept {
    if (recorded_domain(fd) < 0) return proto::snapshot::netns_cookie_of(fd);
    uint64_t cookie = g_netns[fd].load(std::memory_order_relaxed);
    if (!cookie) {
        cookie = proto::snapshot::netns_cookie_of(fd);
        g_netns[fd].store(cookie, std::memory_order_relaxed);
    }
    return cookie;
}

void forget_domain(int fd) noexcept {
    if (fd >= 0 && static_cast<unsigned>(fd) < kSlots) g_domains[fd].store(0, std::memory_order_relaxed);
}

void forget_domains(unsigned first, unsigned last) noexcept {
    for (unsigned fd = first; fd <= last && fd < kSlots; ++fd) g_domains[fd].store(0, std::memory_order_relaxed);
}

}  // namespace ifctl::ioctl_layer
