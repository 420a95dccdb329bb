#include "netns.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace ifctl::daemon {

int open_netns(const std::string& path, uint32_t pid, UniqueFd& out) {
    if (path.empty()) {
        if (pid == 0) return -EINVAL;
        UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)));
        if (!fd) return -errno;
        out = std::move(fd);
        return 0;
    }
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return -errno;
    // Anything else (a regular file, another kind of namespace) is refused.
    if (::ioctl(fd.get(), NS_GET_NSTYPE) != CLONE_NEWNET) return -EINVAL;
    out = std::move(fd);
    return 0;
}

int in_netns(int ns_fd, const std::function<int()>& fn) {
    int rc = 0;
    std::thread t([&] {
        if (::setns(ns_fd, CLONE_NEWNET) < 0) {
            rc = -errno;
            return;
        }
        rc = fn();
    });
    t.join();
    return rc;
}

}  // namespace ifctl::daemon
