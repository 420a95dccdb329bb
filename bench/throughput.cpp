// bench-throughput: gets per second with 1, 8 and 64 concurrent clients, against
// an echo server that does nothing but answer.
//
// Each client is a process of its own calling ifctl_ioctl(SIOCGIFFLAGS) on a
// daemon TAP in a loop (each has its own connection, as separate programs
// would). The baseline is a single-threaded epoll server, like ifctld, that
// answers each request with a reply of the same size as ifctld's, served to
// the same number of client processes doing blocking round trips. Each figure
// is the median over runs of (all calls of all clients) / (time from the
// start signal until the last client is done); the two rows alternate.
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common.hpp"
#include "ifctl/ifctl.h"
#include "libifctl/protocol/wire.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace {

using namespace ifctl;
using namespace ifctl::bench;

const char* const kUsage =
    "usage: bench-throughput [--quick] [--runs R] [--data DIR] [--calls N]\n"
    "  N: calls per run, shared among the clients (default 16000)\n";

// ---- the echo server -------------------------------------------------------

// A forked epoll server on a listening SOCK_SEQPACKET socket: every datagram is
// answered with as many bytes as its first four bytes ask for. Level-triggered,
// one thread, reads until EAGAIN per wake-up: the least a server like ifctld can do.
class EchoServer {
public:
    explicit EchoServer(const std::string& path) : path_(path) {
        const int lfd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        sockaddr_un sa = address();
        if (lfd < 0 || ::bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(lfd, 128) < 0)
            fail("echo server socket " + path + ": " + errno_text(errno));
        pid_ = ::fork();
        if (pid_ < 0) fail("fork: " + errno_text(errno));
        if (pid_ == 0) serve(lfd);
        ::close(lfd);
    }
    ~EchoServer() {
        ::kill(pid_, SIGKILL);
        int st;
        ::waitpid(pid_, &st, 0);
        ::unlink(path_.c_str());
    }
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    int connect() const {
        const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        sockaddr_un sa = address();
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
            fail("connecting to the echo server: " + errno_text(errno));
        return fd;
    }

private:
    sockaddr_un address() const {
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
        return sa;
    }

    [[noreturn]] static void serve(int lfd) {
        const int ep = ::epoll_create1(EPOLL_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = lfd;
        if (ep < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) ::_exit(1);
        std::vector<uint8_t> in(proto::kMaxFrame), out(proto::kMaxFrame);
        epoll_event ready[64];
        for (;;) {
            const int n = ::epoll_wait(ep, ready, 64, -1);
            if (n < 0 && errno != EINTR) ::_exit(1);
            for (int i = 0; i < n; ++i) {
                const int fd = ready[i].data.fd;
                if (fd == lfd) {
                    const int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                    if (c < 0) continue;
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = c;
                    (void)::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    continue;
                }
                for (;;) {
                    const ssize_t got = ::recv(fd, in.data(), in.size(), 0);
                    if (got <= 0) {
                        if (got == 0 || (errno != EAGAIN && errno != EINTR)) ::close(fd);  // epoll forgets it
                        break;
                    }
                    uint32_t want = 0;
                    if (got >= 4) std::memcpy(&want, in.data(), 4);
                    want = std::min<uint32_t>(want, static_cast<uint32_t>(out.size()));
                    (void)::send(fd, out.data(), want, MSG_NOSIGNAL);
                }
            }
        }
    }

    std::string path_;
    pid_t pid_ = -1;
};

// ---- clients ---------------------------------------------------------------

// Forks `clients` processes; each runs `setup` (connect, one warm-up call),
// says it is ready, waits for the start signal, then makes `calls` calls of
// `call`. Returns the calls per second of all of them together, from the
// start signal until the last one exited.
double run_clients(int clients, int calls, const std::function<void()>& setup, const std::function<void()>& call) {
    int ready[2], go[2];
    if (::pipe2(ready, O_CLOEXEC) < 0 || ::pipe2(go, O_CLOEXEC) < 0) fail("pipe: " + errno_text(errno));
    std::vector<pid_t> pids;
    for (int c = 0; c < clients; ++c) {
        const pid_t pid = ::fork();
        if (pid < 0) fail("fork: " + errno_text(errno));
        if (pid == 0) {
            ::close(ready[0]);
            ::close(go[1]);
            try {
                setup();
                char b = 1;
                if (::write(ready[1], &b, 1) != 1) ::_exit(1);
                (void)::read(go[0], &b, 1);  // end of file: start
                for (int i = 0; i < calls; ++i) call();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "bench-throughput client: %s\n", e.what());
                ::_exit(1);
            }
            ::_exit(0);
        }
        pids.push_back(pid);
    }
    ::close(ready[1]);
    ::close(go[0]);
    for (int c = 0; c < clients; ++c) {
        char b;
        if (::read(ready[0], &b, 1) != 1) break;  // a client died before it was ready: its status says
    }
    const auto t0 = Clock::now();
    ::close(go[1]);
    bool ok = true;
    for (pid_t p : pids) {
        int st = 0;
        ::waitpid(p, &st, 0);
        ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    const double s = seconds_since(t0);
    ::close(ready[0]);
    if (!ok) fail("a client failed");
    return static_cast<double>(clients) * calls / s;
}

int run_bench(const Options& o, int total_calls) {
    const std::vector<int> counts = o.quick ? std::vector<int>{1, 2} : std::vector<int>{1, 8, 64};
    if (o.quick) total_calls = 40;

    test::Daemon daemon;
    std::unique_ptr<client::Connection> conn;
    std::string why;
    if (client::Connection::open(daemon.socket(), conn, why, "bench-throughput") < 0)
        fail("connecting to ifctld: " + why);
    daemon_tap(*conn, "bt0");
    const FrameSizes sizes = brief_get_sizes(*conn, "bt0");
    conn.reset();
    EchoServer echo(daemon.dir() + "/echo.sock");

    print_header("bench-throughput", o,
                 "gets per second, concurrent clients, vs an echo server (" + std::to_string(sizes.request) + "/" +
                     std::to_string(sizes.reply) + " B)");

    // Client state, per forked process.
    int sock = -1;
    struct ifreq req {};
    std::strcpy(req.ifr_name, "bt0");
    std::vector<uint8_t> buf(proto::kMaxFrame);
    auto ifctl_setup = [&] {
        sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq r = req;
        if (sock < 0 || ifctl_ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("SIOCGIFFLAGS bt0: " + errno_text(errno));
    };
    auto ifctl_call = [&] {
        struct ifreq r = req;
        if (ifctl_ioctl(sock, SIOCGIFFLAGS, &r) < 0) fail("SIOCGIFFLAGS bt0: " + errno_text(errno));
    };
    auto echo_call = [&] {
        const auto want = static_cast<uint32_t>(sizes.reply);
        std::memcpy(buf.data(), &want, 4);
        if (::send(sock, buf.data(), sizes.request, MSG_NOSIGNAL) != static_cast<ssize_t>(sizes.request) ||
            ::recv(sock, buf.data(), buf.size(), 0) != static_cast<ssize_t>(sizes.reply))
            fail("echo round trip: " + errno_text(errno));
    };
    auto echo_setup = [&] {
        sock = echo.connect();
        echo_call();
    };

    DataFile data(o, "throughput", "clients echo_per_s ifctl_per_s ratio");
    std::printf("\n%8s %14s %14s %8s %8s\n", "clients", "echo calls/s", "ifctl calls/s", "ratio", "target");
    for (int clients : counts) {
        const int calls = std::max(1, total_calls / clients);
        std::vector<double> e, f;
        for (int run = 0; run < o.runs; ++run) {
            if (run % 2 == 0) {
                e.push_back(run_clients(clients, calls, echo_setup, echo_call));
                f.push_back(run_clients(clients, calls, ifctl_setup, ifctl_call));
            } else {
                f.push_back(run_clients(clients, calls, ifctl_setup, ifctl_call));
                e.push_back(run_clients(clients, calls, echo_setup, echo_call));
            }
        }
        const double em = median(e), fm = median(f), ratio = fm / em;
        const bool target = clients == 8;
        std::printf("%8d %14.0f %14.0f %7.2fx %8s  %s\n", clients, em, fm, ratio, target ? ">=0.6x" : "-",
                    target ? verdict(ratio, Goal::AtLeast, 0.6) : "");
        data.row(std::to_string(clients) + " " + std::to_string(em) + " " + std::to_string(fm) + " " +
                 std::to_string(ratio));
        record_ratio(o, "throughput, " + std::to_string(clients) + " clients: ifctl / echo server", ratio,
                     target ? Goal::AtLeast : Goal::None, target ? 0.6 : 0);
    }
    std::printf("\n%d runs per row; %d calls per run shared among the clients; medians of the runs.\n", o.runs,
                total_calls);
    if (const int st = daemon.stop(); !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("ifctld did not stop cleanly; see " + daemon.dir() + "/ifctld.log");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int total_calls = 16000;
    const Options o = parse_options(argc, argv, kUsage, [&](const std::string& a, const auto& next) {
        if (a != "--calls") return false;
        total_calls = parse_int(next(), "--calls");
        return true;
    });
    return bench_main("bench-throughput", [&] { return run_bench(o, total_calls); });
}
