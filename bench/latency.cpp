// bench-latency: what one get or set through ifctld costs, next to what it
// cannot beat (a bare IPC round trip of the same sizes; that plus one direct
// netlink change) and next to the kernel's own ioctl.
//
// Run as root inside a private network namespace (bench/run). It starts a real ifctld ($IFCTLD) in that namespace, makes its
// TAPs and prints one table. Each row is measured in R runs of N timed calls
// (after a warm-up); the rows are interleaved run by run so that a ratio compares
// figures taken moments apart. A row's median is the median of its runs'
// medians; p10/p90 are over every call of every run.
//
// This is a benchmark, not a test: it never judges a time by failing. It exits
// nonzero only when a call fails (the smoke run, --quick, relies on that), and
// 77 (skip) when not root.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/kernel/netlink.hpp"
#include "ifctl/ifctl.h"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "tests/integration/support/netns_daemon.hpp"
#include "common.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

struct LatencyOptions {
    int iterations = 5000;         // per run, for the cheap rows
    int change_iterations = 1000;  // per run, for rows that change the kernel
    int warmup = 300;
    std::string loop;  // --loop: one path only, for perf and strace
    int loop_count = 0;
};

const char* const kUsage =
    "usage: bench-latency [--quick] [--runs R] [--data DIR] [--iterations N] [--change-iterations N]\n"
    "                     [--loop flags|get|mtu|echo COUNT]\n"
    "  Run as root under `unshare --net --` with IFCTLD set to the built ifctld (bench/run does).\n"
    "  --quick  smoke run: a few calls of every row (checks that nothing fails)\n"
    "  --loop flags|get|mtu|echo COUNT  only that path, COUNT calls, no table (to profile;\n"
    "                                   get: Connection::get brief, flags without the ioctl layer)\n";

// Untimed pause between rows: drains our own netlink event socket (in the
// baselines' namespace) and leaves the daemon time to digest the events of its
// own rows' changes.
void settle(ifctl::daemon::Netlink& nl) {
    nl.poll_events();
    ::usleep(20'000);
}

std::vector<double> halved(std::vector<double> v) {
    for (double& x : v) x /= 2;
    return v;
}

// ---- the table ---------------------------------------------------------------

struct Row {
    std::string name;
    const Series* series = nullptr;  // null: a derived row (sum of others)
    double derived = 0;
    std::string ratio_to;  // what the ratio is against, empty for none
    double ratio = 0;
    double target = 0;  // 0: no target

    Row(std::string n, const Series* s, double d = 0, std::string to = {}, double r = 0, double t = 0)
        : name(std::move(n)), series(s), derived(d), ratio_to(std::move(to)), ratio(r), target(t) {}
};

void print_table(const std::vector<Row>& rows, const Options& o, const LatencyOptions& lo) {
    std::printf("\n%-52s %9s %9s %9s %8s %8s  %s\n", "row", "median", "p10", "p90", "ratio", "target", "");
    std::printf("%-52s %9s %9s %9s %8s %8s\n", "", "us", "us", "us", "", "");
    for (const Row& r : rows) {
        char med[32], p10[32], p90[32], ratio[32], target[32];
        const double m = r.series ? r.series->median() : r.derived;
        std::snprintf(med, sizeof med, "%.2f", m);
        if (r.series) {
            std::snprintf(p10, sizeof p10, "%.2f", r.series->pooled(0.10));
            std::snprintf(p90, sizeof p90, "%.2f", r.series->pooled(0.90));
        } else {
            std::snprintf(p10, sizeof p10, "-");
            std::snprintf(p90, sizeof p90, "-");
        }
        if (r.ratio > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", r.ratio);
        else std::snprintf(ratio, sizeof ratio, "-");
        if (r.target > 0) std::snprintf(target, sizeof target, "<=%.1fx", r.target);
        else std::snprintf(target, sizeof target, "-");
        const char* verdict = r.target > 0 ? (r.ratio <= r.target ? "met" : "NOT MET") : "";
        std::printf("%-52s %9s %9s %9s %8s %8s  %s\n", r.name.c_str(), med, p10, p90, ratio, target, verdict);
    }
    std::printf("\n%d runs x %d calls (changes: %d pairs of calls, 1400 then 1500, each pair timed and halved) per row\n"
                "after %d warm-up calls; median = median of the runs' medians; p10/p90 over all calls.%s\n",
                o.runs, lo.iterations, lo.change_iterations, lo.warmup,
                o.quick ? "\n--quick: smoke run, too few calls for figures to mean anything." : "");
    for (const Row& r : rows)
        if (!r.ratio_to.empty()) std::printf("  ratio of \"%s\" is against %s\n", r.name.c_str(), r.ratio_to.c_str());
}

int run_bench(const Options& o, const LatencyOptions& lo) {

    // The echo process first: it forks, so before the daemon and any socket.
    Echo echo;

    test::Daemon daemon;
    std::unique_ptr<client::Connection> conn;
    std::string why;
    if (int rc = client::Connection::open(daemon.socket(), conn, why, "bench-latency"); rc < 0)
        fail("connecting to ifctld: " + why);

    // Daemon-owned TAPs: bd0 is read and changed; bd1..bd3 so that the daemon
    // manages a few, not one. Native TAPs: nt0 for the kernel's ioctl, nl0 for netlink.
    daemon_tap(*conn, "bd0");
    for (const char* n : {"bd1", "bd2", "bd3"}) daemon_tap(*conn, n);
    test::run("ip addr add 10.0.0.1/24 dev bd0 && ip addr add 10.0.1.1/24 dev bd1 && "
              "ip addr add 10.0.2.1/24 dev bd2 && ip addr add 10.0.3.1/24 dev bd3");
    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) fail("socket: " + errno_text(errno));

    // The kernel baselines (B, B', F) run in a namespace of their own: the
    // daemon follows every link of its namespace, and on one CPU its reading
    // of the events these rows cause fell inside their timings at random
    // (F's median moved between 12 and 27 us from run to run, p10 10 us).
    // Their TAPs, the socket their ioctls go through and the netlink sockets
    // are made there; a socket acts in the namespace it was made in.
    const int home_ns = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home_ns < 0 || ::unshare(CLONE_NEWNET) < 0) fail("a namespace for the kernel baselines: " + errno_text(errno));
    NativeTap nt0("nt0"), nl0("nl0");
    test::run("ip addr add 10.0.4.1/24 dev nt0 && ip addr add 10.0.5.1/24 dev nl0");
    const int native_sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (native_sock < 0) fail("socket: " + errno_text(errno));
    daemon::Netlink nl;  // the daemon's own netlink code, for the direct MTU change
    if (::setns(home_ns, CLONE_NEWNET) < 0) fail("back to the daemon's namespace: " + errno_text(errno));
    ::close(home_ns);

    // The frame sizes of the requests measured below, for the echo baselines:
    // SIOCGIFFLAGS asks for the brief record (no addresses, statistics, multicast).
    const client::InterfaceRef bd0_target = client::InterfaceRef::by_name("bd0");
    const FrameSizes get_sizes = brief_get_sizes(*conn, "bd0");
    const size_t get_request = get_sizes.request, get_reply = get_sizes.reply;
    const size_t mtu_request =
        conn->request(proto::Op::SetMtu, &bd0_target).u32(wire_type(proto::AttrType::Mtu), 1400).finish().size();
    const size_t mtu_reply = proto::kHeaderSize;  // success: the header alone

    struct ifreq bd0_req {}, nt0_req {};
    std::strcpy(bd0_req.ifr_name, "bd0");
    std::strcpy(nt0_req.ifr_name, "nt0");

    // Both paths must agree before we time them.
    {
        struct ifreq a = bd0_req;
        if (ifctl_ioctl(sock, SIOCGIFFLAGS, &a) < 0) fail("ifctl_ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
        struct ifreq b = bd0_req;
        if (::ioctl(sock, SIOCGIFFLAGS, &b) < 0) fail("ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
        if (a.ifr_flags != b.ifr_flags) fail("SIOCGIFFLAGS: ifctl_ioctl and the kernel disagree on bd0");
    }

    if (!lo.loop.empty()) {
        // One path in a tight loop: run under `perf record` or `strace -c -f`.
        const auto t0 = Clock::now();
        for (int i = 0; i < lo.loop_count; ++i) {
            if (lo.loop == "echo") {
                echo.round_trip(get_request, static_cast<uint32_t>(get_reply));
            } else if (lo.loop == "get") {
                proto::Interface rec;
                if (client::Result r = conn->get(bd0_target, rec, true); !r.ok()) fail("Connection::get bd0: " + r.message);
            } else if (lo.loop == "flags") {
                struct ifreq r = bd0_req;
                if (ifctl_ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("ifctl_ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
            } else {
                struct ifreq r = bd0_req;
                r.ifr_mtu = (i & 1) ? 1500 : 1400;
                if (ifctl_ioctl(sock, SIOCSIFMTU, &r) < 0) fail("ifctl_ioctl SIOCSIFMTU bd0: " + errno_text(errno));
            }
        }
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        std::printf("--loop %s: %d calls, mean %.2f us\n", lo.loop.c_str(), lo.loop_count, us / lo.loop_count);
        ::close(sock);
        ::close(native_sock);
        conn.reset();
        daemon.stop();
        return 0;
    }

    Series echo_get, echo_mtu, native_flags, ifctl_flags, conn_get, native_mtu, nl_mtu, ifctl_mtu, conn_mtu;
    const uint32_t mtus[2] = {1400, 1500};
    print_header("bench-latency", o,
                 "per-call latency of a get and a set; get " + std::to_string(get_request) + " B request / " +
                     std::to_string(get_reply) + " B reply, set-mtu " + std::to_string(mtu_request) + " B / " +
                     std::to_string(mtu_reply) + " B");

    for (int run = 0; run < o.runs; ++run) {
        const int n = lo.iterations, nc = lo.change_iterations, w = run == 0 ? lo.warmup : lo.warmup / 10;
        echo_get.runs.push_back(time_calls(w, n, [&](int) { echo.round_trip(get_request, static_cast<uint32_t>(get_reply)); }));
        echo_mtu.runs.push_back(time_calls(w, n, [&](int) { echo.round_trip(mtu_request, static_cast<uint32_t>(mtu_reply)); }));
        native_flags.runs.push_back(time_calls(w, n, [&](int) {
            struct ifreq r = nt0_req;
            if (::ioctl(native_sock, SIOCGIFFLAGS, &r) < 0) fail("ioctl SIOCGIFFLAGS nt0: " + errno_text(errno));
        }));
        ifctl_flags.runs.push_back(time_calls(w, n, [&](int) {
            struct ifreq r = bd0_req;
            if (ifctl_ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("ifctl_ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
        }));
        conn_get.runs.push_back(time_calls(w, n, [&](int) {
            proto::Interface rec;
            if (client::Result r = conn->get(bd0_target, rec, true); !r.ok()) fail("Connection::get bd0: " + r.message);
        }));
        // MTU changes: one timed call is a pair, 1400 then 1500, and the figure
        // is half the pair, so that every change is real and the two directions
        // weigh the same. The daemon's two rows swap places from run to run: each
        // leaves netlink events for the daemon to digest, which would slow
        // whatever ran next. (The kernel rows' events go to the other
        // namespace, where only our own `nl` hears them.)
        auto ifctl_row = [&] {
            ifctl_mtu.runs.push_back(halved(time_calls(w, nc, [&](int) {
                for (uint32_t mtu : mtus) {
                    struct ifreq r = bd0_req;
                    r.ifr_mtu = static_cast<int>(mtu);
                    if (ifctl_ioctl(sock, SIOCSIFMTU, &r) < 0) fail("ifctl_ioctl SIOCSIFMTU bd0: " + errno_text(errno));
                }
            })));
        };
        auto conn_row = [&] {
            conn_mtu.runs.push_back(halved(time_calls(w, nc, [&](int) {
                for (uint32_t mtu : mtus)
                    if (client::Result r = conn->set_mtu(bd0_target, mtu); !r.ok()) fail("Connection::set_mtu bd0: " + r.message);
            })));
        };
        settle(nl);
        if (run % 2 == 0) {
            ifctl_row();
            conn_row();
        } else {
            conn_row();
            ifctl_row();
        }
        settle(nl);
        native_mtu.runs.push_back(halved(time_calls(w, nc, [&](int) {
            for (uint32_t mtu : mtus) {
                struct ifreq r = nt0_req;
                r.ifr_mtu = static_cast<int>(mtu);
                if (::ioctl(native_sock, SIOCSIFMTU, &r) < 0) fail("ioctl SIOCSIFMTU nt0: " + errno_text(errno));
            }
        })));
        settle(nl);
        nl_mtu.runs.push_back(halved(time_calls(w, nc, [&](int) {
            for (uint32_t mtu : mtus) {
                daemon::LinkChange ch;
                ch.mtu = mtu;
                if (int rc = nl.change_link(nl0.index(), ch); rc < 0)
                    fail("netlink MTU change on nl0: " + errno_text(-rc));
            }
        })));
        settle(nl);
    }

    // The MTU really changed: the kernel says so.
    {
        struct ifreq r = bd0_req;
        if (::ioctl(sock, SIOCGIFMTU, &r) < 0) fail("ioctl SIOCGIFMTU bd0: " + errno_text(errno));
        if (r.ifr_mtu != 1400 && r.ifr_mtu != 1500) fail("bd0 has MTU " + std::to_string(r.ifr_mtu));
    }

    const double mtu_baseline = echo_mtu.median() + nl_mtu.median();
    std::vector<Row> rows = {
        {"A  echo round trip, get sizes (" + std::to_string(get_request) + "/" + std::to_string(get_reply) + " B)",
         &echo_get},
        {"A' echo round trip, set-mtu sizes (" + std::to_string(mtu_request) + "/" + std::to_string(mtu_reply) + " B)",
         &echo_mtu},
        {"B  SIOCGIFFLAGS, kernel ioctl (native TAP)", &native_flags},
        {"C  SIOCGIFFLAGS, ifctl_ioctl (daemon TAP)", &ifctl_flags, 0, "A", ifctl_flags.median() / echo_get.median(),
         1.5},
        {"   (Connection::get brief, no ioctl layer)", &conn_get, 0, "A", conn_get.median() / echo_get.median()},
        {"B' SIOCSIFMTU, kernel ioctl (native TAP)", &native_mtu},
        {"F  MTU change, netlink direct (daemon::Netlink)", &nl_mtu},
        {"   baseline A' + F", nullptr, mtu_baseline},
        {"G  SIOCSIFMTU, ifctl_ioctl (daemon TAP)", &ifctl_mtu, 0, "A' + F", ifctl_mtu.median() / mtu_baseline, 1.2},
        {"   (Connection::set_mtu, no ioctl layer)", &conn_mtu, 0, "A' + F", conn_mtu.median() / mtu_baseline},
    };
    print_table(rows, o, lo);

    // For bench/run's summary and plots.
    DataFile data(o, "latency", "row median_us p10_us p90_us");
    for (const Row& r : rows)
        if (r.series)
            data.row("\"" + r.name + "\" " + std::to_string(r.series->median()) + " " +
                     std::to_string(r.series->pooled(0.10)) + " " + std::to_string(r.series->pooled(0.90)));
    record_ratio(o, "get: ifctl_ioctl SIOCGIFFLAGS / echo", rows[3].ratio, Goal::AtMost, 1.5);
    record_ratio(o, "get: ifctl_ioctl SIOCGIFFLAGS / native ioctl", ifctl_flags.median() / native_flags.median());
    record_ratio(o, "set: ifctl_ioctl SIOCSIFMTU / (echo + netlink)", ifctl_mtu.median() / mtu_baseline, Goal::AtMost,
                 1.2);
    record_ratio(o, "set: ifctl_ioctl SIOCSIFMTU / native ioctl", ifctl_mtu.median() / native_mtu.median());

    ::close(sock);
    ::close(native_sock);
    conn.reset();
    if (const int st = daemon.stop(); !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("ifctld did not stop cleanly (status " + std::to_string(st) + "); see " + daemon.dir() + "/ifctld.log");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    LatencyOptions lo;
    const Options o = parse_options(argc, argv, kUsage, [&](const std::string& a, const auto& next) {
        if (a == "--iterations") lo.iterations = parse_int(next(), "--iterations");
        else if (a == "--change-iterations") lo.change_iterations = parse_int(next(), "--change-iterations");
        else if (a == "--loop") {
            lo.loop = next();
            if (lo.loop != "flags" && lo.loop != "get" && lo.loop != "mtu" && lo.loop != "echo") fail("--loop: unknown path " + lo.loop);
            lo.loop_count = parse_int(next(), "--loop");
        } else return false;
        return true;
    });
    if (o.quick) {
        lo.iterations = 40;
        lo.change_iterations = 20;
        lo.warmup = 10;
    }
    // The direct-netlink row uses the daemon's Netlink class, whose event socket
    // overflows while thousands of changes go by unread (it is drained only
    // between rows); its resync warnings are not the benchmark's business.
    spdlog::set_level(spdlog::level::err);
    return bench_main("bench-latency", [&] { return run_bench(o, lo); });
}
