#include "netns_daemon.hpp"
#include "test_main.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ifctl::test {

// The test runs as `unshare --net -- test`: unshare execs the test, so the
// parent is the test runner, still in the namespace the test must not touch.
// (init's namespace is not readable from inside some sandboxes.)
void require_private_netns() {
    struct stat self {}, parent {};
    const std::string parent_ns = "/proc/" + std::to_string(::getppid()) + "/ns/net";
    if (::stat("/proc/self/ns/net", &self) < 0 || ::stat(parent_ns.c_str(), &parent) < 0)
        throw std::runtime_error("cannot read network namespaces from /proc");
    if (self.st_ino == parent.st_ino)
        throw std::runtime_error("refusing to run in the caller's network namespace: run under `unshare --net`");
}

int root_in_private_netns() {
    if (::geteuid() != 0) {
        std::fprintf(stderr, "%s: needs root (TAP devices in a private network namespace); skipped\n",
                     program_invocation_short_name);
        return 77;
    }
    try {
        require_private_netns();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, e.what());
        return 1;
    }
    return 0;
}

std::string run(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    std::string out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p.get())) > 0) out.append(buf.data(), n);
    const int status = ::pclose(p.release());
    if (status != 0) throw std::runtime_error("command failed (" + std::to_string(status) + "): " + cmd);
    return out;
}

void loopback_up() { run("ip link set lo up"); }

void no_dad() { run("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0"); }

namespace {
bool answers(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}
}  // namespace

Daemon::Daemon(const std::string& extra_args, unsigned long nofile, unsigned long nofile_hard) {
    require_private_netns();
    const char* exe = std::getenv("IFCTLD");
    if (!exe) throw std::runtime_error("IFCTLD is not set (meson test sets it to the built ifctld)");
    char tmpl[] = "/tmp/ifctl-test.XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    socket_ = dir_ + "/ifctld.sock";
    const std::string log = dir_ + "/ifctld.log";

    std::vector<std::string> args{exe, "--foreground"};
    std::istringstream extra(extra_args);
    for (std::string a; extra >> a;) {
        // A test that restarts a daemon at the same socket passes its own --socket.
        if (a == "--socket" && extra >> socket_) continue;
        args.push_back(a);
    }
    args.insert(args.begin() + 2, {"--socket", socket_});
    // A test that restarts a daemon over the same state passes its own --state-dir;
    // one that needs less logging, its own --log-level.
    // Without a --config of its own, an empty file: the embedded defaults,
    // whatever the machine's /etc/ifctl/ifctl.conf says.
    if (extra_args.find("--config") == std::string::npos) {
        const std::string empty = dir_ + "/empty.conf";
        std::ofstream touch(empty);
        args.push_back("--config");
        args.push_back(empty);
    }
    // A test that checks what a stop keeps passes its own --on-stop; the others
    // stop for good, so that the next daemon in the namespace finds no TAPs.
    for (const char* opt : {"--state-dir", "--log-level", "--on-stop"})
        if (extra_args.find(opt) == std::string::npos) {
            args.push_back(opt);
            const std::string o = opt;
            args.push_back(o == "--state-dir" ? dir_ + "/state" : o == "--log-level" ? "debug" : "destroy");
        }

    // Set before the fork so the daemon's own environment names its socket too
    // (a daemon run with libifctl-preload.so must find itself, not an old one).
    ::setenv("IFCTL_SOCKET", socket_.c_str(), 1);
    pid_ = ::fork();
    if (pid_ == 0) {
        // If the test dies (a crash, a timeout), the daemon goes with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (nofile) {
            rlimit rl{nofile, nofile_hard ? nofile_hard : nofile};
            if (::setrlimit(RLIMIT_NOFILE, &rl) < 0) ::_exit(126);
        }
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 2);
        ::dup2(fd, 1);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(exe, argv.data());
        ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {  // at most 5 s
        if (answers(socket_)) return;
        int st;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("ifctld exited at start; see " + log);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill_hard();  // not left running behind a test that failed to start it
    throw std::runtime_error("ifctld did not answer on " + socket_ + " within 5 s; see " + log);
}

int Daemon::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 500; ++i) {  // at most 5 s, then SIGKILL
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            pid_ = -1;
            return st;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return st;
}

void Daemon::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
}

namespace {
struct Held {
    std::string path;
    const char* what;
};
bool g_holding = false;
std::vector<Held> g_held;  // directories of stopped daemons and the test's files, awaiting the verdict
}  // namespace

void hold_daemon_dirs(bool on) { g_holding = on; }

void settle_daemon_dirs(bool passed) {
    const bool keep = !passed || std::getenv("IFCTL_KEEP_TEST_DIRS");
    for (const Held& h : g_held) {
        std::error_code ec;
        if (keep)
            std::fprintf(stderr, "kept the %s: %s\n", h.what, h.path.c_str());
        else
            std::filesystem::remove_all(h.path, ec);
    }
    g_held.clear();
}

void settle_with_test(const std::string& path) { g_held.push_back({path, "test's file or directory"}); }

std::string temp_dir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
    settle_with_test(tmpl);
    return tmpl;
}

Daemon::~Daemon() {
    stop();
    if (g_holding) {
        g_held.push_back({dir_, "daemon's directory (ifctld.log)"});
        return;
    }
    std::error_code ec;
    if (!std::getenv("IFCTL_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_, ec);
}

}  // namespace ifctl::test
