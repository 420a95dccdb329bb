// bench-snapshot: reads answered from the daemon's read-only snapshot
// (docs/snapshot.md) against the kernel's own ioctl, in one run:
//
//   - a get (SIOCGIFFLAGS) and SIOCGIFCONF through ifctl_ioctl under the linux,
//     bsd and svr4 personalities, against the kernel's ioctl on the same TAP;
//     and again from another network namespace, against its own loopback;
//     each on a socket the library does not know (made with socket(): every
//     call asks the kernel for its family) and on one it made (ifctl_socket());
//   - gets per second from 1, 8 and 64 threads, and the daemon's CPU meanwhile;
//   - freshness: from an MTU change made with the kernel's own ioctl (behind
//     the daemon's back) returning, to the snapshot showing it; idle, and while
//     64 connections send changes to the daemon;
//   - the region's size with 1, 100, 1000 and 4096 interfaces.
//
// Every timed sample is the mean of a block of calls (a call is well under a
// microsecond: clock reads around each would be most of it); rows alternate
// run by run; figures are medians of the runs.
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "common.hpp"
#include "ifctl/compat.h"
#include "ifctl/ifctl.h"
#include "libifctl/protocol/snapshot_layout.hpp"
#include "libifctl/src/snapshot.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

const char* const kUsage = "usage: bench-snapshot [--quick] [--runs R] [--data DIR]\n";

int native_ioctl(int fd, unsigned long req, void* arg) { return static_cast<int>(::syscall(SYS_ioctl, fd, req, arg)); }

// `name` is asked through ifctl_ioctl, `local` (the same, unless said) of the
// kernel: from another namespace the daemon's TAP is not a local device there.
// `known`: the socket is made with ifctl_socket(), so the library knows its family.
struct Calls {
    bool known;
    int sock;
    struct ifreq req {}, local_req {};
    alignas(8) char buf[8192] = {};
    explicit Calls(const char* name, const char* local = nullptr, bool known_socket = false)
        : known(known_socket),
          sock(known ? ifctl_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        std::strncpy(req.ifr_name, name, IFNAMSIZ - 1);
        std::strncpy(local_req.ifr_name, local ? local : name, IFNAMSIZ - 1);
    }
    ~Calls() { known ? ifctl_close_fd(sock) : ::close(sock); }
    void get(bool native) {
        const int rc = native ? native_ioctl(sock, SIOCGIFFLAGS, &local_req) : ifctl_ioctl(sock, SIOCGIFFLAGS, &req);
        if (rc < 0) fail(std::string("SIOCGIFFLAGS: ") + errno_text(errno));
    }
    void ifconf(bool native) {
        struct ifconf ifc {};
        ifc.ifc_len = sizeof buf;
        ifc.ifc_buf = buf;
        const int rc = native ? native_ioctl(sock, SIOCGIFCONF, &ifc) : ifctl_ioctl(sock, SIOCGIFCONF, &ifc);
        if (rc < 0 || ifc.ifc_len <= 0) fail(std::string("SIOCGIFCONF: ") + errno_text(errno));
    }
};

// Microseconds per call: the mean over a block of `n` calls.
double block_us(int n, const std::function<void()>& op) {
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) op();
    return seconds_since(t0) * 1e6 / n;
}

// `elsewhere`: from a thread in a network namespace of its own, whose native
// calls ask its loopback (brought up, so that SIOCGIFCONF has an address).
void ratio_rows(const Options& o, DataFile& data, bool elsewhere) {
    const int block = o.quick ? 200 : 20000;
    const char* local = elsewhere ? "lo" : nullptr;
    const char* where = elsewhere ? ", other netns" : "";
    const ifctl_personality_t ps[] = {IFCTL_PERSONALITY_LINUX, IFCTL_PERSONALITY_BSD, IFCTL_PERSONALITY_SVR4};
    const char* names[] = {"linux", "bsd", "svr4"};
    std::printf("\n%-50s %10s %10s %7s %8s\n", "row", "ifctl us", "kernel us", "ratio", "target");
    for (int what = 0; what < 2; ++what) {
        for (int row_no = 0; row_no < 6; ++row_no) {
            const int p = row_no % 3;
            const bool known = row_no >= 3;
            Calls c("snap0", local, known);
            Series mine, native;
            for (int r = 0; r < o.runs; ++r) {
                if (ifctl_set_personality(ps[p]) < 0) fail("personality");
                if (what == 0) {
                    mine.runs.push_back({block_us(block, [&] { c.get(false); })});
                    native.runs.push_back({block_us(block, [&] { c.get(true); })});
                } else {
                    mine.runs.push_back({block_us(block / 4, [&] { c.ifconf(false); })});
                    native.runs.push_back({block_us(block / 4, [&] { c.ifconf(true); })});
                }
            }
            const double m = mine.median(), n = native.median(), ratio = m / n;
            const std::string row = std::string(what == 0 ? "get SIOCGIFFLAGS, " : "SIOCGIFCONF, ") + names[p] +
                                    where + (known ? ", ifctl_socket" : "");
            std::printf("%-50s %10.3f %10.3f %6.2fx %8s %s\n", row.c_str(), m, n, ratio, "<=1.0x",
                        verdict(ratio, Goal::AtMost, 1.0));
            record_ratio(o, row + ": ifctl_ioctl / native ioctl", ratio, Goal::AtMost, 1.0);
            data.row("\"" + row + "\" " + std::to_string(m) + " " + std::to_string(n) + " " + std::to_string(ratio));
        }
    }
    (void)ifctl_set_personality(IFCTL_PERSONALITY_BSD);
    if (elsewhere) return;
    // The one system call left on the path: the check of the caller's
    // descriptor (EBADF, ENOTTY as the kernel would say), alone.
    Calls c("snap0");
    std::vector<double> check;
    for (int r = 0; r < o.runs; ++r)
        check.push_back(block_us(block, [&] {
            int domain = 0;
            socklen_t len = sizeof domain;
            if (::getsockopt(c.sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) fail("getsockopt");
        }));
    std::printf("%-50s %10.3f   (the descriptor check a call on an unknown socket makes)\n",
                "getsockopt(SO_DOMAIN) alone", median(check));
    data.row("\"getsockopt(SO_DOMAIN)\" " + std::to_string(median(check)) + " 0 0");
}

// The same rows from a thread moved into a new network namespace (unshare
// moves only the calling thread): the daemon's socket is a path, so the
// library reaches it, and the snapshot is already mapped.
void ratio_rows_elsewhere(const Options& o, DataFile& data) {
    std::thread t([&] {
        if (::unshare(CLONE_NEWNET) < 0) fail(std::string("unshare(CLONE_NEWNET): ") + errno_text(errno));
        Calls lo("lo");
        struct ifreq up = lo.req;
        if (native_ioctl(lo.sock, SIOCGIFFLAGS, &up) < 0) fail("SIOCGIFFLAGS lo");
        up.ifr_flags = static_cast<short>(up.ifr_flags | IFF_UP);
        if (native_ioctl(lo.sock, SIOCSIFFLAGS, &up) < 0) fail("SIOCSIFFLAGS lo");
        ratio_rows(o, data, true);
    });
    t.join();
}

// Gets per second from `threads` threads for `secs`, each with its own socket.
double reads_per_second(int threads, double secs, bool native) {
    std::atomic<bool> go{false}, stop{false};
    std::atomic<long> total{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < threads; ++i)
        ts.emplace_back([&] {
            Calls c("snap0");
            long n = 0;
            while (!go.load()) std::this_thread::yield();
            while (!stop.load(std::memory_order_relaxed)) {
                c.get(native);
                ++n;
            }
            total += n;
        });
    const auto t0 = Clock::now();
    go = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(secs));
    stop = true;
    for (auto& t : ts) t.join();
    return static_cast<double>(total.load()) / seconds_since(t0);
}

void throughput_rows(const Options& o, pid_t daemon) {
    const double secs = o.quick ? 0.05 : 0.5;
    std::printf("\n%8s %14s %14s %7s %14s\n", "threads", "ifctl gets/s", "kernel gets/s", "ratio", "daemon CPU");
    for (int threads : {1, 8, 64}) {
        std::vector<double> mine, native, cpu;
        for (int r = 0; r < o.runs; ++r) {
            const double c0 = cpu_seconds(daemon);
            mine.push_back(reads_per_second(threads, secs, false));
            cpu.push_back((cpu_seconds(daemon) - c0) / secs * 100);
            native.push_back(reads_per_second(threads, secs, true));
        }
        const double m = median(mine), n = median(native);
        std::printf("%8d %14.0f %14.0f %6.2fx %13.1f%%\n", threads, m, n, m / n, median(cpu));
        record_ratio(o, "gets/s, " + std::to_string(threads) + " threads: ifctl_ioctl / native ioctl", m / n);
    }
}

// From the kernel's acknowledgement of an MTU change made behind the daemon's
// back to a get through ifctl_ioctl showing it, in microseconds.
double freshness_us(Calls& c, int mtu) {
    struct ifreq set = c.req;
    set.ifr_mtu = mtu;
    if (native_ioctl(c.sock, SIOCSIFMTU, &set) < 0) fail("SIOCSIFMTU: " + errno_text(errno));
    const auto t0 = Clock::now();
    for (;;) {
        struct ifreq r = c.req;
        if (ifctl_ioctl(c.sock, SIOCGIFMTU, &r) < 0) fail("SIOCGIFMTU: " + errno_text(errno));
        if (r.ifr_mtu == mtu) return seconds_since(t0) * 1e6;
        if (seconds_since(t0) > 5) fail("the snapshot did not show a change within 5 s");
        ::sched_yield();  // pinned to one CPU: let the daemon read the event
    }
}

void freshness_rows(const Options& o, test::Daemon& d) {
    const int samples = o.quick ? 5 : 101;
    Calls c("snap0");
    auto measure = [&] {
        std::vector<double> us;
        for (int i = 0; i < samples; ++i) us.push_back(freshness_us(c, 1300 + (i % 2) * 100));
        return us;
    };
    const std::vector<double> idle = measure();
    // 64 connections, each changing its own TAP's MTU back and forth.
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int i = 0; i < 64; ++i)
        writers.emplace_back([&, i] {
            std::unique_ptr<client::Connection> conn;
            std::string why;
            if (client::Connection::open(d.socket(), conn, why) < 0) return;
            const client::InterfaceRef t = client::InterfaceRef::by_name("load" + std::to_string(i % 8));
            for (uint32_t v = 0; !stop.load(); ++v) (void)conn->set_mtu(t, 1400 + v % 2);
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::vector<double> busy = measure();
    stop = true;
    for (auto& t : writers) t.join();
    std::printf("\nfreshness, ip-style MTU change to the snapshot showing it (%d samples):\n", samples);
    std::printf("  idle:                       median %8.1f us, p90 %8.1f us  (contract: 1000 us)\n", median(idle),
                percentile(idle, 0.9));
    std::printf("  64 connections sending sets: median %8.1f us, p90 %8.1f us  (contract: 100000 us)\n", median(busy),
                percentile(busy, 0.9));
    record_ratio(o, "freshness, idle: median / 1 ms", median(idle) / 1000, Goal::AtMost, 1.0);
    record_ratio(o, "freshness, 64 writers: median / 100 ms", median(busy) / 100000, Goal::AtMost, 1.0);
}

// The region's size and entries as a new connection's hello passes it.
std::pair<size_t, uint32_t> region_now(const test::Daemon& d) {
    std::unique_ptr<client::Connection> c;
    std::string why;
    int fd = -1;
    if (client::Connection::open(d.socket(), c, why, "bench", 0, &fd) < 0 || fd < 0) fail("no snapshot: " + why);
    client::snapshot::Mapping m;
    if (!client::snapshot::map_snapshot(fd, m, why)) fail("snapshot: " + why);
    proto::snapshot::Header h;
    std::memcpy(&h, m.region.base, sizeof h);
    const std::pair<size_t, uint32_t> out{m.region.size, h.count};
    client::snapshot::unmap_snapshot(m);
    return out;
}

void memory_rows(const Options& o, const test::Daemon& d) {
    std::printf("\n%10s %14s %10s\n", "interfaces", "region bytes", "MiB");
    DataFile data(o, "snapshot-memory", "interfaces bytes");
    const std::vector<int> sizes = o.quick ? std::vector<int>{1, 20} : std::vector<int>{1, 100, 1000, 4096};
    int made = 0;
    for (int n : sizes) {
        // TAPs made with ip (cheaper than through the daemon): the region holds every interface.
        std::string batch;
        for (; made < n - 1; ++made) batch += "tuntap add dev dm" + std::to_string(made) + " mode tap\n";
        if (!batch.empty()) {
            FILE* p = ::popen("ip -batch -", "w");
            if (!p) fail("ip -batch");
            std::fputs(batch.c_str(), p);
            if (::pclose(p) != 0) fail("ip -batch failed");
        }
        std::pair<size_t, uint32_t> r = region_now(d);
        for (int i = 0; i < 600 && r.second < static_cast<uint32_t>(std::min(n, 4096)); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            r = region_now(d);
        }
        std::printf("%10u %14zu %10.2f\n", r.second, r.first, r.first / 1048576.0);
        data.row(std::to_string(r.second) + " " + std::to_string(r.first));
    }
}

int run_bench(const Options& o) {
    print_header("bench-snapshot", o, "reads from the snapshot vs the kernel's ioctl");
    test::Daemon d;
    std::unique_ptr<client::Connection> c;
    std::string why;
    if (client::Connection::open(d.socket(), c, why) < 0) fail(why);
    daemon_tap(*c, "snap0");
    for (int i = 0; i < 8; ++i) daemon_tap(*c, "load" + std::to_string(i));
    test::run("ip addr add 10.0.0.1/24 dev snap0");
    Calls warm("snap0");
    warm.get(false);  // opens the library's connection: the snapshot comes with it
    DataFile data(o, "snapshot", "row ifctl_us native_us ratio");
    ratio_rows(o, data, false);
    ratio_rows_elsewhere(o, data);
    throughput_rows(o, d.pid());
    freshness_rows(o, d);
    c.reset();
    memory_rows(o, d);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse_options(argc, argv, kUsage);
    return bench_main("bench-snapshot", [&] { return run_bench(o); });
}
