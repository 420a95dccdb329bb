// ifctld as systemd runs it, without systemd: the test plays the service
// manager. It listens on a notify socket ($NOTIFY_SOCKET) for READY=1,
// WATCHDOG=1 and the TAP queues ifctld hands over (FDSTORE=1), keeps them
// across a kill -9 (carrier stays up), and passes them back to the next
// daemon ($LISTEN_FDS/$LISTEN_FDNAMES), which must use them rather than open
// new queues. Then socket activation proper with systemd-socket-activate.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "libifctl/src/connection.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using test::slurp;
using json = nlohmann::json;
namespace fs = std::filesystem;

using test::has_flag;

namespace {


// A stand-in for systemd's notify socket and fd store.
struct Manager {
    std::string dir, path;
    int sock = -1;
    std::map<std::string, int> store;  // FDNAME -> descriptor kept for the service
    std::vector<std::string> messages;

    Manager() {
        dir = test::temp_dir("ifctl-sd");
        path = dir + "/notify";
        sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
        REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    }
    ~Manager() {
        for (auto& [_, fd] : store) ::close(fd);
        ::close(sock);
    }

    // Reads notifications until one contains `want` (bounded wait).
    bool wait_for(const std::string& want) {
        for (int i = 0; i < 500; ++i) {  // about 5 s at most
            for (const auto& m : messages)
                if (m.find(want) != std::string::npos) return true;
            pollfd p{sock, POLLIN, 0};
            if (::poll(&p, 1, 10) > 0) read_one();
        }
        return false;
    }

    void read_one() {
        char buf[4096];
        char ctl[CMSG_SPACE(sizeof(int) * 16)];
        iovec iov{buf, sizeof buf - 1};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof ctl;
        const ssize_t n = ::recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0) return;
        const std::string text(buf, static_cast<size_t>(n));
        messages.push_back(text);
        std::vector<int> fds;
        for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i) {
                    int fd;
                    std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                    fds.push_back(fd);
                }
        std::string name;
        if (auto p = text.find("FDNAME="); p != std::string::npos) name = text.substr(p + 7, text.find('\n', p) - p - 7);
        if (text.find("FDSTORE=1") != std::string::npos && !fds.empty()) {
            if (store.count(name)) ::close(store[name]);
            store[name] = fds.front();
        } else if (text.find("FDSTOREREMOVE=1") != std::string::npos && store.count(name)) {
            ::close(store[name]);
            store.erase(name);
        }
    }
};

// In the child that becomes the daemon: it dies with the test, and its output goes to `log`.
void daemon_child(const std::string& log) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(out, 2);
}

// Starts ifctld as a service manager would: $NOTIFY_SOCKET, the watchdog, and
// the stored descriptors as $LISTEN_FDS from 3 on.
pid_t start(const Manager& m, const std::string& socket, const std::string& state, const std::string& log) {
    const char* exe = std::getenv("IFCTLD");
    REQUIRE(exe);
    std::vector<std::pair<std::string, int>> fds(m.store.begin(), m.store.end());
    const pid_t pid = ::fork();
    if (pid == 0) {
        daemon_child(log);
        // Move the descriptors out of the way first, then to 3, 4, ...
        std::vector<int> high;
        for (auto& [_, fd] : fds) high.push_back(::fcntl(fd, F_DUPFD, 100));
        std::string names;
        for (size_t i = 0; i < high.size(); ++i) {
            ::dup2(high[i], 3 + static_cast<int>(i));
            names += (i ? ":" : "") + fds[i].first;
        }
        if (!high.empty()) {
            ::setenv("LISTEN_FDS", std::to_string(high.size()).c_str(), 1);
            ::setenv("LISTEN_FDNAMES", names.c_str(), 1);
            ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
        }
        ::setenv("NOTIFY_SOCKET", m.path.c_str(), 1);
        ::setenv("WATCHDOG_USEC", "200000", 1);
        ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
        ::execl(exe, exe, "--foreground", "--socket", socket.c_str(), "--state-dir", state.c_str(), "--log-level",
                "debug", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

void kill9(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

int stop(pid_t pid) {
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return st;
}

}  // namespace

TEST_CASE("READY, watchdog pings, and TAP queues kept in the fd store across kill -9") {
    Manager m;
    const std::string socket = m.dir + "/ifctld.sock", state = m.dir + "/state", log = m.dir + "/ifctld.log";
    pid_t pid = start(m, socket, state, log);
    REQUIRE(m.wait_for("READY=1"));
    CHECK(m.wait_for("WATCHDOG=1"));  // WatchdogSec= pings from the event loop

    std::unique_ptr<client::Connection> c;
    std::string why;
    REQUIRE(client::Connection::open(socket, c, why) == 0);
    proto::Interface tap;
    REQUIRE(c->create("sd0", {.persistent = true}, tap) == 0);
    REQUIRE(c->set_flags(client::InterfaceRef::by_name("sd0"), 1, 1) == 0);  // up: LOWER_UP shows the carrier
    const std::string name = "tap-" + std::to_string(tap.unique_id);
    REQUIRE(m.wait_for("FDNAME=" + name));
    REQUIRE(m.store.count(name) == 1);
    REQUIRE(has_flag(test::link("sd0"), "LOWER_UP"));

    // A crash: the manager still holds the queue, so the carrier stays.
    c.reset();
    kill9(pid);
    CHECK(has_flag(test::link("sd0"), "LOWER_UP"));

    // The next daemon takes the stored queue back instead of opening another.
    m.messages.clear();
    pid = start(m, socket, state, log);
    REQUIRE(m.wait_for("READY=1"));
    CHECK(has_flag(test::link("sd0"), "LOWER_UP"));
    REQUIRE(client::Connection::open(socket, c, why) == 0);
    proto::Interface again;
    REQUIRE(c->get(client::InterfaceRef::by_name("sd0"), again) == 0);
    CHECK(again.managed);
    CHECK(again.unique_id == tap.unique_id);
    CHECK(again.queues == 1);  // the stored queue, no second one
    CHECK(again.queues_detached == 0);
    CHECK(test::link("sd0")["linkinfo"]["info_data"]["persist"] == true);

    // Destroying it takes its queue out of the store.
    REQUIRE(c->destroy(client::InterfaceRef::by_name("sd0")) == 0);
    CHECK(m.wait_for("FDSTOREREMOVE=1\nFDNAME=" + name));
    c.reset();
    CHECK(stop(pid) == 0);
    CHECK(m.wait_for("STOPPING=1"));
}

TEST_CASE("socket activation with systemd-socket-activate") {
    if (::access("/usr/bin/systemd-socket-activate", X_OK) != 0) {
        WARN("systemd-socket-activate is not installed (package systemd): not tested");
        return;
    }
    const std::string dir = test::temp_dir("ifctl-sa"), socket = dir + "/ifctld.sock", log = dir + "/ifctld.log";
    const pid_t pid = ::fork();
    if (pid == 0) {
        daemon_child(log);
        ::execl("/usr/bin/systemd-socket-activate", "systemd-socket-activate", "--seqpacket", "-l", socket.c_str(),
                std::getenv("IFCTLD"), "--foreground", "--state-dir", (dir + "/state").c_str(), "--on-stop",
                "destroy", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // The socket exists before ifctld runs; the first client starts it.
    bool listening = false;
    for (int i = 0; i < 500 && !listening; ++i) {  // about 5 s at most
        listening = fs::exists(socket);
        if (!listening) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(listening);
    std::unique_ptr<client::Connection> c;
    std::string why;
    // The file appears at bind(), a moment before listen(): ECONNREFUSED until then.
    int rc = -ECONNREFUSED;
    for (int i = 0; i < 500 && rc == -ECONNREFUSED; ++i) {  // about 5 s at most
        rc = client::Connection::open(socket, c, why);
        if (rc == -ECONNREFUSED) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(rc == 0);
    proto::Interface tap;
    REQUIRE(c->create("sa0", {}, tap) == 0);
    CHECK(test::link("sa0") != nullptr);
    CHECK(slurp(log).find("serving the socket systemd passed") != std::string::npos);
    c.reset();
    CHECK(stop(pid) == 0);  // systemd-socket-activate execs ifctld: this is the daemon
    CHECK(test::link("sa0") == nullptr);  // not persistent: destroyed on a stop for good
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
