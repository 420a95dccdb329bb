// bench-footprint: the daemon's memory and CPU with 0, 1000 and 4096 owned TAPs.
//
// One daemon; TAPs are added step by step (each with an IPv4 address, made
// through ifctld with pipelined creates). At each step, after a settling
// second: resident set (VmRSS) and peak (VmHWM) from /proc, and idle CPU as
// the median of R windows of CPU time used / wall time (the once-a-second
// maintenance pass is what an idle daemon does). Also the daemon's CPU time
// per TAP made. Ratios: RSS against the 0-TAP RSS of the same run, and
// against the 64 MB target.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "common.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

const char* const kUsage =
    "usage: bench-footprint [--quick] [--runs R] [--data DIR]\n"
    "  R: idle-CPU windows per step (1 s each)\n";

long hwm_kib(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

int run_bench(const Options& o) {
    const std::vector<int> steps = o.quick ? std::vector<int>{0, 10} : std::vector<int>{0, 1000, 4096};
    const double window = o.quick ? 0.1 : 1.0;

    test::Daemon daemon;
    const pid_t pid = daemon.pid();
    std::unique_ptr<client::Connection> conn;
    std::string why;
    if (client::Connection::open(daemon.socket(), conn, why, "bench-footprint") < 0)
        fail("connecting to ifctld: " + why);
    print_header("bench-footprint", o, "ifctld memory and CPU by number of owned TAPs");

    DataFile data(o, "footprint", "taps rss_kib hwm_kib idle_cpu_percent cpu_ms_per_tap");
    std::printf("\n%6s %10s %10s %10s %13s %12s\n", "TAPs", "RSS MiB", "peak MiB", "x 0 TAPs", "idle CPU %",
                "CPU ms/TAP");
    int taps = 0;
    long rss0 = 0;
    for (int n : steps) {
        const double cpu0 = cpu_seconds(pid);
        (void)daemon_taps(*conn, "bf", taps, n, true);
        const double per_tap = n > taps ? (cpu_seconds(pid) - cpu0) * 1000 / (n - taps) : 0;
        taps = n;
        ::usleep(o.quick ? 100'000 : 1'500'000);  // events digested, a maintenance pass or more done
        std::vector<double> idle;
        for (int r = 0; r < o.runs; ++r) {
            const double c0 = cpu_seconds(pid);
            const auto t0 = Clock::now();
            ::usleep(static_cast<useconds_t>(window * 1e6));
            idle.push_back((cpu_seconds(pid) - c0) / seconds_since(t0) * 100);
        }
        const long rss = rss_kib(pid), hwm = hwm_kib(pid);
        if (n == 0) rss0 = rss;
        const double vs0 = static_cast<double>(rss) / static_cast<double>(rss0);
        std::printf("%6d %10.1f %10.1f %9.2fx %13.2f %12.3f\n", n, rss / 1024.0, hwm / 1024.0, vs0, median(idle),
                    per_tap);
        std::fflush(stdout);
        data.row(std::to_string(n) + " " + std::to_string(rss) + " " + std::to_string(hwm) + " " +
                 std::to_string(median(idle)) + " " + std::to_string(per_tap));
        if (n > 0) record_ratio(o, "RSS, " + std::to_string(n) + " TAPs / RSS, 0 TAPs", vs0);
        if (n == steps.back())
            record_ratio(o, "RSS, " + std::to_string(n) + " TAPs / 64 MiB", rss / (64.0 * 1024), Goal::AtMost, 1.0);
    }
    std::printf("\nidle CPU: median of %d windows of %.1f s; CPU ms/TAP: the daemon's CPU time while the step's "
                "TAPs were made and addressed, per TAP.\n",
                o.runs, window);
    conn.reset();
    // Not SIGTERM: destroying thousands of TAPs one by one takes longer than
    // the starter waits. The TAPs go with the namespace when this process exits.
    daemon.kill_hard();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse_options(argc, argv, kUsage);
    return bench_main("bench-footprint", [&] { return run_bench(o); });
}
