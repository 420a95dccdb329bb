// Integration tests of libifctl-preload.so with real users and real binaries.
//
// Two system users are made for the run (support/test_users: useradd,
// removed at exit, or by its watchdog if the test dies): one owns TAPs that
// root creates for it with `ifctl NAME create owner USER`, the other owns
// nothing. As those users
// (setpriv), unmodified net-tools `ifconfig`, busybox `ifconfig` and a small
// C program (preload_probe.c) run with LD_PRELOAD naming the shim. Each check
// reads the kernel's view back with `ip -j`; refused attempts must leave it
// exactly as it was. Runs under `unshare --net` (meson.build), as root.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_users.hpp"
#include "support/test_main.hpp"

using nlohmann::json;
using ifctl::test::Args;
using ifctl::test::Daemon;
using ifctl::test::exec;
using ifctl::test::has_flag;
using ifctl::test::ip;
using ifctl::test::link;
using ifctl::test::Run;

namespace {

// With IFCTL_DEBUG, the first line names the personality in force.
const std::string kPersonalityNote = "ifctl: personality linux\n";

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// ---- the test users ---------------------------------------------------------

// Made once per run by support/test_users (removed at exit, and by its
// watchdog if the test dies).
using ifctl::test::TestUser;
TestUser g_owner, g_other;

// ---- running things ---------------------------------------------------------

const std::string& shim() {
    static const std::string p = env_or_empty("IFCTL_PRELOAD");
    return p;
}

// As `user` (root when null), with `env` ("NAME=value", e.g. LD_PRELOAD) set
// for the program only, never for setpriv itself.
Run as(const TestUser* user, const Args& cmd, const Args& env = {}) {
    Args argv;
    if (user) argv = {"setpriv", "--reuid=" + user->name, "--regid=" + user->name, "--init-groups", "--"};
    argv.push_back("env");
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    Run r = exec(argv, 30000);
    return r;
}

Args with_shim(Args extra = {}) {
    extra.insert(extra.begin(), "LD_PRELOAD=" + shim());
    return extra;
}

// ifconfig's output without the packet counters, which the kernel's own IPv6
// traffic changes between two runs.
std::string without_counters(const std::string& s) {
    std::istringstream in(s);
    std::string out;
    for (std::string line; std::getline(in, line);)
        if (line.find("RX ") == std::string::npos && line.find("TX ") == std::string::npos) out += line + "\n";
    return out;
}

// The block of ifconfig's output about one interface (up to the blank line).
std::string block(const std::string& s, const std::string& name) {
    const std::string head = name + ": ";
    size_t at = s.rfind("\n" + head);
    at = s.compare(0, head.size(), head) == 0 ? 0 : (at == std::string::npos ? at : at + 1);
    if (at == std::string::npos) return "";
    const size_t end = s.find("\n\n", at);
    return s.substr(at, end == std::string::npos ? std::string::npos : end - at + 2);
}

// ---- the kernel's view --------------------------------------------------------

// Every link's settable state, by name (see settable() below).
json settable(const json& l);
json kernel_state() {
    json all = json::object();
    for (const json& l : ip({"-d", "addr", "show"})) all[l.at("ifname").get<std::string>()] = settable(l);
    return all;
}

std::vector<std::string> inet(const json& l) {
    std::vector<std::string> v;
    for (const json& a : l.at("addr_info"))
        if (a.at("family") == "inet") {
            std::string s = a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>());
            if (a.contains("broadcast")) s += " brd " + a.at("broadcast").get<std::string>();
            v.push_back(s);
        }
    return v;
}

// What ifconfig sets, without what the kernel settles on its own later
// (carrier and operstate after "up" come from linkwatch, asynchronously).
json settable(const json& l) {
    json flags = json::array();
    for (const json& f : l.at("flags"))
        if (f != "NO-CARRIER" && f != "LOWER_UP") flags.push_back(f);
    return json{{"mtu", l.at("mtu")}, {"address", l.at("address")}, {"txqlen", l.at("txqlen")},
                {"inet", inet(l)}, {"flags", flags}};
}

// After "up" the kernel sets the operational state (and so IFF_RUNNING and
// NO-CARRIER) later, from its linkwatch work. Waits, bounded, until the link
// reaches `operstate`, so two readings of it afterwards agree.
void settle(const std::string& name, const std::string& operstate) {
    for (int i = 0; i < 500; ++i) {  // at most 5 s
        if (link(name).at("operstate") == operstate) return;
        ::usleep(10000);
    }
    FAIL(name << " did not reach operstate " << operstate);
}

// ---- a daemon the test users may talk to -------------------------------------

struct Setup {
    Daemon d;
    Setup() {
        // The test users connect too: open the directory and the socket to
        // them (the access rules under test are the daemon's, not the file's).
        ::chmod(d.dir().c_str(), 0755);
        ::chmod(d.socket().c_str(), 0666);
    }
    // root creates a TAP owned by `u` with the ifctl command.
    void tap_for(const std::string& name, const TestUser& u) {
        const Run r = exec({env_or_empty("IFCTL_CLI"), name, "create", "owner", u.name});
        INFO(r);
        REQUIRE(r.status == 0);
    }
    std::string log() const {
        std::ifstream f(d.dir() + "/ifctld.log");
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
};

}  // namespace

TEST_CASE("net-tools ifconfig under the shim: the owner configures its TAP") {
    Setup s;
    s.tap_for("tpo0", g_owner);

    // Without the shim the owner is an ordinary user: the kernel refuses.
    const Run plain = as(&g_owner, {"ifconfig", "tpo0", "mtu", "1400"});
    CHECK(plain.status == 1);
    CHECK(plain.err == "SIOCSIFMTU: Operation not permitted\n");
    CHECK(link("tpo0").at("mtu") == 1500);

    const Run set = as(&g_owner, {"ifconfig", "tpo0", "10.9.0.1", "netmask", "255.255.255.0", "up"}, with_shim());
    INFO(set);
    CHECK(set.status == 0);
    CHECK(set.out.empty());
    CHECK(set.err.empty());
    settle("tpo0", "UNKNOWN");  // the daemon holds the TAP open: carrier on
    json l = link("tpo0");
    CHECK(inet(l) == std::vector<std::string>{"10.9.0.1/24 brd 10.9.0.255"});
    CHECK(has_flag(l, "UP"));

    const Run mtu = as(&g_owner, {"ifconfig", "tpo0", "mtu", "1400"}, with_shim());
    INFO(mtu);
    CHECK(mtu.status == 0);
    CHECK(mtu.err.empty());
    CHECK(link("tpo0").at("mtu") == 1400);

    // What the owner sees through the shim (the daemon's answers) is what
    // root sees from the kernel without it.
    const Run shown = as(&g_owner, {"ifconfig", "tpo0"}, with_shim());
    const Run kernel = as(nullptr, {"ifconfig", "tpo0"});
    INFO(shown);
    CHECK(shown.status == 0);
    CHECK(shown.out.rfind("tpo0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400\n", 0) == 0);
    CHECK(shown.out.find("\n        inet 10.9.0.1  netmask 255.255.255.0  broadcast 10.9.0.255\n") != std::string::npos);
    CHECK(without_counters(shown.out) == without_counters(kernel.out));

    const Run all = as(&g_owner, {"ifconfig", "-a"}, with_shim());
    const Run all_kernel = as(nullptr, {"ifconfig", "-a"});
    INFO(all);
    CHECK(all.status == 0);
    CHECK(without_counters(block(all.out, "tpo0")) == without_counters(shown.out));
    CHECK(without_counters(all.out) == without_counters(all_kernel.out));

    // IPv6: net-tools sends an in6_ifreq (by ifindex) on an AF_INET6 socket.
    const Run add6 = as(&g_owner, {"ifconfig", "tpo0", "add", "2001:db8::1/64"}, with_shim());
    INFO(add6);
    CHECK(add6.status == 0);
    CHECK(add6.err.empty());
    auto has6 = [](const json& l, const std::string& addr = "2001:db8::1") {
        for (const json& a : l.at("addr_info"))
            if (a.at("local") == addr && a.at("prefixlen") == 64) return true;
        return false;
    };
    CHECK(has6(link("tpo0")));
    const Run shown6 = as(&g_owner, {"ifconfig", "tpo0"}, with_shim());
    CHECK(shown6.out.find("\n        inet6 2001:db8::1  prefixlen 64  scopeid 0x0<global>\n") != std::string::npos);
    const Run del6 = as(&g_owner, {"ifconfig", "tpo0", "del", "2001:db8::1/64"}, with_shim());
    INFO(del6);
    CHECK(del6.status == 0);
    CHECK(!has6(link("tpo0")));
    // Another user may not add one.
    const Run other6 = as(&g_other, {"ifconfig", "tpo0", "add", "2001:db8::2/64"}, with_shim());
    CHECK(other6.status == 1);
    CHECK(other6.err == "SIOCSIFADDR: Operation not permitted\n");
    CHECK(!has6(link("tpo0"), "2001:db8::2"));

    // The daemon did the work, for this user.
    const std::string log = s.log();
    CHECK(log.find("op=set-mtu interface=tpo0") != std::string::npos);
}

TEST_CASE("net-tools ifconfig under the shim: a user who does not own the TAP is refused, nothing changes") {
    Setup s;
    s.tap_for("tpo1", g_owner);
    REQUIRE(as(&g_owner, {"ifconfig", "tpo1", "10.9.0.1", "netmask", "255.255.255.0", "up"}, with_shim()).status == 0);
    settle("tpo1", "UNKNOWN");
    const json before = kernel_state();

    // net-tools goes on after a failed SIOCSIFADDR (it then sets IFF_UP|IFF_RUNNING)
    // and exits 255 when SIOCSIFFLAGS fails, 1 for the other requests.
    struct Attempt {
        Args cmd;
        int status;
        std::string err;
    };
    const Attempt attempts[] = {
        {{"ifconfig", "tpo1", "10.9.0.2"}, 255,
         "SIOCSIFADDR: Operation not permitted\nSIOCSIFFLAGS: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "netmask", "255.255.0.0"}, 1, "SIOCSIFNETMASK: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "broadcast", "10.9.0.127"}, 255,
         "SIOCSIFBRDADDR: Operation not permitted\nSIOCSIFFLAGS: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "dstaddr", "10.9.0.9"}, 1, "SIOCSIFDSTADDR: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "mtu", "1300"}, 1, "SIOCSIFMTU: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "down"}, 255, "SIOCSIFFLAGS: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "-arp"}, 255, "SIOCSIFFLAGS: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "hw", "ether", "02:00:00:00:00:99"}, 1, "SIOCSIFHWADDR: Operation not permitted\n"},
        {{"ifconfig", "tpo1", "txqueuelen", "10"}, 1, "SIOCSIFTXQLEN: Operation not permitted\n"},
    };
    for (const Attempt& a : attempts) {
        const Run r = as(&g_other, a.cmd, with_shim());
        INFO(r);
        CHECK(r.status == a.status);
        CHECK(r.err == a.err);
        CHECK(r.out.empty());
    }
    CHECK(kernel_state() == before);
    // The refusals were the daemon's (it manages tpo1), not the kernel's.
    const std::string log = s.log();
    for (const char* op : {"set-mtu", "set-flags", "set-txqlen"}) {
        INFO(op);
        CHECK(log.find("comm=ifconfig op=" + std::string(op) + " interface=tpo1 ") != std::string::npos);
        CHECK(log.find("message=\"tpo1 is owned by uid") != std::string::npos);
    }

    // Reading is allowed: the other user sees the owner's configuration.
    const Run shown = as(&g_other, {"ifconfig", "tpo1"}, with_shim());
    CHECK(shown.status == 0);
    CHECK(shown.out.find("inet 10.9.0.1  netmask 255.255.255.0") != std::string::npos);
}

TEST_CASE("interfaces the daemon does not manage are the kernel's, through the shim too") {
    Setup s;
    ifctl::test::run("ip tuntap add dev km0 mode tap && ip addr add 10.8.0.1/24 dev km0");
    const json before = kernel_state();
    for (const char* name : {"lo", "km0"}) {
        INFO(name);
        const Run shim_run = as(&g_owner, {"ifconfig", name}, with_shim());
        const Run plain = as(&g_owner, {"ifconfig", name});
        CHECK(shim_run.status == 0);
        CHECK(shim_run.out == plain.out);
        CHECK(shim_run.err == plain.err);
        // A user may not change them, with the kernel's own refusal.
        const Run mtu = as(&g_owner, {"ifconfig", name, "mtu", "1280"}, with_shim());
        CHECK(mtu.status == 1);
        CHECK(mtu.err == "SIOCSIFMTU: Operation not permitted\n");
    }
    // root, through the shim, changes them as it would without it.
    const Run root = as(nullptr, {"ifconfig", "km0", "mtu", "1280"}, with_shim());
    CHECK(root.status == 0);
    CHECK(link("km0").at("mtu") == 1280);
    ifctl::test::run("ip link set km0 mtu 1500");
    CHECK(kernel_state() == before);
    ifctl::test::run("ip link del km0");
}

TEST_CASE("SIOCGIFCONF through the shim is the kernel's list, daemon-owned interfaces included") {
    Setup s;
    s.tap_for("tpo2", g_owner);
    ifctl::test::run("ip tuntap add dev km1 mode tap && ip addr add 10.8.1.1/24 dev km1");
    REQUIRE(as(&g_owner, {"ifconfig", "tpo2", "10.9.2.1", "up"}, with_shim()).status == 0);
    const Run r = as(&g_owner, {env_or_empty("IFCTL_PROBE"), "conf"}, with_shim());
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.out == "lo 127.0.0.1\ntpo2 10.9.2.1\nkm1 10.8.1.1\nok\n");
    ifctl::test::run("ip link del km1");
}

TEST_CASE("a forked child, closed descriptors, re-entry and threads: the shim stays safe") {
    Setup s;
    s.tap_for("tpo3", g_owner);
    REQUIRE(as(&g_owner, {"ifconfig", "tpo3", "up"}, with_shim()).status == 0);
    const Run f = as(&g_owner, {env_or_empty("IFCTL_PROBE"), "fork", "tpo3", "1401", "1402"}, with_shim());
    INFO(f);
    CHECK(f.status == 0);
    REQUIRE(f.out.rfind("child ", 0) == 0);
    CHECK(f.out.substr(f.out.find('\n') + 1) == "ok\n");
    CHECK(link("tpo3").at("mtu") == 1402);
    // The child's change came over a connection of its own (the daemon reads
    // the peer's pid at accept), not over the one it inherited.
    const std::string child = f.out.substr(6, f.out.find('\n') - 6);
    CHECK(s.log().find(" pid=" + child + " comm=preload_probe op=set-mtu interface=tpo3 ") !=
          std::string::npos);
    // A program that closes every descriptor (as daemons do at start) and
    // reuses the numbers: the shim notices, reconnects, writes nothing into them.
    const Run c = as(&g_owner, {env_or_empty("IFCTL_PROBE"), "closed", "tpo3"}, with_shim());
    INFO(c);
    CHECK(c.status == 0);
    CHECK(c.out == "ok\n");
    // The shim knows the family of a socket it saw made without asking the
    // kernel; once the number is closed or replaced and reused, it asks again.
    const Run u = as(&g_owner, {env_or_empty("IFCTL_PROBE"), "reused", "tpo3"}, with_shim());
    INFO(u);
    CHECK(u.status == 0);
    CHECK(u.out == "ok\n");
    // An ioctl made while the shim is at work in the same thread goes straight
    // to the kernel (here tpo3's flags, UP); without the guard it would wait
    // for the lock its own thread holds.
    const Run re = as(&g_owner, {env_or_empty("IFCTL_PROBE"), "reenter", "tpo3"}, with_shim());
    INFO(re);
    CHECK(re.status == 0);
    CHECK(re.out == "ok\n");
    const Run t = as(&g_owner, {env_or_empty("IFCTL_PROBE"), "threads", "tpo3"}, with_shim());
    INFO(t);
    CHECK(t.status == 0);
    CHECK(t.out == "ok\n");
    const int mtu = link("tpo3").at("mtu");
    CHECK((mtu >= 1300 && mtu <= 1303));
}

TEST_CASE("a daemon lost mid-session: the change under way is EIO, later requests go to the kernel") {
    Setup s;
    s.tap_for("tpo5", g_owner);
    // As root, so the probe may kill the daemon. The TAP outlives the daemon
    // (ifctld keeps every managed TAP IFF_PERSIST, docs/persistence.md), so the
    // kernel then answers the next change itself: 0, as root.
    const Run r = as(nullptr, {env_or_empty("IFCTL_PROBE"), "lost", "tpo5", std::to_string(s.d.pid())},
                     with_shim({"IFCTL_DEBUG=1"}));
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.out == "EIO\n0\n");
    // The personality in force, then one note for the loss, one for the daemon
    // not being there afterwards (refused, or reset if the dying daemon's socket
    // still took the connect).
    CHECK(r.err.rfind(kPersonalityNote + "ifctl: connection to ifctld lost: ", 0) == 0);
    const std::string tail = "; interface requests go to the kernel\n";
    CHECK(r.err.size() > tail.size());
    CHECK(r.err.compare(r.err.size() - tail.size(), tail.size(), tail) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 3);
}

TEST_CASE("ifctld itself under the shim does not send its own requests to itself") {
    // The daemon's SIOCADDMULTI on a managed TAP, through a shim that would wait
    // 10 minutes for an answer: it must go to the kernel by system call.
    ::setenv("LD_PRELOAD", shim().c_str(), 1);
    ::setenv("IFCTL_TIMEOUT_MS", "600000", 1);
    std::unique_ptr<Setup> s;
    try {
        s = std::make_unique<Setup>();
    } catch (...) {
        ::unsetenv("LD_PRELOAD");
        ::unsetenv("IFCTL_TIMEOUT_MS");
        throw;
    }
    ::unsetenv("LD_PRELOAD");
    ::unsetenv("IFCTL_TIMEOUT_MS");
    s->tap_for("tpo6", g_owner);
    const Run r = exec({env_or_empty("IFCTL_CLI"), "tpo6", "addm", "01:00:5e:00:00:42"});
    INFO(r);
    CHECK(!r.timed_out);
    CHECK(r.status == 0);
    bool joined = false;
    for (const json& l : ip({"maddr", "show", "dev", "tpo6"}))
        for (const json& m : l.value("maddr", json::array())) joined = joined || m.value("link", "") == "01:00:5e:00:00:42";
    CHECK(joined);
}

TEST_CASE("busybox ifconfig under the shim") {
    if (exec({"sh", "-c", "command -v busybox"}).status != 0) {
        WARN("busybox is not installed (scripts/install-deps.sh installs it); skipped");
        return;
    }
    Setup s;
    s.tap_for("tpo4", g_owner);
    const Run set = as(&g_owner, {"busybox", "ifconfig", "tpo4", "10.9.4.1", "netmask", "255.255.255.0", "mtu", "1280", "up"},
                       with_shim());
    INFO(set);
    CHECK(set.status == 0);
    CHECK(set.err.empty());
    const json l = link("tpo4");
    CHECK(inet(l) == std::vector<std::string>{"10.9.4.1/24 brd 10.9.4.255"});
    CHECK(l.at("mtu") == 1280);
    CHECK(has_flag(l, "UP"));
    settle("tpo4", "UNKNOWN");
    const Run shown = as(&g_owner, {"busybox", "ifconfig", "tpo4"}, with_shim());
    CHECK(shown.status == 0);
    CHECK(without_counters(shown.out) == without_counters(as(nullptr, {"busybox", "ifconfig", "tpo4"}).out));
    CHECK(shown.out.find("inet addr:10.9.4.1  Bcast:10.9.4.255  Mask:255.255.255.0") != std::string::npos);
    CHECK(shown.out.find("MTU:1280") != std::string::npos);

    const json before = kernel_state();
    const Run refused = as(&g_other, {"busybox", "ifconfig", "tpo4", "mtu", "1300"}, with_shim());
    INFO(refused);
    CHECK(refused.status == 1);
    CHECK(refused.err == "ifconfig: SIOCSIFMTU: Operation not permitted\n");
    CHECK(kernel_state() == before);
}

TEST_CASE("with no daemon, a program under the shim behaves exactly as without it") {
    // Up, and settled without carrier (nothing holds this TAP open), before
    // the two runs that are compared.
    ifctl::test::run("ip tuntap add dev km2 mode tap && ip link set km2 up");
    settle("km2", "DOWN");
    REQUIRE(has_flag(link("km2"), "NO-CARRIER"));
    const Args no_daemon{"IFCTL_SOCKET=/nonexistent/ifctld.sock"};
    const std::vector<Args> cmds = {
        {"ifconfig", "-a"}, {"ifconfig", "km2", "10.8.2.1", "netmask", "255.255.255.0"},
        {"ifconfig", "km2", "mtu", "1400"}, {"ifconfig", "km2"}, {"ifconfig", "nosuch0"}};
    for (const Args& cmd : cmds) {
        INFO(ifctl::test::join(cmd));
        // As a user: every change refused, the same way.
        const Run u_shim = as(&g_owner, cmd, with_shim(no_daemon));
        const Run u_plain = as(&g_owner, cmd);
        CHECK(u_shim.status == u_plain.status);
        CHECK(u_shim.out == u_plain.out);
        CHECK(u_shim.err == u_plain.err);
    }
    for (const Args& cmd : cmds) {
        // As root the changes happen; run the shim first, then check the plain
        // run (which repeats the change) finds and leaves the same state.
        INFO(ifctl::test::join(cmd));
        const Run r_shim = as(nullptr, cmd, with_shim(no_daemon));
        const json after_shim = settable(link("km2"));
        const Run r_plain = as(nullptr, cmd);
        CHECK(r_shim.status == r_plain.status);
        CHECK(without_counters(r_shim.out) == without_counters(r_plain.out));
        CHECK(r_shim.err == r_plain.err);
        CHECK(settable(link("km2")) == after_shim);
    }
    CHECK(link("km2").at("mtu") == 1400);

    // IFCTL_DEBUG: the personality, then one line for the whole run, however many requests.
    const Run dbg = as(&g_owner, {"ifconfig", "-a"}, with_shim({"IFCTL_SOCKET=/nonexistent/ifctld.sock", "IFCTL_DEBUG=1"}));
    CHECK(dbg.status == 0);
    CHECK(dbg.err == kPersonalityNote +
          "ifctl: ifctld is not running (nothing listens on /nonexistent/ifctld.sock); start it with \"systemctl "
          "start ifctld\" or \"ifctld --socket /nonexistent/ifctld.sock\"; interface requests go to the kernel\n");
    ifctl::test::run("ip link del km2");
}

TEST_CASE("a daemon that never answers does not hang the program") {
    // A socket that listens but never accepts: connect succeeds, no reply comes.
    const std::string dir = ifctl::test::temp_dir("ifctl-stuck");
    ::chmod(dir.c_str(), 0755);
    const std::string path = dir + "/ifctld.sock";
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    ::chmod(path.c_str(), 0666);
    const Run r = as(&g_owner, {"ifconfig", "lo"},
                     with_shim({"IFCTL_SOCKET=" + path, "IFCTL_TIMEOUT_MS=50", "IFCTL_DEBUG=1"}));
    const Run plain = as(&g_owner, {"ifconfig", "lo"});
    INFO(r);
    CHECK(!r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == plain.out);
    CHECK(r.err.find("ifctl: version exchange with ifctld failed: ifctld did not answer in time") == kPersonalityNote.size());
    ::close(fd);
}

int main(int argc, char** argv) {
    // Users for the whole run, removed at the end whatever happens (see test_users.hpp).
    std::optional<ifctl::test::TestUsers> users;
    return ifctl::test::run_catch_as_root(argc, argv, [&] {
        if (shim().empty() || env_or_empty("IFCTLD").empty() || env_or_empty("IFCTL_CLI").empty() ||
            env_or_empty("IFCTL_PROBE").empty()) {
            std::cerr << "test_preload: IFCTL_PRELOAD, IFCTLD, IFCTL_CLI and IFCTL_PROBE must be set (meson test sets them)\n";
            return 1;
        }
        // A sanitizer build's shim needs the sanitizer runtime loaded before it,
        // which unmodified programs (ifconfig, busybox) do not do: the plain build
        // runs these tests.
        if (exec({"sh", "-c", "nm -D \"$0\" | grep -q '__asan_\\|__ubsan_'", shim()}).status == 0) {
            std::cerr << "test_preload: the shim is a sanitizer build; unmodified programs cannot load it; skipping\n";
            return 77;
        }
        ifctl::test::loopback_up();
        ifctl::test::no_dad();
        users.emplace("pre");
        g_owner = users->add_user("owner");
        g_other = users->add_user("other");
        return 0;
    });
}
