#include "fdstore.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

namespace ifctl::daemon {

std::string fdstore_name(uint64_t unique_id) { return "tap-" + std::to_string(unique_id); }

void fdstore_put(uint64_t unique_id, int fd) {
    if (!std::getenv("NOTIFY_SOCKET")) return;
    const std::string msg = "FDSTORE=1\nFDNAME=" + fdstore_name(unique_id);
    if (int rc = sd_pid_notify_with_fds(0, 0, msg.c_str(), &fd, 1); rc < 0)
        spdlog::warn("could not hand the queue of unique id {} to systemd's fd store: {}", unique_id, std::strerror(-rc));
}

void fdstore_remove(uint64_t unique_id) {
    if (!std::getenv("NOTIFY_SOCKET")) return;
    const std::string msg = "FDSTOREREMOVE=1\nFDNAME=" + fdstore_name(unique_id);
    sd_pid_notify(0, 0, msg.c_str());
}

PassedFds take_passed_fds() {
    PassedFds out;
    char** names = nullptr;
    const int n = sd_listen_fds_with_names(1, &names);
    for (int i = 0; i < n; ++i) {
        const int fd = SD_LISTEN_FDS_START + i;
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        const char* name = names ? names[i] : "";
        uint64_t id = 0;
        if (std::strncmp(name, "tap-", 4) == 0 && (id = std::strtoull(name + 4, nullptr, 10)) != 0) {
            out.taps[id] = UniqueFd(fd);
        } else if (out.listen_fd < 0 && sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, nullptr, 0) > 0) {
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
            out.listen_fd = fd;
        } else {
            spdlog::warn("systemd passed descriptor {} named \"{}\", which is neither our socket nor a TAP queue; "
                         "closing it",
                         fd, name);
            if (std::getenv("NOTIFY_SOCKET") && *name) {
                const std::string msg = std::string("FDSTOREREMOVE=1\nFDNAME=") + name;
                sd_pid_notify(0, 0, msg.c_str());
            }
            ::close(fd);
        }
    }
    if (names) {
        for (int i = 0; i < n; ++i) std::free(names[i]);
        std::free(names);
    }
    return out;
}

}  // namespace ifctl::daemon
