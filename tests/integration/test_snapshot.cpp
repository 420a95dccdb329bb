// The read-only snapshot end to end (docs/snapshot.md): gets answered in the
// caller's process while the daemon cannot answer at all (stopped with
// SIGSTOP), read-your-writes through ifctl_ioctl, a change made with `ip`
// behind the daemon's back seen within the contract's bound, a forked child,
// a region replaced when it grows, IFCTL_SNAPSHOT=off, readers racing a
// writer that never see a torn value or one older than an acknowledged change,
// and sockets made with ifctl_socket() (no getsockopt) keeping the kernel's
// answers for their family and, once closed, for a closed descriptor.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "ifctl/compat.h"
#include "ifctl/ifctl.h"
#include "libifctl/src/connection.hpp"
#include "libifctl/src/snapshot.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using test::connect;

namespace {

// One get through ifctl_ioctl: 0 and the value, or -errno.
int get_mtu(const char* name, int& mtu) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq r {};
    std::strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    const int rc = ifctl_ioctl(fd, SIOCGIFMTU, &r);
    const int e = errno;
    ::close(fd);
    if (rc < 0) return -e;
    mtu = r.ifr_mtu;
    return 0;
}

int set_mtu(const char* name, int mtu) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq r {};
    std::strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    r.ifr_mtu = mtu;
    const int rc = ifctl_ioctl(fd, SIOCSIFMTU, &r);
    const int e = errno;
    ::close(fd);
    return rc < 0 ? -e : 0;
}

int mtu_of(const char* name) {
    int mtu = -1;
    REQUIRE(get_mtu(name, mtu) == 0);
    return mtu;
}

void make_tap(client::Connection& c, const std::string& name) {
    proto::Interface rec;
    REQUIRE(c.create(name, {}, rec) == 0);
}

// A process stopped with SIGSTOP for the scope's duration.
struct Stopped {
    pid_t pid;
    explicit Stopped(pid_t p) : pid(p) { REQUIRE(::kill(pid, SIGSTOP) == 0); }
    ~Stopped() { ::kill(pid, SIGCONT); }
};

}  // namespace

TEST_CASE("gets under every personality are answered while the daemon cannot answer") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    REQUIRE(c->set_mtu(client::InterfaceRef::by_name("snap0"), 1280) == 0);
    REQUIRE(c->addr_add(client::InterfaceRef::by_name("snap0"), test::v4("10.76.0.1")) == 0);
    REQUIRE(mtu_of("snap0") == 1280);  // opens the library's connection: the snapshot comes with hello
    ::setenv("IFCTL_TIMEOUT_MS", "200", 1);
    {
        const Stopped frozen(d.pid());  // a round trip would now time out
        for (ifctl_personality_t p : {IFCTL_PERSONALITY_LINUX, IFCTL_PERSONALITY_BSD, IFCTL_PERSONALITY_SVR4}) {
            INFO("personality " << p);
            REQUIRE(ifctl_set_personality(p) == 0);
            CHECK(mtu_of("snap0") == 1280);
            const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            struct ifreq r {};
            std::strncpy(r.ifr_name, "snap0", IFNAMSIZ - 1);
            CHECK(ifctl_ioctl(fd, SIOCGIFFLAGS, &r) == 0);
            CHECK(ifctl_ioctl(fd, SIOCGIFINDEX, &r) == 0);
            ::close(fd);
        }
        // SIOCGIFCONF from the snapshot too, under every personality.
        for (ifctl_personality_t p : {IFCTL_PERSONALITY_LINUX, IFCTL_PERSONALITY_BSD, IFCTL_PERSONALITY_SVR4}) {
            INFO("personality " << p);
            REQUIRE(ifctl_set_personality(p) == 0);
            const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            alignas(8) char buf[4096];
            struct ifconf ifc {};
            ifc.ifc_len = sizeof buf;
            ifc.ifc_buf = buf;
            CHECK(ifctl_ioctl(fd, SIOCGIFCONF, &ifc) == 0);
            CHECK(ifc.ifc_len >= static_cast<int>(sizeof(struct ifreq)));
            ::close(fd);
        }
    }
    ::unsetenv("IFCTL_TIMEOUT_MS");
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
}

namespace {
int native_ioctl(int fd, unsigned long req, void* arg) { return static_cast<int>(::syscall(SYS_ioctl, fd, req, arg)); }

// rc and errno of one call, and the ifreq it left.
struct Answer {
    int rc;
    int err;
    struct ifreq r;
    bool operator==(const Answer& o) const { return rc == o.rc && err == o.err && !std::memcmp(&r, &o.r, sizeof r); }
};
Answer ask(int (*call)(int, unsigned long, void*), int fd, unsigned long req, const char* name) {
    Answer a{};
    std::memset(&a.r, 0x5a, sizeof a.r);  // the bytes a failed call must leave alone
    std::strncpy(a.r.ifr_name, name, IFNAMSIZ - 1);
    a.r.ifr_name[IFNAMSIZ - 1] = 0;
    errno = 0;
    a.rc = call(fd, req, &a.r);
    a.err = a.rc < 0 ? errno : 0;
    return a;
}
int via_ifctl(int fd, unsigned long req, void* arg) { return ifctl_ioctl(fd, req, arg); }
}  // namespace

TEST_CASE("a socket made with ifctl_socket keeps the kernel's answers, and a closed one is EBADF") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    test::run("ip addr add 10.9.0.1/24 dev snap0");
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
    REQUIRE(mtu_of("snap0") > 0);  // the library's connection, and the snapshot, are there

    SECTION("the family decides, as it does for the kernel") {
        // Linux: the address requests belong to AF_INET sockets; the
        // device requests answer on any socket.
        for (int family : {AF_INET, AF_INET6, AF_UNIX, AF_PACKET}) {
            INFO("family " << family);
            const int known = ifctl_socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            const int plain = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            REQUIRE(known >= 0);
            REQUIRE(plain >= 0);
            for (unsigned long req : {SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFFLAGS, SIOCGIFMTU}) {
                INFO("request " << std::hex << req);
                const Answer mine = ask(via_ifctl, known, req, "snap0");
                CHECK(mine == ask(native_ioctl, plain, req, "snap0"));
                CHECK(mine == ask(via_ifctl, plain, req, "snap0"));  // as on a socket it did not make
            }
            CHECK(ifctl_close_fd(known) == 0);
            CHECK(::close(plain) == 0);
        }
    }
    SECTION("closed with ifctl_close_fd: EBADF, and nothing written") {
        const int fd = ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        REQUIRE(ask(via_ifctl, fd, SIOCGIFFLAGS, "snap0").rc == 0);
        REQUIRE(ifctl_close_fd(fd) == 0);
        const Answer closed = ask(via_ifctl, fd, SIOCGIFFLAGS, "snap0");
        CHECK(closed.rc == -1);
        CHECK(closed.err == EBADF);
        CHECK(closed == ask(native_ioctl, fd, SIOCGIFFLAGS, "snap0"));
        errno = 0;
        CHECK(ifctl_close_fd(fd) == -1);  // close(2)'s answer, twice
        CHECK(errno == EBADF);
    }
    SECTION("the number made again as a pipe: ENOTTY, as from the kernel") {
        const int fd = ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        REQUIRE(ifctl_close_fd(fd) == 0);
        int p[2];
        REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        CHECK(p[0] == fd);  // the lowest free number: the one just closed
        for (int end : {p[0], p[1]}) {
            const Answer pipe_end = ask(via_ifctl, end, SIOCGIFFLAGS, "snap0");
            CHECK(pipe_end.rc == -1);
            CHECK(pipe_end.err == ENOTTY);
            CHECK(pipe_end == ask(native_ioctl, end, SIOCGIFFLAGS, "snap0"));
        }
        ::close(p[0]);
        ::close(p[1]);
    }
}

TEST_CASE("a change acknowledged is in the snapshot before the acknowledgement") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
    for (int i = 0; i < 200; ++i) {
        const int want = 1300 + i;
        REQUIRE(set_mtu("snap0", want) == 0);
        REQUIRE(mtu_of("snap0") == want);
        // Another connection's change too: acknowledged to it, then read here.
        REQUIRE(c->set_mtu(client::InterfaceRef::by_name("snap0"), want + 1000) == 0);
        REQUIRE(mtu_of("snap0") == want + 1000);
    }
}

TEST_CASE("a change made behind the daemon's back is in the snapshot within the bound") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    REQUIRE(mtu_of("snap0") == 1500);
    test::run("ip link set snap0 mtu 1400");
    const auto t0 = std::chrono::steady_clock::now();
    // The contract says 1 ms when idle; a test on a loaded machine allows 100 ms
    // (the load bound) and bench-snapshot measures the figure.
    while (mtu_of("snap0") != 1400 && std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(100))
        std::this_thread::yield();
    CHECK(mtu_of("snap0") == 1400);
    // An interface made behind its back is found (asked for, then published).
    test::run("ip tuntap add dev snapdummy mode tap");
    // bsd answers for interfaces it does not manage too (ENXIO only for unknown ones).
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_BSD) == 0);
    int m = 0;
    CHECK(get_mtu("snapdummy", m) == 0);
    CHECK(m == 1500);
    CHECK(get_mtu("nosuch0", m) == -ENXIO);
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
}

namespace {

// SIOCGIFCONF's bytes, through ifctl_ioctl or the kernel, on `on` or a socket
// the library makes for the call (no descriptor check: nothing but the answer
// is compared).
std::string ifconf_bytes(bool native, int len = 4096, int on = -1) {
    const int fd = on >= 0 ? on : ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    alignas(8) char buf[4096] = {};
    struct ifconf ifc {};
    ifc.ifc_len = len;
    ifc.ifc_buf = buf;
    const int rc = native ? native_ioctl(fd, SIOCGIFCONF, &ifc) : ifctl_ioctl(fd, SIOCGIFCONF, &ifc);
    if (on < 0) ifctl_close_fd(fd);
    REQUIRE(rc == 0);
    return std::string(buf, static_cast<size_t>(ifc.ifc_len));
}

// The kernel's SIOCGIFCONF answer as the daemon's snapshot holds it, once it
// holds the kernel's present one (the daemon reads it again shortly after each
// change); after 2 s, what it holds then ("" for none).
std::string published_ifconf(client::Connection& c) {
    int fd = -1;
    REQUIRE(c.snapshot(fd) == 0);
    client::snapshot::Mapping m;
    std::string why;
    REQUIRE(client::snapshot::map_snapshot(fd, m, why));
    std::string out;
    const auto t0 = std::chrono::steady_clock::now();
    for (;;) {
        std::span<const uint8_t> bytes;
        const bool held = client::snapshot::read_kernel_ifconf(m.region, bytes) == client::snapshot::Found::Record;
        out = held ? std::string(bytes.begin(), bytes.end()) : std::string();
        if ((held && out == ifconf_bytes(true)) || std::chrono::steady_clock::now() - t0 > std::chrono::seconds(2)) break;
        ::usleep(1000);
    }
    client::snapshot::unmap_snapshot(m);
    return out;
}

// Whether the interface's IPv4 address `ip` is in a SIOCGIFCONF answer.
bool lists(const std::string& conf, const char* ip) {
    for (size_t at = 0; at + sizeof(struct ifreq) <= conf.size(); at += sizeof(struct ifreq)) {
        struct ifreq e;
        std::memcpy(&e, conf.data() + at, sizeof e);
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&e.ifr_addr)->sin_addr, text, sizeof text);
        if (!std::strcmp(text, ip)) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("linux SIOCGIFCONF in the daemon's namespace is the kernel's answer, published in the snapshot") {
    test::Daemon d;
    auto c = connect(d);
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
    // The kernel lists devices in the order they joined the namespace, not by
    // index: the second pair has the lower index and comes last.
    test::run("ip link add snapcb index 60 type veth peer name snapcbp");
    test::run("ip link add snapca index 50 type veth peer name snapcap");
    test::run("ip addr add 10.77.0.1/24 dev snapca label snapca:x");
    test::run("ip addr add 10.77.1.1/24 dev snapcb");
    test::run("ip addr add 10.77.1.2/24 dev snapcb");
    make_tap(*c, "snapct");
    REQUIRE(c->addr_add(client::InterfaceRef::by_name("snapct"), test::v4("10.77.2.1")) == 0);
    // The daemon reads the kernel's answer again shortly after a change (until
    // then callers ask the kernel): wait until the snapshot holds it.
    const std::string kernel = ifconf_bytes(true);
    REQUIRE(lists(kernel, "10.77.0.1"));
    REQUIRE(lists(kernel, "10.77.2.1"));
    REQUIRE(published_ifconf(*c) == kernel);
    CHECK(ifconf_bytes(false) == kernel);
    for (int len : {0, 39, 40, 41, 80, 119, 120}) {
        INFO("ifc_len " << len);
        CHECK(ifconf_bytes(false, len) == ifconf_bytes(true, len));
    }
    // From the snapshot, not the kernel: with the daemon stopped, an address
    // added behind its back is in the kernel's answer and not yet in its.
    {
        const Stopped frozen(d.pid());
        test::run("ip addr add 10.77.3.1/24 dev snapca");
        CHECK(lists(ifconf_bytes(true), "10.77.3.1"));
        CHECK(ifconf_bytes(false) == kernel);
    }
    // Once it runs again it reads the change, within the freshness bound.
    const auto t0 = std::chrono::steady_clock::now();
    while (!lists(ifconf_bytes(false), "10.77.3.1") && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1))
        std::this_thread::yield();
    CHECK(lists(ifconf_bytes(false), "10.77.3.1"));
    CHECK(published_ifconf(*c) == ifconf_bytes(true));
    // A device that leaves the list and one that comes back change the order.
    test::run("ip link del snapcb");
    test::run("ip link add snapcb index 60 type veth peer name snapcbp");
    test::run("ip addr add 10.77.1.1/24 dev snapcb");
    REQUIRE(c->addr_add(client::InterfaceRef::by_name("snapct"), test::v4("10.77.4.1")) == 0);
    CHECK(ifconf_bytes(false) == ifconf_bytes(true));  // at once: the kernel's, until the daemon has read it
    CHECK(published_ifconf(*c) == ifconf_bytes(true));
    CHECK(ifconf_bytes(false) == ifconf_bytes(true));
    test::run("ip link del snapca");
    test::run("ip link del snapcb");
}

TEST_CASE("linux SIOCGIFCONF: an answer of thousands of addresses present at the daemon's start is published") {
    // 300 devices give the region room for 4096 entries; 2100 addresses make
    // an answer of 84000 bytes, set up before the daemon starts and left
    // alone, so that its first read is the only one.
    test::run("sh -c 'for i in $(seq 0 149); do echo link add snapbig$i type veth peer name snapbigp$i; done | "
              "ip -batch -'");
    test::run("sh -c 'for i in $(seq 0 2099); do echo addr add 10.79.$((i / 250)).$((i % 250 + 1))/32 dev snapbig0; "
              "done | ip -batch -'");
    {
        test::Daemon d;
        auto c = connect(d);
        CHECK(published_ifconf(*c).size() == 2100 * sizeof(struct ifreq));
    }
    test::run("sh -c 'for i in $(seq 0 149); do echo link del snapbig$i; done | ip -batch -'");
}

TEST_CASE("linux SIOCGIFCONF lists the address the caller's own ifctl_ioctl set on a device the daemon does not manage") {
    test::Daemon d;
    auto c = connect(d);
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
    // The library passes a change to a device the daemon does not manage to
    // the kernel; its acknowledgement comes from the kernel at once.
    test::run("ip link add snapown type veth peer name snapownp");
    // Other clients keep the daemon busy, as on a loaded system: the kernel's
    // event waits behind their requests.
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    std::vector<std::unique_ptr<client::Connection>> others;
    for (int t = 0; t < 4; ++t) others.push_back(connect(d));
    for (auto& other : others)
        load.emplace_back([&stop, &other] {
            std::vector<proto::Interface> all;
            while (!stop) (void)other->list(all);
        });
    int missed = 0;
    for (int i = 1; i <= 20; ++i) {
        // The snapshot holds the kernel's present answer: nothing pending.
        REQUIRE(published_ifconf(*c) == ifconf_bytes(true));
        const std::string ip = "10.80.0." + std::to_string(i);
        const int fd = ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq r {};
        std::strncpy(r.ifr_name, "snapown", IFNAMSIZ - 1);
        auto* sin = reinterpret_cast<sockaddr_in*>(&r.ifr_addr);
        sin->sin_family = AF_INET;
        REQUIRE(::inet_pton(AF_INET, ip.c_str(), &sin->sin_addr) == 1);
        REQUIRE(ifctl_ioctl(fd, SIOCSIFADDR, &r) == 0);
        alignas(8) char buf[4096] = {};
        struct ifconf ifc {};
        ifc.ifc_len = sizeof buf;
        ifc.ifc_buf = buf;
        REQUIRE(ifctl_ioctl(fd, SIOCGIFCONF, &ifc) == 0);
        ifctl_close_fd(fd);
        if (!lists(std::string(buf, static_cast<size_t>(ifc.ifc_len)), ip.c_str())) ++missed;
    }
    stop = true;
    for (std::thread& t : load) t.join();
    CHECK(missed == 0);
    test::run("ip link del snapown");
}

TEST_CASE("linux SIOCGIFCONF goes by the socket's namespace, also after the caller moved itself to another") {
    test::Daemon d;
    auto c = connect(d);
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
    test::run("ip link add snapleft type veth peer name snapleftp");
    test::run("ip addr add 10.81.0.1/24 dev snapleft");
    REQUIRE(lists(published_ifconf(*c), "10.81.0.1"));
    const pid_t pid = ::fork();
    if (pid == 0) {
        // A socket made in the daemon's namespace, then a namespace of the
        // process's own (no addresses there) and a socket made in it.
        const int before = ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        const bool listed = lists(ifconf_bytes(false), "10.81.0.1");
        const bool moved = ::unshare(CLONE_NEWNET) == 0;
        const int after = ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        // The old socket still lists the daemon's namespace, as the kernel does
        // for it; the new one lists the daemon's interfaces too (a caller in
        // another namespace sees the daemon's), where the kernel lists none.
        const bool old_is_kernel = ifconf_bytes(false, 4096, before) == ifconf_bytes(true, 4096, before);
        const bool new_is_daemon = lists(ifconf_bytes(false, 4096, after), "10.81.0.1") &&
                                   ifconf_bytes(true, 4096, after).empty();
        // Which went wrong, as bits of the exit status.
        ::_exit((listed ? 0 : 1) | (moved ? 0 : 2) | (old_is_kernel ? 0 : 4) | (new_is_daemon ? 0 : 8));
    }
    int status = -1;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    test::run("ip link del snapleft");
}

TEST_CASE("SIOCGIFCONF answers follow every change, under every personality") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snapcf");
    const auto tap = client::InterfaceRef::by_name("snapcf");
    for (ifctl_personality_t p : {IFCTL_PERSONALITY_LINUX, IFCTL_PERSONALITY_BSD, IFCTL_PERSONALITY_SVR4}) {
        INFO("personality " << p);
        REQUIRE(ifctl_set_personality(p) == 0);
        auto listed = [&](const char* ip) {
            const int fd = ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            alignas(8) char buf[4096] = {};
            struct ifconf ifc {};
            ifc.ifc_len = sizeof buf;
            ifc.ifc_buf = buf;
            REQUIRE(ifctl_ioctl(fd, SIOCGIFCONF, &ifc) == 0);
            ifctl_close_fd(fd);
            // Every personality's entry puts the name first and a sockaddr_in's address at the same place.
            const std::string conf(buf, static_cast<size_t>(ifc.ifc_len));
            in_addr want{};
            ::inet_pton(AF_INET, ip, &want);
            const std::string needle(reinterpret_cast<const char*>(&want), sizeof want);
            return conf.find(needle) != std::string::npos;
        };
        CHECK_FALSE(listed("10.78.0.1"));
        // The same answer twice (kept while nothing changes), then a change: the next answer has it.
        CHECK_FALSE(listed("10.78.0.1"));
        REQUIRE(c->addr_add(tap, test::v4("10.78.0.1")) == 0);
        CHECK(listed("10.78.0.1"));
        REQUIRE(c->addr_del(tap, test::v4("10.78.0.1")) == 0);
        CHECK_FALSE(listed("10.78.0.1"));
    }
    REQUIRE(ifctl_set_personality(IFCTL_PERSONALITY_LINUX) == 0);
}

TEST_CASE("a forked child keeps reading, and reads its own writes") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    REQUIRE(mtu_of("snap0") == 1500);
    const pid_t pid = ::fork();
    if (pid == 0) {
        int ok = mtu_of("snap0") == 1500;
        ok = ok && set_mtu("snap0", 1234) == 0 && mtu_of("snap0") == 1234;
        ::_exit(ok ? 0 : 1);
    }
    int status = -1;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    CHECK(mtu_of("snap0") == 1234);  // the parent sees the child's change
}

TEST_CASE("a region that grows is replaced and readers follow it") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    REQUIRE(mtu_of("snap0") == 1500);
    for (int i = 0; i < 40; ++i) make_tap(*c, "grow" + std::to_string(i));
    REQUIRE(c->set_mtu(client::InterfaceRef::by_name("grow39"), 1400) == 0);
    CHECK(mtu_of("grow39") == 1400);  // the old region said "moved": the new one is fetched
    ::setenv("IFCTL_TIMEOUT_MS", "200", 1);
    {
        const Stopped frozen(d.pid());
        CHECK(mtu_of("grow39") == 1400);  // and read without the daemon
        CHECK(mtu_of("snap0") == 1500);
    }
    ::unsetenv("IFCTL_TIMEOUT_MS");
}

TEST_CASE("IFCTL_SNAPSHOT=off: every read asks the daemon") {
    test::Daemon d;
    auto c = connect(d);
    make_tap(*c, "snap0");
    int to_child[2], from_child[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(from_child) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string in = std::to_string(to_child[0]), out = std::to_string(from_child[1]);
        ::execl("/proc/self/exe", "/proc/self/exe", "--snapshot-off-child", in.c_str(), out.c_str(), nullptr);
        ::_exit(2);
    }
    char byte = 0;
    REQUIRE(::read(from_child[0], &byte, 1) == 1);  // it has read once: connected
    {
        const Stopped frozen(d.pid());
        REQUIRE(::write(to_child[1], "x", 1) == 1);
        int status = -1;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
}

TEST_CASE("readers racing a writer never see a torn value or one older than an acknowledged change") {
    test::Daemon d;
    auto writer = connect(d);
    make_tap(*writer, "snap0");
    REQUIRE(mtu_of("snap0") == 1500);
    std::atomic<int> acked{1500};
    std::atomic<bool> done{false}, stale{false}, failed{false};
    std::atomic<long> reads{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i)
        readers.emplace_back([&] {
            int last = 0;
            while (!done.load()) {
                const int floor = acked.load();
                int mtu = 0;
                if (get_mtu("snap0", mtu) != 0) failed = true;
                // MTUs only grow here: an older value than one acknowledged
                // before the read began, or than one already read, is stale.
                if (mtu < floor || mtu < last) stale = true;
                last = mtu;
                ++reads;
            }
        });
    const auto t0 = std::chrono::steady_clock::now();
    for (int v = 1501; v < 1501 + 500 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20); ++v) {
        REQUIRE(writer->set_mtu(client::InterfaceRef::by_name("snap0"), static_cast<uint32_t>(v)) == 0);
        acked = v;
    }
    done = true;
    for (auto& t : readers) t.join();
    CHECK(!failed);
    CHECK(!stale);
    CHECK(reads > 0);
}

// The child of the IFCTL_SNAPSHOT=off case: reads once (connected), tells the
// parent, waits while it stops the daemon, then reads under bsd, where a
// daemon that does not answer means ENXIO; from a snapshot it would answer.
int snapshot_off_child(int in, int out) {
    ::setenv("IFCTL_SNAPSHOT", "off", 1);
    ::setenv("IFCTL_TIMEOUT_MS", "200", 1);
    ifctl_set_personality(IFCTL_PERSONALITY_BSD);
    int mtu = 0;
    if (get_mtu("snap0", mtu) != 0 || mtu != 1500) return 3;
    char byte = 0;
    if (::write(out, "x", 1) != 1 || ::read(in, &byte, 1) != 1) return 4;
    return get_mtu("snap0", mtu) == -ENXIO ? 0 : 5;
}

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "--snapshot-off-child") == 0)
        return snapshot_off_child(std::atoi(argv[2]), std::atoi(argv[3]));
    return test::run_catch_as_root(argc, argv);
}
