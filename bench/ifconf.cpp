// bench-ifconf: SIOCGIFCONF through ifctl_ioctl against the kernel's own, with
// 1, 100, 1000 and 4096 interfaces that each have one IPv4 address.
//
// The interfaces are lo and daemon-owned TAPs (10.<i/256>.<i%256>.1/24),
// added step by step in one namespace. At each step both paths must return
// the same bytes; then R runs alternate a native row and an ifctl row of K
// timed calls each, and each row's figure is the median of its runs' medians.
//
// ifctl_ioctl hands SIOCGIFCONF to the kernel when the daemon is in the
// caller's namespace, as here. The ifctl row runs as root; a second one as
// uid 65534 in a child process (which finds the namespace from the daemon's
// mark, not /proc); a last row times what callers outside the namespace get:
// the daemon's List, through client::Connection, without the 40-byte packing.
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "common.hpp"
#include "ifctl/ifctl.h"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

const char* const kUsage =
    "usage: bench-ifconf [--quick] [--runs R] [--data DIR] [--loop N COUNT]\n"
    "  --loop N COUNT  only ifctl_ioctl(SIOCGIFCONF) with N interfaces, COUNT calls (to profile)\n";

// Timed calls per run at each size: enough to take a median, few enough that
// the 4096 step stays within seconds.
int calls_for(int n) {
    if (n <= 10) return 2000;
    if (n <= 100) return 500;
    if (n <= 1000) return 100;
    return 40;
}

// The median of `calls` timed SIOCGIFCONF calls through ifctl_ioctl made by a
// child running as uid and gid 65534, after `warm` untimed ones; the first
// answer must be `expect`, byte for byte.
double unprivileged_median(int warm, int calls, const std::vector<char>& expect, int entries) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) fail("pipe: " + errno_text(errno));
    const pid_t pid = ::fork();
    if (pid < 0) fail("fork: " + errno_text(errno));
    if (pid == 0) {
        ::close(p[0]);
        if (::setgroups(0, nullptr) < 0 || ::setgid(65534) < 0 || ::setuid(65534) < 0) ::_exit(2);
        const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        std::vector<char> buf(expect.size(), 0);
        auto call = [&] {
            struct ifconf ifc {};
            ifc.ifc_len = static_cast<int>(buf.size());
            ifc.ifc_buf = buf.data();
            if (ifctl_ioctl(sock, SIOCGIFCONF, &ifc) < 0) ::_exit(3);
            return ifc.ifc_len;
        };
        if (call() != entries * static_cast<int>(sizeof(struct ifreq)) || buf != expect) ::_exit(4);
        double med = -1;
        try {
            med = median(time_calls(warm, calls, [&](int) { call(); }));
        } catch (...) {
            ::_exit(5);
        }
        ::_exit(::write(p[1], &med, sizeof med) == sizeof med ? 0 : 6);
    }
    ::close(p[1]);
    double med = -1;
    const bool got = ::read(p[0], &med, sizeof med) == sizeof med;
    ::close(p[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (!got || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("SIOCGIFCONF as uid 65534 failed or differed from the kernel's (child status " + std::to_string(st) + ")");
    return med;
}

int run_bench(const Options& o, int loop_n, int loop_count) {
    std::vector<int> steps = o.quick ? std::vector<int>{1, 10} : std::vector<int>{1, 100, 1000, 4096};
    if (loop_n) steps = {loop_n};

    test::Daemon daemon;
    std::unique_ptr<client::Connection> conn;
    std::string why;
    if (client::Connection::open(daemon.socket(), conn, why, "bench-ifconf") < 0) fail("connecting to ifctld: " + why);
    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) fail("socket: " + errno_text(errno));
    // Let uid 65534 reach the daemon (its socket is root's, in a private directory).
    if (::chmod(daemon.dir().c_str(), 0711) < 0 || ::chmod(daemon.socket().c_str(), 0666) < 0)
        fail("opening the daemon's socket to uid 65534: " + errno_text(errno));

    std::vector<char> native_buf, ifctl_buf;
    auto conf = [&](bool native, std::vector<char>& buf) {
        struct ifconf ifc {};
        ifc.ifc_len = static_cast<int>(buf.size());
        ifc.ifc_buf = buf.data();
        const int rc = native ? ::ioctl(sock, SIOCGIFCONF, &ifc) : ifctl_ioctl(sock, SIOCGIFCONF, &ifc);
        if (rc < 0) fail(std::string(native ? "ioctl" : "ifctl_ioctl") + " SIOCGIFCONF: " + errno_text(errno));
        return ifc.ifc_len / static_cast<int>(sizeof(struct ifreq));
    };

    if (!loop_n) print_header("bench-ifconf", o, "SIOCGIFCONF, ifctl_ioctl vs the kernel's ioctl");
    DataFile data(o, "ifconf", "interfaces native_us ifctl_us ratio list_us list_ratio unpriv_us unpriv_ratio");
    if (!loop_n)
        std::printf("\n%10s %10s %10s %7s %8s %-8s %13s %7s %-8s %14s %7s\n", "interfaces", "kernel us", "ifctl us",
                    "ratio", "target", "", "uid 65534 us", "ratio", "", "daemon List us", "ratio");
    int taps = 0;  // daemon TAPs so far: interfaces = lo + taps
    for (int n : steps) {
        const double made = daemon_taps(*conn, "bc", taps, n - 1, true);
        if (n - 1 > taps && !loop_n)
            std::printf("  (%d TAPs made through ifctld and addressed in %.2f s)\n", n - 1 - taps, made);
        taps = std::max(taps, n - 1);
        native_buf.assign(static_cast<size_t>(n + 8) * sizeof(struct ifreq), 0);
        ifctl_buf.assign(native_buf.size(), 0);
        const int k = conf(true, native_buf), d = conf(false, ifctl_buf);
        if (k != n || d != n || std::memcmp(native_buf.data(), ifctl_buf.data(), native_buf.size()) != 0)
            fail("SIOCGIFCONF with " + std::to_string(n) + " interfaces: the kernel lists " + std::to_string(k) +
                 ", ifctl_ioctl " + std::to_string(d) + (k == d ? " but different bytes" : ""));

        if (loop_n) {
            const auto t0 = Clock::now();
            for (int i = 0; i < loop_count; ++i) conf(false, ifctl_buf);
            std::printf("--loop %d: %d calls, mean %.2f us\n", n, loop_count, seconds_since(t0) * 1e6 / loop_count);
            break;
        }
        const int calls = o.quick ? 5 : calls_for(n), warm = std::max(1, calls / 10);
        Series native, ifctl, list;
        std::vector<double> unpriv;  // one median per run
        std::vector<proto::Interface> all;
        for (int run = 0; run < o.runs; ++run) {
            auto native_row = [&] { native.runs.push_back(time_calls(warm, calls, [&](int) { conf(true, native_buf); })); };
            auto ifctl_row = [&] { ifctl.runs.push_back(time_calls(warm, calls, [&](int) { conf(false, ifctl_buf); })); };
            if (run % 2 == 0) {
                native_row();
                ifctl_row();
            } else {
                ifctl_row();
                native_row();
            }
            list.runs.push_back(time_calls(warm, calls, [&](int) {
                if (client::Result r = conn->list(all); !r.ok()) fail("list: " + r.message);
            }));
            unpriv.push_back(unprivileged_median(warm, calls, native_buf, n));
        }
        const double nm = native.median(), fm = ifctl.median(), ratio = fm / nm, lm = list.median();
        const double um = median(unpriv), uratio = um / nm;
        std::printf("%10d %10.2f %10.2f %6.2fx %8s %-8s %13.2f %6.2fx %-8s %14.2f %6.2fx\n", n, nm, fm, ratio, "<=2.0x",
                    verdict(ratio, Goal::AtMost, 2.0), um, uratio, verdict(uratio, Goal::AtMost, 2.0), lm, lm / nm);
        std::fflush(stdout);
        data.row(std::to_string(n) + " " + std::to_string(nm) + " " + std::to_string(fm) + " " + std::to_string(ratio) +
                 " " + std::to_string(lm) + " " + std::to_string(lm / nm) + " " + std::to_string(um) + " " +
                 std::to_string(uratio));
        record_ratio(o, "SIOCGIFCONF, " + std::to_string(n) + " interfaces: ifctl_ioctl / native", ratio, Goal::AtMost,
                     2.0);
        record_ratio(o, "SIOCGIFCONF, " + std::to_string(n) + " interfaces, uid 65534: ifctl_ioctl / native", uratio,
                     Goal::AtMost, 2.0);
        record_ratio(o, "SIOCGIFCONF, " + std::to_string(n) + " interfaces: daemon List / native", lm / nm);
    }
    if (!loop_n)
        std::printf("\n%d runs per row, each of K calls (K = 2000, 500, 100, 40 as the list grows); medians of the "
                    "runs' medians.\n",
                    o.runs);
    ::close(sock);
    conn.reset();
    // Not SIGTERM: destroying thousands of TAPs one by one takes longer than
    // the starter waits. The TAPs go with the namespace when this process exits.
    daemon.kill_hard();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int loop_n = 0, loop_count = 0;
    const Options o = parse_options(argc, argv, kUsage, [&](const std::string& a, const auto& next) {
        if (a != "--loop") return false;
        loop_n = parse_int(next(), "--loop");
        loop_count = parse_int(next(), "--loop");
        return true;
    });
    return bench_main("bench-ifconf", [&] { return run_bench(o, loop_n, loop_count); });
}
