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
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace ifctl::test {

using nlohmann::json;

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
    // The child's environment: ours, with `env` replacing same-named entries.
    std::vector<std::string> envs(env.begin(), env.end());
    for (char** e = environ; *e; ++e) {
        const std::string_view kv(*e);
        const auto name = kv.substr(0, kv.find('=') + 1);
        bool replaced = false;
        for (const std::string& x : env) replaced = replaced || x.compare(0, name.size(), name) == 0;
        if (!replaced) envs.emplace_back(kv);
    }
    std::vector<char*> cenv;
    for (std::string& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
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
