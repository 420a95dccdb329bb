// The real Kernel::run_in_netns(): a Netlink of the other namespace, opened on
// a thread that joined it (netns.hpp), for as long as `fn` runs.
#include <spdlog/spdlog.h>

#include <cerrno>
#include <exception>

#include "daemon/kernel/netlink.hpp"
#include "daemon/kernel/netns.hpp"

namespace ifctl::daemon {

int Kernel::run_in_netns(int ns_fd, const std::function<int(Kernel& there)>& fn) {
    return in_netns(ns_fd, [&] {
        try {
            Netlink there;
            return fn(there);
        } catch (const std::exception& e) {
            // Netlink throws when its sockets cannot be opened there.
            spdlog::error("in another network namespace: {}", e.what());
            return -EIO;
        }
    });
}

}  // namespace ifctl::daemon
