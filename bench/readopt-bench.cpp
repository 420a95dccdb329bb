// Re-adoption after a crash, against creation: N TAPs are created through
// ifctld (each on disk before its reply), the daemon is killed (-9), and a new
// daemon over the same state re-adopts all of them before it serves. Both
// figures come from the same run, so their ratio is what to compare across
// machines (docs/performance.md). Run as root in a private network namespace
// (bench/run-readopt). --quick: 20 TAPs, a smoke run for meson test.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "libifctl/src/connection.hpp"
#include "tests/integration/support/netns_daemon.hpp"

using namespace ifctl;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// The daemon's own measure of its restore pass ("... in 12.3 ms").
double restore_ms(const std::string& log) {
    std::ifstream f(log);
    std::stringstream s;
    s << f.rdbuf();
    std::smatch m;
    const std::string text = s.str();
    if (std::regex_search(text, m, std::regex(R"((\d+) re-adopted, .* in ([0-9.]+) ms)"))) return std::stod(m[2]);
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    // readopt-bench [--quick | N]: N TAPs (default 1000; --quick: 20).
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    const int n = quick ? 20 : argc > 1 && std::atoi(argv[1]) > 0 ? std::atoi(argv[1]) : 1000;
    char tmpl[] = "/tmp/ifctl-readopt.XXXXXX";
    if (!::mkdtemp(tmpl)) return 1;
    const std::string state = tmpl;
    double create_ms = 0;
    {
        test::Daemon d("--state-dir " + state + " --log-level warn");
        std::unique_ptr<client::Connection> c;
        std::string why;
        if (client::Connection::open(d.socket(), c, why) < 0) return 1;
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            proto::Interface out;
            if (int rc = c->create("ra" + std::to_string(i), {}, out); rc < 0) {
                std::fprintf(stderr, "create %d: %d %s\n", i, rc, c->message().c_str());
                return 1;
            }
        }
        create_ms = ms_since(t0);
        d.kill_hard();
    }
    double serve_ms = 0, restore = -1;
    int managed = 0;
    {
        const auto t0 = Clock::now();
        test::Daemon d("--state-dir " + state + " --log-level info");
        // The first answer comes once the restore pass is done.
        std::unique_ptr<client::Connection> c;
        std::string why;
        if (client::Connection::open(d.socket(), c, why) < 0) return 1;
        serve_ms = ms_since(t0);
        restore = restore_ms(d.log());
        std::vector<proto::Interface> list;
        if (c->list(list) < 0) return 1;
        for (const auto& i : list) managed += i.managed;
        d.stop();  // a clean stop: the TAPs go
    }
    std::filesystem::remove_all(state);
    std::printf("re-adoption benchmark, %d TAPs (one run)\n", n);
    std::printf("  create through ifctld (record fsync'd before each reply): %8.1f ms  (%.3f ms per TAP)\n",
                create_ms, create_ms / n);
    std::printf("  re-adopt after kill -9 (daemon's restore pass):           %8.1f ms  (%.3f ms per TAP)\n", restore,
                restore / n);
    std::printf("  restart to serving (exec, resync, restore, socket):       %8.1f ms\n", serve_ms);
    std::printf("  ratio restore / create: %.3f; re-adopted and managed: %d of %d\n", restore / create_ms, managed, n);
    return managed == n && restore >= 0 ? 0 : 1;
}
