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

namespace ifctl::ioctl_layer {

// The domain recorded for fd, or -1 when none is (ask the kernel).
int recorded_domain(int fd) noexcept;
void record_domain(int fd, int domain) noexcept;
void forget_domain(int fd) noexcept;
void forget_domains(unsigned first, unsigned last) noexcept;  // inclusive, as close_range

}  // namespace ifctl::ioctl_layer
