// The ioctl dispatch shared by ifctl_ioctl and the preload shim
// (libifctl-preload.so): look the request up in the current personality's
// table, let the handler answer, or hand the caller's bytes to `kernel`.
#pragma once

#include "ifctl/ifctl.h"

namespace ifctl::ioctl_layer {

// Where a request that is not ifctld's business goes: the system call for
// ifctl_ioctl, the next `ioctl` symbol for the shim.
using KernelIoctl = int (*)(int fd, unsigned long request, void* arg);

// Returns what ioctl(2) returns, with errno set as it would be. `layout`: the
// SIOCGIFCONF layout the caller was compiled for (DEFAULT: the process's).
int dispatch_ioctl(int fd, unsigned long request, void* arg, KernelIoctl kernel,
                   ifctl_ifconf_layout_t layout = IFCTL_IFCONF_DEFAULT);

}  // namespace ifctl::ioctl_layer
