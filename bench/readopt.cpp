// bench-readopt: re-adoption after kill -9, with 1000 and 4096 owned TAPs.
//
// One state directory and one growing set of TAPs (made through ifctld, each
// with an IPv4 address, every record on disk). At each size, R times: the
// daemon is killed (-9), the bare kernel re-attach of the same TAPs is timed
// (open /dev/net/tun and TUNSETIFF each: what any re-adoption must at least
// do), then a new daemon is started over the same state and timed twice: its
// own restore pass (its "state: ... in X ms" log line) and exec to its first
// answer. Ratios: the restore pass against the bare re-attach, and against the
// 2 s target at the largest size.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "common.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

const char* const kUsage =
    "usage: bench-readopt [--quick] [--runs R] [--data DIR]\n"
    "  R: kill -9 and restart cycles per size\n";

constexpr double kTargetSeconds = 2.0;  // the target at 4096 TAPs (docs/performance.md)

// The daemon's own measure of its restore pass, in seconds (-1: no such line).
double restore_seconds(const std::string& log) {
    std::ifstream f(log);
    std::stringstream s;
    s << f.rdbuf();
    const std::string text = s.str();
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"(\d+ re-adopted, .* in ([0-9.]+) ms)"))) return std::stod(m[1]) / 1000;
    return -1;
}

// Attaches a queue to each of PREFIX0..PREFIX<n-1> as ifctld does (multi-queue
// TAP flags), closes them all afterwards; returns the seconds the attaching took.
double bare_reattach(const std::string& prefix, int n) {
    std::vector<int> fds;
    fds.reserve(static_cast<size_t>(n));
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) fail("/dev/net/tun: " + errno_text(errno));
        fds.push_back(fd);
        struct ifreq r {};
        r.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
        std::snprintf(r.ifr_name, IFNAMSIZ, "%s%d", prefix.c_str(), i);
        if (::ioctl(fd, TUNSETIFF, &r) < 0) fail(std::string("TUNSETIFF ") + r.ifr_name + ": " + errno_text(errno));
    }
    const double s = seconds_since(t0);
    for (int fd : fds) ::close(fd);
    return s;
}

struct Restart {
    std::unique_ptr<test::Daemon> daemon;
    std::unique_ptr<client::Connection> conn;
    double restore = -1, serving = 0;
};

// A new daemon over `state`, once it answers: the socket accepts connections
// before the restore pass, the first answer comes after it.
Restart restart(const std::string& state) {
    Restart r;
    const auto t0 = Clock::now();
    r.daemon = std::make_unique<test::Daemon>("--state-dir " + state + " --log-level info");
    std::string why;
    if (client::Connection::open(r.daemon->socket(), r.conn, why, "bench-readopt") < 0)
        fail("connecting to ifctld: " + why);
    r.serving = seconds_since(t0);
    r.restore = restore_seconds(r.daemon->log());
    if (r.restore < 0) fail("no restore line in " + r.daemon->log());
    return r;
}

// How many interfaces the daemon manages.
int managed_count(client::Connection& c) {
    std::vector<proto::Interface> list;
    if (client::Result r = c.list(list); !r.ok()) fail("list: " + r.message);
    int managed = 0;
    for (const auto& i : list) managed += i.managed;
    return managed;
}

int run_bench(const Options& o) {
    const std::vector<int> sizes = o.quick ? std::vector<int>{20} : std::vector<int>{1000, 4096};
    const int runs = o.quick ? 1 : o.runs;
    const std::string prefix = "ro";
    char tmpl[] = "/tmp/ifctl-readopt.XXXXXX";
    if (!::mkdtemp(tmpl)) fail("mkdtemp: " + errno_text(errno));
    const std::string state = tmpl;
    struct RemoveState {
        std::string path;
        ~RemoveState() { std::filesystem::remove_all(path); }
    } remove_state{state};  // also when a call fails
    print_header("bench-readopt", o, "re-adoption after kill -9 by number of owned TAPs");

    DataFile data(o, "readopt", "taps restore_s serving_s bare_reattach_s create_s");
    std::printf("\n%6s %12s %12s %14s %12s %16s\n", "TAPs", "restore s", "serving s", "bare attach s", "x bare",
                "create s (once)");
    Restart live = restart(state);
    int taps = 0;
    for (int n : sizes) {
        const double create = daemon_taps(*live.conn, prefix, taps, n, true);
        taps = n;
        if (int managed = managed_count(*live.conn); managed != n)
            fail("made " + std::to_string(n) + " TAPs, ifctld manages " + std::to_string(managed));
        Series restore, serving, bare;
        for (int r = 0; r < runs; ++r) {
            live.conn.reset();
            live.daemon->kill_hard();
            bare.runs.push_back({bare_reattach(prefix, n)});
            live = restart(state);
            restore.runs.push_back({live.restore});
            serving.runs.push_back({live.serving});
            if (int managed = managed_count(*live.conn); managed != n)
                fail("after kill -9, ifctld re-adopted " + std::to_string(managed) + " of " + std::to_string(n));
        }
        const double vs_bare = restore.median() / bare.median();
        std::printf("%6d %12.3f %12.3f %14.3f %11.2fx %16.2f\n", n, restore.median(), serving.median(),
                    bare.median(), vs_bare, create);
        std::fflush(stdout);
        data.row(std::to_string(n) + " " + std::to_string(restore.median()) + " " +
                 std::to_string(serving.median()) + " " + std::to_string(bare.median()) + " " +
                 std::to_string(create));
        record_ratio(o, "re-adoption, " + std::to_string(n) + " TAPs: restore / bare re-attach", vs_bare);
        if (n == sizes.back())
            record_ratio(o, "re-adoption, " + std::to_string(n) + " TAPs: restore / 2 s",
                         restore.median() / kTargetSeconds, Goal::AtMost, 1.0);
    }
    std::printf("\nrestore: the daemon's restore pass (its log), median of %d kill -9 and restart cycles; serving: "
                "exec to first answer; bare attach: TUNSETIFF of the same TAPs by this program, daemon dead; create: "
                "making the step's TAPs through ifctld with addresses, once.\n",
                runs);
    // Killed, not stopped: a clean stop destroys every TAP one RCU grace period
    // at a time; the namespace's end removes them in one batch.
    live.conn.reset();
    live.daemon->kill_hard();
    live.daemon.reset();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse_options(argc, argv, kUsage);
    return bench_main("bench-readopt", [&] { return run_bench(o); });
}
