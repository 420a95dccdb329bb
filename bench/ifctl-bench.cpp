// ifctl-bench: what an ioctl through ifctld costs, next to what it cannot beat.
//
// Run as root inside a private network namespace (`unshare --net -- ifctl-bench`,
// or bench/run). It starts a real ifctld ($IFCTLD) in that namespace, makes its
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

#include "daemon/kernel/netlink.hpp"
#include "ifctl/ifctl.h"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::string errno_text(int e) { return std::strerror(e); }

// ---- options ---------------------------------------------------------------

struct Options {
    int runs = 7;
    int iterations = 5000;         // per run, for the cheap rows
    int change_iterations = 1000;  // per run, for rows that change the kernel
    int warmup = 300;
    bool quick = false;
    std::string loop;  // --loop: one path only, for perf and strace
    int loop_count = 0;
};

void usage(FILE* to) {
    std::fprintf(to,
                 "usage: ifctl-bench [--quick] [--runs R] [--iterations N] [--change-iterations N]\n"
                 "  Run as root under `unshare --net --` with IFCTLD set to the built ifctld.\n"
                 "  --quick  smoke run: a few calls of every row (checks that nothing fails)\n"
                 "  --loop flags|conf|mtu|echo COUNT  only that path, COUNT calls, no table (to profile)\n");
}

int parse_int(const char* s, const char* what) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (!s[0] || *end || v < 1 || v > 10'000'000) fail(std::string("bad value for ") + what + ": " + s);
    return static_cast<int>(v);
}

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* what) {
            if (i + 1 >= argc) fail(std::string(what) + " needs a value");
            return parse_int(argv[++i], what);
        };
        if (a == "--quick") {
            o.quick = true;
            o.runs = 3;
            o.iterations = 40;
            o.change_iterations = 20;
            o.warmup = 10;
        } else if (a == "--runs") {
            o.runs = value("--runs");
        } else if (a == "--iterations") {
            o.iterations = value("--iterations");
        } else if (a == "--change-iterations") {
            o.change_iterations = value("--change-iterations");
        } else if (a == "--loop") {
            if (i + 2 >= argc) fail("--loop needs a path and a count");
            o.loop = argv[++i];
            if (o.loop != "flags" && o.loop != "conf" && o.loop != "mtu" && o.loop != "echo")
                fail("--loop: unknown path " + o.loop);
            o.loop_count = parse_int(argv[++i], "--loop");
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            std::exit(0);
        } else {
            usage(stderr);
            std::exit(2);
        }
    }
    return o;
}

// ---- statistics ------------------------------------------------------------

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double pos = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

// One row's samples: per-call latencies in microseconds, grouped by run.
struct Series {
    std::vector<std::vector<double>> runs;

    double median() const {  // median of the runs' medians
        std::vector<double> m;
        for (const auto& r : runs) m.push_back(percentile(r, 0.5));
        return percentile(m, 0.5);
    }
    double pooled(double p) const {
        std::vector<double> all;
        for (const auto& r : runs) all.insert(all.end(), r.begin(), r.end());
        return percentile(all, p);
    }
};

// Times `n` calls of `op` (each call timed on its own) after `warm` untimed ones.
template <typename Op>
std::vector<double> time_calls(int warm, int n, Op&& op) {
    for (int i = 0; i < warm; ++i) op(i);
    std::vector<double> us;
    us.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        op(i);
        const auto t1 = Clock::now();
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    return us;
}

// Untimed pause between rows: drains our own netlink event socket and leaves
// the daemon time to digest the events of the changes just made.
void settle(ifctl::daemon::Netlink& nl) {
    nl.poll_events();
    ::usleep(20'000);
}

std::vector<double> halved(std::vector<double> v) {
    for (double& x : v) x /= 2;
    return v;
}

// ---- baseline A: a bare SOCK_SEQPACKET echo in another process --------------

// The echo process answers each datagram with as many bytes as its first four
// bytes ask for: one recv and one send per request, blocking, nothing else.
class Echo {
public:
    Echo() {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) fail("socketpair: " + errno_text(errno));
        pid_ = ::fork();
        if (pid_ < 0) fail("fork: " + errno_text(errno));
        if (pid_ == 0) {
            ::close(sv[0]);
            serve(sv[1]);
        }
        ::close(sv[1]);
        fd_ = sv[0];
    }
    ~Echo() {
        ::close(fd_);  // the echo process sees end of file and exits
        int st;
        ::waitpid(pid_, &st, 0);
    }
    Echo(const Echo&) = delete;
    Echo& operator=(const Echo&) = delete;

    // One round trip: `request` bytes out, `reply` bytes back.
    void round_trip(size_t request, uint32_t reply) {
        std::memcpy(out_.data(), &reply, sizeof reply);
        if (::send(fd_, out_.data(), request, MSG_NOSIGNAL) != static_cast<ssize_t>(request))
            fail("echo send: " + errno_text(errno));
        const ssize_t n = ::recv(fd_, in_.data(), in_.size(), 0);
        if (n != static_cast<ssize_t>(reply)) fail("echo recv: " + (n < 0 ? errno_text(errno) : "short reply"));
    }

private:
    [[noreturn]] static void serve(int fd) {
        std::vector<uint8_t> in(proto_max()), out(proto_max());
        for (;;) {
            const ssize_t n = ::recv(fd, in.data(), in.size(), 0);
            if (n <= 0) ::_exit(n == 0 ? 0 : 1);
            uint32_t want = 0;
            if (n >= 4) std::memcpy(&want, in.data(), 4);
            want = std::min<uint32_t>(want, static_cast<uint32_t>(out.size()));
            if (::send(fd, out.data(), want, MSG_NOSIGNAL) < 0) ::_exit(1);
        }
    }
    static size_t proto_max() { return ifctl::proto::kMaxFrame; }

    int fd_ = -1;
    pid_t pid_ = -1;
    std::vector<uint8_t> out_ = std::vector<uint8_t>(proto_max()), in_ = std::vector<uint8_t>(proto_max());
};

// ---- interfaces ------------------------------------------------------------

// A TAP made with the kernel's own interface, outside ifctld; lives while open.
class NativeTap {
public:
    explicit NativeTap(const std::string& name) : name_(name) {
        fd_ = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd_ < 0) fail("/dev/net/tun: " + errno_text(errno));
        struct ifreq r {};
        r.ifr_flags = IFF_TAP | IFF_NO_PI;
        std::strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
        if (::ioctl(fd_, TUNSETIFF, &r) < 0) fail("TUNSETIFF " + name + ": " + errno_text(errno));
        index_ = ::if_nametoindex(name.c_str());
        if (!index_) fail("no index for " + name);
    }
    ~NativeTap() { ::close(fd_); }
    NativeTap(const NativeTap&) = delete;
    NativeTap& operator=(const NativeTap&) = delete;
    unsigned index() const { return index_; }

private:
    std::string name_;
    int fd_ = -1;
    unsigned index_ = 0;
};

ifctl::proto::Interface daemon_tap(ifctl::client::Connection& c, const std::string& name) {
    ifctl::proto::Interface rec;
    if (int rc = c.create(name, {}, rec); rc < 0) fail("creating " + name + " through ifctld: " + c.message());
    return rec;
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

void print_table(const std::vector<Row>& rows, const Options& o) {
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
                o.runs, o.iterations, o.change_iterations, o.warmup,
                o.quick ? "\n--quick: smoke run, too few calls for figures to mean anything." : "");
    for (const Row& r : rows)
        if (!r.ratio_to.empty()) std::printf("  ratio of \"%s\" is against %s\n", r.name.c_str(), r.ratio_to.c_str());
}

int bench(const Options& o) {
    using namespace ifctl;
    test::require_private_netns();
    test::loopback_up();

    // The echo process first: it forks, so before the daemon and any socket.
    Echo echo;

    test::Daemon daemon;
    std::unique_ptr<client::Connection> conn;
    std::string why;
    if (int rc = client::Connection::open(daemon.socket(), conn, why, "ifctl-bench"); rc < 0)
        fail("connecting to ifctld: " + why);

    // Daemon-owned TAPs: bd0 is read and changed; bd1..bd3 give SIOCGIFCONF
    // something to list. Native TAPs: nt0 for the kernel's ioctl, nl0 for netlink.
    const proto::Interface bd0 = daemon_tap(*conn, "bd0");
    for (const char* n : {"bd1", "bd2", "bd3"}) daemon_tap(*conn, n);
    NativeTap nt0("nt0"), nl0("nl0");
    test::run("ip addr add 10.0.0.1/24 dev bd0 && ip addr add 10.0.1.1/24 dev bd1 && "
              "ip addr add 10.0.2.1/24 dev bd2 && ip addr add 10.0.3.1/24 dev bd3 && "
              "ip addr add 10.0.4.1/24 dev nt0 && ip addr add 10.0.5.1/24 dev nl0");

    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) fail("socket: " + errno_text(errno));

    // The frame sizes of the requests measured below, for the echo baselines.
    const client::Target bd0_target = client::Target::by_name("bd0");
    proto::Interface seen;
    if (int rc = conn->get(bd0_target, seen); rc < 0) fail("get bd0: " + conn->message());
    const size_t get_request = conn->request(proto::Op::Get, &bd0_target).finish().size();
    proto::Writer get_reply_w(static_cast<uint16_t>(proto::Op::Get), proto::kFlagReply, 1);
    proto::encode_interface(get_reply_w, seen);
    const size_t get_reply = get_reply_w.finish().size();
    const size_t mtu_request =
        conn->request(proto::Op::SetMtu, &bd0_target).u32(static_cast<uint16_t>(proto::A::Mtu), 1400).finish().size();
    const size_t mtu_reply = proto::kHeaderSize;  // success: the header alone

    daemon::Netlink nl;  // the daemon's own netlink code, for the direct MTU change

    struct ifreq bd0_req {}, nt0_req {};
    std::strcpy(bd0_req.ifr_name, "bd0");
    std::strcpy(nt0_req.ifr_name, "nt0");
    std::vector<char> conf_buf(4096);
    auto conf = [&](auto call) {
        struct ifconf ifc {};
        ifc.ifc_len = static_cast<int>(conf_buf.size());
        ifc.ifc_buf = conf_buf.data();
        if (call(sock, SIOCGIFCONF, &ifc) < 0) fail("SIOCGIFCONF: " + errno_text(errno));
        return ifc.ifc_len / static_cast<int>(sizeof(struct ifreq));
    };
    auto native_ioctl = [](int fd, unsigned long req, void* arg) { return ::ioctl(fd, req, arg); };
    auto ifctl_call = [](int fd, unsigned long req, void* arg) { return ifctl_ioctl(fd, req, arg); };

    // Both paths must agree before we time them.
    {
        struct ifreq a = bd0_req;
        if (ifctl_ioctl(sock, SIOCGIFFLAGS, &a) < 0) fail("ifctl_ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
        struct ifreq b = bd0_req;
        if (::ioctl(sock, SIOCGIFFLAGS, &b) < 0) fail("ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
        if (a.ifr_flags != b.ifr_flags) fail("SIOCGIFFLAGS: ifctl_ioctl and the kernel disagree on bd0");
        const int k = conf(native_ioctl), d = conf(ifctl_call);
        if (k != d || k < 7) fail("SIOCGIFCONF: kernel lists " + std::to_string(k) + " addresses, ifctl_ioctl " +
                                  std::to_string(d) + " (expected the same, at least 7)");
    }

    if (!o.loop.empty()) {
        // One path in a tight loop: run under `perf record` or `strace -c -f`.
        const auto t0 = Clock::now();
        for (int i = 0; i < o.loop_count; ++i) {
            if (o.loop == "echo") {
                echo.round_trip(get_request, static_cast<uint32_t>(get_reply));
            } else if (o.loop == "flags") {
                struct ifreq r = bd0_req;
                if (ifctl_ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("ifctl_ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
            } else if (o.loop == "conf") {
                conf(ifctl_call);
            } else {
                struct ifreq r = bd0_req;
                r.ifr_mtu = (i & 1) ? 1500 : 1400;
                if (ifctl_ioctl(sock, SIOCSIFMTU, &r) < 0) fail("ifctl_ioctl SIOCSIFMTU bd0: " + errno_text(errno));
            }
        }
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        std::printf("--loop %s: %d calls, mean %.2f us\n", o.loop.c_str(), o.loop_count, us / o.loop_count);
        ::close(sock);
        conn.reset();
        daemon.stop();
        return 0;
    }

    Series echo_get, echo_mtu, native_flags, ifctl_flags, conn_get, native_conf, ifctl_conf, nl_mtu, ifctl_mtu,
        conn_mtu;
    const uint32_t mtus[2] = {1400, 1500};
    int conf_entries = 0;
    double load[3] = {0, 0, 0};
    if (::getloadavg(load, 3) < 0) load[0] = load[1] = load[2] = -1;
    std::printf("ifctl-bench: %s on %ld CPUs (load average %.2f %.2f %.2f); get %zu B request / %zu B reply, "
                "set-mtu %zu B / %zu B\n",
                o.quick ? "quick smoke run" : "full run", ::sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2],
                get_request, get_reply, mtu_request, mtu_reply);
    std::fflush(stdout);

    for (int run = 0; run < o.runs; ++run) {
        const int n = o.iterations, nc = o.change_iterations, w = run == 0 ? o.warmup : o.warmup / 10;
        echo_get.runs.push_back(time_calls(w, n, [&](int) { echo.round_trip(get_request, static_cast<uint32_t>(get_reply)); }));
        echo_mtu.runs.push_back(time_calls(w, n, [&](int) { echo.round_trip(mtu_request, static_cast<uint32_t>(mtu_reply)); }));
        native_flags.runs.push_back(time_calls(w, n, [&](int) {
            struct ifreq r = nt0_req;
            if (::ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("ioctl SIOCGIFFLAGS nt0: " + errno_text(errno));
        }));
        ifctl_flags.runs.push_back(time_calls(w, n, [&](int) {
            struct ifreq r = bd0_req;
            if (ifctl_ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("ifctl_ioctl SIOCGIFFLAGS bd0: " + errno_text(errno));
        }));
        conn_get.runs.push_back(time_calls(w, n, [&](int) {
            proto::Interface rec;
            if (conn->get(bd0_target, rec) < 0) fail("Connection::get bd0: " + conn->message());
        }));
        native_conf.runs.push_back(time_calls(w, n, [&](int) { conf_entries = conf(native_ioctl); }));
        ifctl_conf.runs.push_back(time_calls(w, n, [&](int) { conf_entries = conf(ifctl_call); }));
        // MTU changes: one timed call is a pair, 1400 then 1500, and the figure
        // is half the pair, so that every change is real and the two directions
        // weigh the same. The daemon's two rows swap places from run to run, and
        // the direct netlink row comes last: each row's changes leave netlink
        // events for the daemon to digest, which slows whatever runs next.
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
                    if (conn->set_mtu(bd0_target, mtu) < 0) fail("Connection::set_mtu bd0: " + conn->message());
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
    const std::string conf_label = "SIOCGIFCONF, " + std::to_string(conf_entries) + " addresses: ";
    std::vector<Row> rows = {
        {"A  echo round trip, get sizes (" + std::to_string(get_request) + "/" + std::to_string(get_reply) + " B)",
         &echo_get},
        {"A' echo round trip, set-mtu sizes (" + std::to_string(mtu_request) + "/" + std::to_string(mtu_reply) + " B)",
         &echo_mtu},
        {"B  SIOCGIFFLAGS, kernel ioctl (native TAP)", &native_flags},
        {"C  SIOCGIFFLAGS, ifctl_ioctl (daemon TAP)", &ifctl_flags, 0, "A", ifctl_flags.median() / echo_get.median(),
         1.5},
        {"   (Connection::get, no ioctl layer)", &conn_get, 0, "A", conn_get.median() / echo_get.median()},
        {"D  " + conf_label + "kernel ioctl", &native_conf},
        {"E  " + conf_label + "ifctl_ioctl", &ifctl_conf, 0, "D", ifctl_conf.median() / native_conf.median()},
        {"F  MTU change, netlink direct (daemon::Netlink)", &nl_mtu},
        {"   baseline A' + F", nullptr, mtu_baseline},
        {"G  SIOCSIFMTU, ifctl_ioctl (daemon TAP)", &ifctl_mtu, 0, "A' + F", ifctl_mtu.median() / mtu_baseline, 1.2},
        {"   (Connection::set_mtu, no ioctl layer)", &conn_mtu, 0, "A' + F", conn_mtu.median() / mtu_baseline},
    };
    print_table(rows, o);

    ::close(sock);
    conn.reset();
    if (const int st = daemon.stop(); !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("ifctld did not stop cleanly (status " + std::to_string(st) + "); see " + daemon.dir() + "/ifctld.log");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse_options(argc, argv);
        if (::geteuid() != 0) {
            std::fprintf(stderr, "ifctl-bench: needs root (TAPs, a private network namespace); skipped\n");
            return 77;
        }
        return bench(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ifctl-bench: %s\n", e.what());
        return 1;
    }
}
