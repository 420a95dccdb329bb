// The library and a daemon it should not trust: IFCTL_SOCKET pointing at a
// listener of another, unprivileged user (a real user made for the test) that
// answers every request "done" and passes descriptors with every reply. The
// library refuses such a daemon with EPERM before sending anything; with
// IFCTL_DAEMON_UID naming that user it is accepted, and every descriptor a reply
// was not asked to carry is closed. The caller's descriptors are counted in
// /proc/self/fd over 50 calls each way.
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ifctl/ifctl.h"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/wire.hpp"
#include "support/send_fds.hpp"
#include "support/test_main.hpp"
#include "support/test_users.hpp"

using namespace ifctl;

namespace {

size_t own_fds() {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator("/proc/self/fd")) (void)e, ++n;
    return n;
}

// Every reply carries these many descriptors (/dev/null), asked for or not.
constexpr int kPassed = 3;

// Answers one frame: a reply of the same op and id, status 0, an interface
// record "lo" (so that get and list succeed), and kPassed descriptors.
bool answer(int conn, const uint8_t* frame, size_t len) {
    proto::Header h;
    if (proto::parse_header(std::span<const uint8_t>(frame, len), h, false)) return false;
    proto::Writer w(h.op, proto::kFlagReply, h.id, 0);
    if (h.op == static_cast<uint16_t>(proto::Op::Get) || h.op == static_cast<uint16_t>(proto::Op::List)) {
        proto::Interface lo;
        lo.index = 1;
        lo.name = "lo";
        lo.mtu = 65536;
        proto::encode_interface(w, lo);
    }
    std::vector<uint8_t> f = w.finish();
    int fds[kPassed];
    for (int& fd : fds) fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const bool ok = test::send_with_fds(conn, f, fds);
    for (int fd : fds) ::close(fd);
    return ok;
}

// The fake daemon: a child that becomes `u`, listens on `path` and serves one
// connection at a time until it is killed. Returns its pid once it listens.
pid_t start_fake_daemon(const test::TestUser& u, const std::string& path) {
    int ready[2];
    REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(ready[0]);
        if (::setgroups(0, nullptr) < 0 || ::setgid(u.gid) < 0 || ::setuid(u.uid) < 0) ::_exit(2);
        const int s = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
        if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(s, 64) < 0) ::_exit(3);
        ::chmod(path.c_str(), 0666);
        (void)!::write(ready[1], "r", 1);
        ::close(ready[1]);
        std::vector<uint8_t> buf(proto::kMaxFrame);
        for (;;) {
            const int conn = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0) continue;
            for (;;) {
                const ssize_t n = ::recv(conn, buf.data(), buf.size(), 0);
                if (n <= 0 || !answer(conn, buf.data(), static_cast<size_t>(n))) break;
            }
            ::close(conn);
        }
    }
    ::close(ready[1]);
    char b = 0;
    const bool listening = ::read(ready[0], &b, 1) == 1;
    ::close(ready[0]);
    REQUIRE(listening);
    return pid;
}

// A directory the fake daemon's user may create its socket in, removed with it.
struct FakeDaemon {
    std::string dir, path;
    pid_t pid = -1;

    explicit FakeDaemon(const test::TestUser& u) {
        char tmpl[] = "/tmp/ifctl-trust-XXXXXX";
        REQUIRE(::mkdtemp(tmpl));
        dir = tmpl;
        REQUIRE(::chown(dir.c_str(), u.uid, u.gid) == 0);
        path = dir + "/ifctld.sock";
        pid = start_fake_daemon(u, path);
    }
    ~FakeDaemon() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

}  // namespace

TEST_CASE("a daemon socket of another user is refused, and passed descriptors never stay open") {
    test::TestUsers users("trust");
    const test::TestUser mallory = users.add_user("fake");
    FakeDaemon fake(mallory);
    ::setenv("IFCTL_SOCKET", fake.path.c_str(), 1);
    ::unsetenv("IFCTL_DAEMON_UID");

    SECTION("untrusted: every connect fails with EPERM, naming the daemon's user, and leaves no descriptor") {
        const size_t before = own_fds();
        for (int i = 0; i < 50; ++i) {
            ifctl_t* h = nullptr;
            char why[512];
            REQUIRE(ifctl_open(&h, nullptr, why, sizeof why) == -EPERM);
            CHECK(h == nullptr);
            if (i == 0) {
                INFO(why);
                CHECK(std::string(why).find("refusing the daemon at " + fake.path) != std::string::npos);
                CHECK(std::string(why).find(mallory.name) != std::string::npos);
                CHECK(std::string(why).find("IFCTL_DAEMON_UID") != std::string::npos);
            }
        }
        CHECK(own_fds() == before);
    }

    SECTION("trusted through IFCTL_DAEMON_UID (name or number): the descriptors it passes are closed") {
        for (const std::string& named : {mallory.name, std::to_string(mallory.uid)}) {
            INFO("IFCTL_DAEMON_UID=" << named);
            ::setenv("IFCTL_DAEMON_UID", named.c_str(), 1);
            ifctl_t* h = nullptr;
            char why[512];
            REQUIRE(ifctl_open(&h, nullptr, why, sizeof why) == 0);
            const size_t before = own_fds();
            for (int i = 0; i < 50; ++i) {
                ifctl_iface_t iface;
                REQUIRE(ifctl_get(h, "lo", &iface) == 0);
                ifctl_iface_free(&iface);
                ifctl_iface_t* list = nullptr;
                size_t count = 0;
                REQUIRE(ifctl_list(h, &list, &count) == 0);
                CHECK(count == 1);
                ifctl_list_free(list, count);
                REQUIRE(ifctl_set_mtu(h, "lo", 1280) == 0);  // believed: that is what trusting means
            }
            CHECK(own_fds() == before);
            ifctl_close(h);
        }
        ::unsetenv("IFCTL_DAEMON_UID");
    }

    SECTION("a uid in IFCTL_DAEMON_UID that is not the daemon's trusts nothing") {
        ::setenv("IFCTL_DAEMON_UID", std::to_string(mallory.uid + 1).c_str(), 1);
        ifctl_t* h = nullptr;
        char why[512];
        CHECK(ifctl_open(&h, nullptr, why, sizeof why) == -EPERM);
        ::unsetenv("IFCTL_DAEMON_UID");
    }
    ::unsetenv("IFCTL_SOCKET");
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
