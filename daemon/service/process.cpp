#include "daemon/service/process.hpp"

#include <fcntl.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "daemon/log_sink.hpp"

namespace ifctl::daemon {

void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) spdlog::warn("could not raise the open-file limit: {}", std::strerror(errno));
    }
}

int lock_state_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create state directory " + dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0750);
    const std::string path = dir + "/ifctld.lock";
    // Read-only is enough for flock, and holds no write reference on the file
    // system (a state directory remounted read-only must not be refused as busy).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0)
        throw std::runtime_error("another ifctld is using state directory " + dir + " (" + path + " is locked)");
    return fd;
}

// spdlog's %P would call getpid() for every line, and every change writes an
// audit line. (Only the terminal's logger formats; syslog and the journal take
// the bare message.)
void set_log_pattern() { spdlog::set_pattern(fmt::format("ifctld[{}]: %l: %v", ::getpid())); }

int daemonize() {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid > 0) {
        ::close(ready[1]);
        char ok = 0;
        const bool served = ::read(ready[0], &ok, 1) == 1 && ok == 1;
        ::_exit(served ? 0 : 1);
    }
    ::close(ready[0]);
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
    // The terminal's logger goes (its name would clash) and syslog takes over.
    spdlog::drop("ifctld");
    spdlog::set_default_logger(
        plain_logger("ifctld", std::make_shared<spdlog::sinks::syslog_sink_mt>("ifctld", LOG_PID, LOG_DAEMON, false)));
    return ready[1];
}

}  // namespace ifctl::daemon
