// The kernel's own ioctl, reached by system call so that neither a preload shim
// (which defines ioctl) nor -DIFCTL_REDIRECT_IOCTL can route it back to us.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

namespace ifctl::ioctl_layer {

inline int kernel_ioctl(int fd, unsigned long request, void* arg) {
    return static_cast<int>(::syscall(SYS_ioctl, fd, request, arg));
}

}  // namespace ifctl::ioctl_layer
