#include "test_users.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "netns_daemon.hpp"

namespace ifctl::test {

namespace {

void remove_all(const std::vector<std::string>& users, const std::vector<std::string>& groups) {
    for (const auto& u : users) std::system(("userdel " + u + " >/dev/null 2>&1").c_str());
    for (const auto& g : groups) std::system(("groupdel " + g + " >/dev/null 2>&1").c_str());
}

// "ifct-TAG-PID-x" entries of /etc/passwd or /etc/group whose PID is gone.
std::vector<std::string> stale(const std::string& file, const std::string& tag) {
    std::vector<std::string> out;
    std::ifstream in(file);
    const std::string lead = "ifct-" + tag + "-";
    for (std::string line; std::getline(in, line);) {
        const std::string name = line.substr(0, line.find(':'));
        if (name.rfind(lead, 0) != 0) continue;
        const std::string rest = name.substr(lead.size());
        const pid_t pid = static_cast<pid_t>(std::atoi(rest.c_str()));
        if (pid > 0 && ::kill(pid, 0) < 0 && errno == ESRCH) out.push_back(name);
    }
    return out;
}

}  // namespace

TestUsers::TestUsers(const std::string& tag) : prefix_("ifct-" + tag + "-" + std::to_string(::getpid()) + "-") {
    remove_all(stale("/etc/passwd", tag), stale("/etc/group", tag));
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw std::runtime_error("pipe failed");
    watchdog_ = ::fork();
    if (watchdog_ == 0) {
        // Outlives the test if it dies: waits for EOF on the pipe, then removes
        // every user and group with this process's prefix.
        ::close(p[1]);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::setsid();
        char b;
        while (::read(p[0], &b, 1) > 0) {
        }
        const std::string prefix = prefix_;
        std::vector<std::string> users, groups;
        for (const std::string& f : {std::string("/etc/passwd"), std::string("/etc/group")}) {
            std::ifstream in(f);
            for (std::string line; std::getline(in, line);)
                if (line.rfind(prefix, 0) == 0) (f == "/etc/passwd" ? users : groups).push_back(line.substr(0, line.find(':')));
        }
        remove_all(users, groups);
        ::_exit(0);
    }
    ::close(p[0]);
    watchdog_pipe_ = p[1];
}

TestUsers::~TestUsers() {
    remove_all(users_, groups_);
    if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);
    if (watchdog_ > 0) ::waitpid(watchdog_, nullptr, 0);
}

std::string TestUsers::add_group(const std::string& short_name) {
    const std::string name = prefix_ + short_name;
    run("groupadd --system " + name);
    groups_.push_back(name);
    return name;
}

gid_t TestUsers::gid(const std::string& short_name) const {
    const group* g = ::getgrnam((prefix_ + short_name).c_str());
    if (!g) throw std::runtime_error("no group " + prefix_ + short_name);
    return g->gr_gid;
}

TestUser TestUsers::add_user(const std::string& short_name, const std::vector<std::string>& groups) {
    TestUser u;
    u.name = prefix_ + short_name;
    std::string list;
    for (const auto& g : groups) list += (list.empty() ? "" : ",") + prefix_ + g;
    run("useradd --system --no-create-home --shell /usr/sbin/nologin --user-group" +
        (list.empty() ? std::string() : " --groups " + list) + " " + u.name);
    users_.push_back(u.name);
    groups_.push_back(u.name);  // its own group (--user-group)
    const passwd* pw = ::getpwnam(u.name.c_str());
    if (!pw) throw std::runtime_error("useradd did not make " + u.name);
    u.uid = pw->pw_uid;
    u.gid = pw->pw_gid;
    for (const auto& g : groups) u.groups.push_back(gid(g));
    return u;
}

std::string run_as(const TestUser& u, const std::function<std::string()>& fn) {
    int p[2];
    if (::pipe(p) < 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        std::string out = "!setuid";
        if (::setgroups(u.groups.size(), u.groups.data()) == 0 && ::setresgid(u.gid, u.gid, u.gid) == 0 &&
            ::setresuid(u.uid, u.uid, u.uid) == 0)
            out = fn();
        const char* b = out.data();
        for (size_t left = out.size(); left > 0;) {
            const ssize_t n = ::write(p[1], b, left);
            if (n <= 0) break;
            b += n;
            left -= static_cast<size_t>(n);
        }
        ::_exit(0);
    }
    ::close(p[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
}

}  // namespace ifctl::test
