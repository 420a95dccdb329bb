#include "daemon/service/process.hpp"

#include <fcntl.h>
#include <pwd.h>
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

namespace {

std::string user_name(uid_t uid) {
    const struct passwd* pw = ::getpwuid(uid);
    return "uid " + std::to_string(uid) + (pw ? " (" + std::string(pw->pw_name) + ")" : "");
}

// What root writes in the state directory must land nowhere else: the
// directory, its interfaces/ and the lock file are refused when reached
// through a symbolic link or owned by another user (who could plant links in
// them, or swap them for links, and have root write through them).
void check_state_path(const std::string& path, const std::string& what, bool directory) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) {
        if (errno == ENOENT) return;
        throw std::runtime_error("cannot examine " + what + " " + path + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        throw std::runtime_error(what + " " + path + " is a symbolic link; ifctld refuses to write through one " +
                                 "(remove it, or give the real path)");
    if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
        throw std::runtime_error(what + " " + path + " is not a " + (directory ? "directory" : "regular file"));
    if (st.st_uid != ::geteuid())
        throw std::runtime_error(what + " " + path + " is owned by " + user_name(st.st_uid) + ", not by ifctld's " +
                                 user_name(::geteuid()) + "; ifctld refuses it (\"chown " +
                                 std::to_string(::geteuid()) + " " + path + "\", or choose another --state-dir)");
}

// The directory as given must be the directory itself: a link anywhere on
// the way could be changed to lead elsewhere.
void check_no_link_on_the_way(const std::string& dir) {
    std::error_code ec;
    const std::filesystem::path given = std::filesystem::absolute(dir, ec).lexically_normal();
    const std::filesystem::path real = std::filesystem::canonical(dir, ec);
    if (ec) throw std::runtime_error("cannot resolve state directory " + dir + ": " + ec.message());
    std::string g = given.string();
    while (g.size() > 1 && g.back() == '/') g.pop_back();
    if (g != real.string())
        throw std::runtime_error("state directory " + dir + " is reached through a symbolic link (it is " +
                                 real.string() + "); ifctld refuses it: give --state-dir " + real.string() +
                                 " if that is meant");
}

}  // namespace

int lock_state_dir(const std::string& dir) {
    check_state_path(dir, "state directory", true);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create state directory " + dir + ": " + ec.message());
    check_no_link_on_the_way(dir);
    check_state_path(dir, "state directory", true);
    check_state_path(dir + "/interfaces", "state directory", true);
    ::chmod(dir.c_str(), 0750);
    const std::string path = dir + "/ifctld.lock";
    check_state_path(path, "lock file", false);
    // Read-only is enough for flock, and holds no write reference on the file
    // system (a state directory remounted read-only must not be refused as busy).
    // O_NOFOLLOW and O_NONBLOCK: a link or a FIFO put there since is not opened.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
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
