// The socket domains of descriptors whose whole life this process has seen:
// the preload shim records a socket it watched being made (socket,
// socketpair) and forgets a descriptor when it sees it closed or replaced
// (close, dup2, dup3, close_range, fclose); a program that calls ifctl_ioctl
// itself does the same with ifctl_socket and ifctl_close_fd
// (known_sockets.cpp). dispatch_ioctl then needs no getsockopt(SO_DOMAIN) for
// such a descriptor. A descriptor not recorded (one ifctl_ioctl never saw
// made) is asked of the kernel on every call. Lock-free and allocation-free,
// so that it is safe from signal handlers and during start-up.
#pragma once

#include <cstdint>

namespace ifctl::ioctl_layer {

// The domain recorded for fd, or -1 when none is (ask the kernel).
int recorded_domain(int fd) noexcept;
// Records fd's domain; its network namespace is then asked once, when first needed.
void record_domain(int fd, int domain) noexcept;
// The network namespace of the socket fd (proto::snapshot::netns_cookie_of):
// kept with a recorded domain, asked of the kernel every time otherwise. 0
// when the kernel cannot say.
uint64_t socket_netns(int fd) noexcept;
void forget_domain(int fd) noexcept;
void forget_domains(unsigned first, unsigned last) noexcept;  // inclusive, as close_range

}  // namespace ifctl::ioctl_layer
