#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace ifctl::test {

using nlohmann::json;

namespace {

// A child's environment: ours, with `env` replacing same-named entries.
class Environment {
public:
    explicit Environment(const Args& env) : envs_(env.begin(), env.end()) {
        for (char** e = environ; *e; ++e) {
            const std::string_view kv(*e);
            const auto name = kv.substr(0, kv.find('=') + 1);
            bool replaced = false;
            for (const std::string& x : env) replaced = replaced || x.compare(0, name.size(), name) == 0;
            if (!replaced) envs_.emplace_back(kv);
        }
        for (std::string& e : envs_) ptrs_.push_back(e.data());
        ptrs_.push_back(nullptr);
    }
    char** get() { return ptrs_.data(); }

private:
    std::vector<std::string> envs_;
    std::vector<char*> ptrs_;
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const Run& r) {
    os << "command: " << r.cmd << "\nexit status: " << r.status << (r.timed_out ? " (timed out, killed)" : "")
       << "\nstdout: <<<" << r.out << ">>>\nstderr: <<<" << r.err << ">>>";
    return os;
}

std::string join(const Args& a) {
    std::string s;
    for (const std::string& w : a) s += (s.empty() ? "" : " ") + w;
    return s;
}

Run exec(const Args& argv, int timeout_ms, const Args& env) {
    Run r;
    r.cmd = join(argv);
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0) throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> cargv;
    for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    Environment cenv(env);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.get());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(out[0]);
        ::close(err[0]);
        throw std::runtime_error("cannot start " + r.cmd + ": " + std::strerror(rc));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open = 2;
    while (open > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            r.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        if (::poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<size_t>(n));
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (pollfd& p : fds)
        if (p.fd >= 0) ::close(p.fd);
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

Child::Child(const Args& argv, const Args& env) : cmd_(join(argv)) {
    // A child that exited early must make send() fail with EPIPE, not kill the test.
    ::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) < 0) throw std::runtime_error("pipe2 failed");
    if (::pipe2(out, O_CLOEXEC) < 0) {
        ::close(in[0]);
        ::close(in[1]);
        throw std::runtime_error("pipe2 failed");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::vector<char*> cargv;
    for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    Environment cenv(env);
    const int rc = ::posix_spawnp(&pid_, cargv[0], &fa, nullptr, cargv.data(), cenv.get());
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    if (rc != 0) {
        pid_ = -1;
        ::close(in_);
        ::close(out_);
        throw std::runtime_error("cannot start " + cmd_ + ": " + std::strerror(rc));
    }
}

Child::~Child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
}

std::string Child::line(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {  // ends: each turn reads, or the deadline or end of output throws
        if (const auto nl = buffered_.find('\n'); nl != std::string::npos) {
            std::string l = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return l;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        pollfd p{out_, POLLIN, 0};
        const int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("no line from " + cmd_ + " (so far: <<<" + buffered_ + ">>>)");
        char buf[512];
        const ssize_t got = ::read(out_, buf, sizeof buf);
        if (got <= 0) throw std::runtime_error("output of " + cmd_ + " ended (so far: <<<" + buffered_ + ">>>)");
        buffered_.append(buf, static_cast<size_t>(got));
    }
}

void Child::send(const std::string& text) {
    const std::string l = text + "\n";
    if (::write(in_, l.data(), l.size()) != static_cast<ssize_t>(l.size()))
        throw std::runtime_error("cannot write to " + cmd_ + ": " + std::strerror(errno));
}

int Child::wait(int timeout_ms) {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
    int st = 0;
    for (int i = 0; i < timeout_ms / 10; ++i) {  // bounded, then SIGKILL
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return 128 + SIGKILL;
}

std::set<std::string> link_groups(const std::string& dev) {
    // Each line: index, name, users, global use, address in hex.
    std::ifstream in("/proc/net/dev_mcast");
    std::set<std::string> out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        std::string index, name, users, global, addr;
        ls >> index >> name >> users >> global >> addr;
        if (name == dev) out.insert(addr);
    }
    return out;
}

json ip(const Args& args) {
    Args argv{"ip", "-j"};
    argv.insert(argv.end(), args.begin(), args.end());
    const Run r = exec(argv);
    if (r.status != 0 || r.timed_out) {
        std::ostringstream os;
        os << r;
        throw std::runtime_error("ip failed\n" + os.str());
    }
    return r.out.empty() ? json::array() : json::parse(r.out);
}

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

json link(const std::string& name) {
    for (const json& l : ip({"-d", "addr", "show"}))
        if (l.at("ifname") == name) return l;
    return nullptr;
}

bool has_flag(const json& link, const std::string& f) {
    for (const json& x : link.at("flags"))
        if (x == f) return true;
    return false;
}

}  // namespace ifctl::test
