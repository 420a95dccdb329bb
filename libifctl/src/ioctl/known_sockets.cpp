// ifctl_socket and ifctl_close_fd: socket(2) and close(2) that keep the table
// of socket domains (fd_domains.hpp) the preload shim keeps for the calls it
// watches, so that ifctl_ioctl on a socket made here needs no
// getsockopt(SO_DOMAIN) (docs/preload.md, "Programs that call ifctl_ioctl").
#include <sys/socket.h>
#include <unistd.h>

#include "fd_domains.hpp"
#include "ifctl/ifctl.h"

using namespace ifctl::ioctl_layer;

extern "C" {

int ifctl_socket(int domain, int type, int protocol) {
    const int fd = ::socket(domain, type, protocol);
    if (fd >= 0) record_domain(fd, domain);
    return fd;
}

int ifctl_close_fd(int fd) {
    // Forgotten first: from here on the number may be made again by another
    // thread, and its record must be that socket's, or none.
    forget_domain(fd);
    return ::close(fd);
}

}  // extern "C"
