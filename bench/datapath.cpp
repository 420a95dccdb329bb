// bench-datapath: frames per second through a queue descriptor ifctld handed
// out (OpenQueue) against a TAP the program opened itself. The daemon is not
// on the data path, so the two must be the same; a ratio far from 1 would
// mean it is.
//
// Both TAPs are multi-queue, as ifctld makes them (IFF_TAP | IFF_NO_PI |
// IFF_MULTI_QUEUE), up, with an address and a permanent neighbour entry, and
// IPv6 is off in the namespace so that no stray frame arrives. Two directions:
// - inject: write() K frames (60 and 1514 bytes, addressed to another host, so
//   the stack drops them at once) into the descriptor;
// - deliver: send one UDP datagram to the neighbour through the TAP and read()
//   the frame from the descriptor, K times.
// R runs alternate the two descriptors; each figure is the median of the runs.
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

const char* const kUsage = "usage: bench-datapath [--quick] [--runs R] [--data DIR] [--frames K]\n";

// K frames of `size` bytes written into `fd`; frames per second.
double inject(int fd, size_t size, int frames) {
    std::vector<uint8_t> f(size, 0);
    const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x99}, src[6] = {0x02, 0, 0, 0, 0, 0x98};
    std::memcpy(f.data(), dst, 6);
    std::memcpy(f.data() + 6, src, 6);
    f[12] = 0x88;  // a local experimental EtherType: nothing handles it
    f[13] = 0xb5;
    const auto t0 = Clock::now();
    for (int i = 0; i < frames; ++i)
        if (::write(fd, f.data(), f.size()) != static_cast<ssize_t>(f.size()))
            fail("writing a frame into the TAP: " + errno_text(errno));
    return frames / seconds_since(t0);
}

// K times: one UDP datagram to `peer` (reached through the TAP), one frame read
// from `fd`; frames per second.
double deliver(int fd, const char* peer, int frames) {
    const int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (u < 0) fail("socket: " + errno_text(errno));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    ::inet_pton(AF_INET, peer, &to.sin_addr);
    uint8_t payload[18] = {};
    std::vector<uint8_t> buf(65536);
    const auto t0 = Clock::now();
    for (int i = 0; i < frames; ++i) {
        if (::sendto(u, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
            fail(std::string("sending to ") + peer + ": " + errno_text(errno));
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1) fail(std::string("no frame for ") + peer + " within 2 s");
        if (::read(fd, buf.data(), buf.size()) <= 0) fail("reading a frame from the TAP: " + errno_text(errno));
    }
    const double rate = frames / seconds_since(t0);
    ::close(u);
    return rate;
}

int run_bench(const Options& o, int frames) {
    if (o.quick) frames = 50;
    // No IPv6 (router solicitations, MLD and DAD would put frames of their own on the TAPs).
    test::run("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");

    test::Daemon daemon;
    std::unique_ptr<client::Connection> conn;
    std::string why;
    if (client::Connection::open(daemon.socket(), conn, why, "bench-datapath") < 0)
        fail("connecting to ifctld: " + why);
    daemon_tap(*conn, "dd0");
    int daemon_fd = -1;
    if (client::Result r = conn->open_queue(client::InterfaceRef::by_name("dd0"), &daemon_fd); !r.ok())
        fail("open-queue dd0: " + r.message);
    NativeTap direct("dq0", IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
    test::run("ip addr add 10.9.0.1/24 dev dd0 && ip link set dd0 up && "
              "ip neigh add 10.9.0.2 lladdr 02:00:00:00:09:02 dev dd0 nud permanent && "
              "ip addr add 10.9.1.1/24 dev dq0 && ip link set dq0 up && "
              "ip neigh add 10.9.1.2 lladdr 02:00:00:00:09:02 dev dq0 nud permanent");
    print_header("bench-datapath", o, "frames per second, ifctld's queue descriptor vs a TAP opened directly");

    struct Row {
        const char* name;
        std::function<double(int)> measure;
    };
    const std::vector<Row> rows = {
        {"inject 60 B frames", [&](int fd) { return inject(fd, 60, frames); }},
        {"inject 1514 B frames", [&](int fd) { return inject(fd, 1514, frames); }},
        {"deliver (UDP out, frame read)", [&](int fd) { return deliver(fd, fd == daemon_fd ? "10.9.0.2" : "10.9.1.2", frames / 4); }},
    };
    DataFile data(o, "datapath", "row direct_per_s daemon_fd_per_s ratio");
    std::printf("\n%-32s %14s %14s %8s\n", "", "direct fr/s", "ifctld fd fr/s", "ratio");
    for (const Row& r : rows) {
        std::vector<double> d, f;
        for (int run = 0; run < o.runs; ++run) {
            if (run % 2 == 0) {
                d.push_back(r.measure(direct.fd()));
                f.push_back(r.measure(daemon_fd));
            } else {
                f.push_back(r.measure(daemon_fd));
                d.push_back(r.measure(direct.fd()));
            }
        }
        const double dm = median(d), fm = median(f), ratio = fm / dm;
        std::printf("%-32s %14.0f %14.0f %7.2fx\n", r.name, dm, fm, ratio);
        data.row(std::string("\"") + r.name + "\" " + std::to_string(dm) + " " + std::to_string(fm) + " " +
                 std::to_string(ratio));
        record_ratio(o, std::string("data path, ") + r.name + ": ifctld fd / direct", ratio);
    }
    std::printf("\n%d runs per row of %d frames (deliver: %d); medians of the runs.\n", o.runs, frames, frames / 4);
    ::close(daemon_fd);
    conn.reset();
    if (const int st = daemon.stop(); !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("ifctld did not stop cleanly; see " + daemon.dir() + "/ifctld.log");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int frames = 200000;
    const Options o = parse_options(argc, argv, kUsage, [&](const std::string& a, const auto& next) {
        if (a != "--frames") return false;
        frames = parse_int(next(), "--frames");
        return true;
    });
    return bench_main("bench-datapath", [&] { return run_bench(o, frames); });
}
