// Load and stalls: 1000 well-behaved clients doing mixed requests at once, while
// 100 misbehave (50 connect and say nothing, 50 send a truncated frame and stall)
// and 20 pipeline hundreds of requests without reading a reply. One process,
// every socket non-blocking, driven by poll(): no threads. Checks that every
// well-behaved client gets every answer, that the stalled ones are closed by the
// daemon's hello timeout, and that the daemon's memory stays bounded.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using proto::AttrType;
using proto::Op;

namespace {

constexpr int kGood = 1020, kSilent = 50, kHalf = 50, kGreedy = 20;  // 1000 stay good
constexpr int kRequestsEach = 4;     // after hello
constexpr int kGreedyRequests = 300;  // pipelined, never read
constexpr int kHelloTimeout = 5;      // seconds (the daemon's [limits] hello_timeout)

uint16_t o(Op op) { return static_cast<uint16_t>(op); }

// kB of the daemon's resident memory now (VmRSS) or at its peak (VmHWM).
long status_kb(pid_t pid, const char* field) {
    std::ifstream s("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(s, line);)
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field) + 1));
    return -1;
}

int connect_to(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);  // blocking: waits out a full backlog
    REQUIRE(::fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
    return fd;
}

std::vector<uint8_t> hello(uint32_t id) {
    proto::Writer w(o(Op::Hello), 0, id);
    w.u32(wire_type(AttrType::Version), proto::kVersion);
    return w.finish();
}

// The k-th request of client c: a mix of reads and changes, all of which succeed.
std::vector<uint8_t> request(int c, int k, uint32_t id) {
    const std::string tap = "ld" + std::to_string(c % 4);
    switch (k % 4) {
        case 0: return proto::Writer(o(Op::Get), 0, id).str(wire_type(AttrType::Name), tap).finish();
        case 1: return proto::Writer(o(Op::List), 0, id).u8(wire_type(AttrType::Brief), 1).finish();
        case 2: return proto::Writer(o(Op::SetMtu), 0, id).str(wire_type(AttrType::Name), tap).u32(wire_type(AttrType::Mtu), 1280 + c % 200).finish();
        default: return proto::Writer(o(Op::Get), 0, id).str(wire_type(AttrType::Name), "lo").finish();
    }
}

struct Client {
    int fd = -1;
    enum Kind { Good, Silent, Half, Greedy } kind = Good;
    int next = 0;          // Good: requests answered so far (0 = hello pending)
    bool done = false;     // Good: all answered; others: the daemon closed it
    std::string failure;   // Good: what went wrong
};

}  // namespace

TEST_CASE("1000 clients are served while 100 stall and 20 never read") {
    rlimit rl{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = rl.rlim_max;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &rl) == 0);
    REQUIRE(rl.rlim_cur > kGood + kSilent + kHalf + 64);

    // The hello timeout comes with the [limits] of the policy work; an ifctld
    // without it cannot close silent clients, and then only that check is left out.
    const char* exe = std::getenv("IFCTLD");
    REQUIRE(exe);
    const bool has_hello_timeout =
        test::run(std::string(exe) + " --print-config").find("hello_timeout") != std::string::npos;
    const std::string conf = test::temp_dir("ifctl-load") + "/ifctld.conf";
    {
        std::ofstream f(conf);
        if (has_hello_timeout) f << "[limits]\nhello_timeout = " << kHelloTimeout << "\n";
    }
    test::Daemon d("--config " + conf);
    {
        std::unique_ptr<client::Connection> c;
        std::string why;
        REQUIRE(client::Connection::open(d.socket(), c, why) == 0);
        for (int i = 0; i < 4; ++i) {
            proto::Interface rec;
            REQUIRE(c->create("ld" + std::to_string(i), {}, rec) == 0);
        }
    }
    const long rss_before = status_kb(d.pid(), "VmRSS:");
    REQUIRE(rss_before > 0);

    // Everyone connects; well-behaved clients say hello at once, as a library does.
    std::vector<Client> clients;
    auto add = [&](Client::Kind k) {
        Client c;
        c.kind = k;
        c.fd = connect_to(d.socket());
        clients.push_back(c);
        return clients.back().fd;
    };
    // Stalled clients are spread among the others (every 11th, twice), not bunched.
    for (int i = 0; i < kGood + kSilent + kHalf; ++i) {
        const bool spread = i / 11 < kSilent;
        const int fd = spread && i % 11 == 5 ? add(Client::Silent)
                     : spread && i % 11 == 6 ? add(Client::Half)
                                             : add(Client::Good);
        Client& c = clients.back();
        if (c.kind == Client::Good) {
            const auto f = hello(1);
            REQUIRE(::send(fd, f.data(), f.size(), 0) == static_cast<ssize_t>(f.size()));
        } else if (c.kind == Client::Half) {
            // The first 24 bytes of a 40-byte hello: the header claims more than arrives.
            proto::Writer w(o(Op::Hello), 0, 1);
            w.u32(wire_type(AttrType::Version), proto::kVersion).str(wire_type(AttrType::Software), "half a frame");
            const auto f = w.finish();
            REQUIRE(::send(fd, f.data(), f.size() / 2, 0) == static_cast<ssize_t>(f.size() / 2));
        }
    }
    // Greedy clients are the last 20 good ones: hello, then a pipeline nobody reads.
    for (int g = 0; g < kGreedy; ++g) {
        Client& c = clients[clients.size() - 1 - static_cast<size_t>(g)];
        REQUIRE(c.kind == Client::Good);
        c.kind = Client::Greedy;
        for (int k = 0; k < kGreedyRequests; ++k) {
            const auto f = proto::Writer(o(Op::List), 0, static_cast<uint32_t>(k + 2)).finish();
            if (::send(c.fd, f.data(), f.size(), 0) < 0) break;  // its buffer is full: it stalls there
        }
    }
    size_t good = 0;
    for (const Client& c : clients) good += c.kind == Client::Good;
    REQUIRE(good == kGood - kGreedy);

    // Drive the well-behaved clients until each has every answer, and wait for the
    // daemon to close the stalled ones. Bounded: at most 60 s, far beyond the hello
    // timeout (what is unfinished then is a failure), and 200000 rounds of poll. The
    // round cap must not end the wait before the hello timeout has passed: while
    // the good clients are busy, a round takes a millisecond or two, so 2000 rounds
    // ran out at about 5 s, with half the silent clients not yet closed.
    std::vector<uint8_t> buf(proto::kMaxFrame);
    std::vector<pollfd> pfds;
    std::vector<size_t> who;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int round = 0; round < 200000 && std::chrono::steady_clock::now() < give_up; ++round) {
        pfds.clear();
        who.clear();
        for (size_t i = 0; i < clients.size(); ++i) {
            const Client& c = clients[i];
            if (c.done || c.kind == Client::Greedy || (c.kind == Client::Silent && !has_hello_timeout)) continue;
            pfds.push_back({c.fd, POLLIN, 0});
            who.push_back(i);
        }
        if (pfds.empty()) break;
        REQUIRE(::poll(pfds.data(), pfds.size(), 1000) >= 0);
        for (size_t p = 0; p < pfds.size(); ++p) {
            if (!pfds[p].revents) continue;
            Client& c = clients[who[p]];
            const ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
            if (n < 0 && errno == EAGAIN) continue;
            if (c.kind != Client::Good) {
                if (n <= 0) c.done = true;  // closed by the daemon (a Half client reads its error first)
                continue;
            }
            proto::Header h;
            if (n <= 0) {
                c.failure = "closed by the daemon after " + std::to_string(c.next) + " answers";
            } else if (proto::parse_header({buf.data(), static_cast<size_t>(n)}, h, true)) {
                c.failure = "a malformed reply";
            } else if (h.flags & proto::kFlagMore) {
                continue;  // a list in several frames: wait for its last
            } else if (h.status != 0) {
                c.failure = "request " + std::to_string(c.next) + " failed with errno " + std::to_string(h.status);
            } else if (c.next == kRequestsEach) {
                c.done = true;
                continue;
            } else {
                const int me = static_cast<int>(who[p]);
                const auto f = request(me, c.next, static_cast<uint32_t>(c.next + 2));
                ++c.next;
                if (::send(c.fd, f.data(), f.size(), 0) == static_cast<ssize_t>(f.size())) continue;
                c.failure = std::string("send: ") + std::strerror(errno);
            }
            c.done = true;
        }
    }

    int served = 0, silent_closed = 0, half_closed = 0;
    std::string first_failure;
    for (const Client& c : clients) {
        if (c.kind == Client::Good && c.done && c.failure.empty()) ++served;
        if (c.kind == Client::Good && !c.failure.empty() && first_failure.empty()) first_failure = c.failure;
        silent_closed += c.kind == Client::Silent && c.done;
        half_closed += c.kind == Client::Half && c.done;
    }
    INFO("first failure: " << first_failure);
    CHECK(served == static_cast<int>(good));
    if (has_hello_timeout)
        CHECK(silent_closed == kSilent);
    else
        WARN("this ifctld has no hello timeout: silent clients were not checked");
    CHECK(half_closed == kHalf);

    // The greedy clients were not served ahead of anyone; now they go away too.
    for (Client& c : clients) ::close(c.fd);

    // Memory: bounded while 1120 connections were open, and given back (to within
    // allocator slack) once they are gone. Sanitizer builds keep freed memory in
    // quarantine on purpose, so there only the daemon's survival is checked.
    const long peak = status_kb(d.pid(), "VmHWM:");
    std::unique_ptr<client::Connection> after;
    std::string why;
    REQUIRE(client::Connection::open(d.socket(), after, why) == 0);  // alive and serving
    std::vector<proto::Interface> all;
    CHECK(after->list(all) == 0);
    const long rss_after = status_kb(d.pid(), "VmRSS:");
    INFO("daemon VmRSS before " << rss_before << " kB, after " << rss_after << " kB, peak " << peak << " kB");
#if defined(__SANITIZE_ADDRESS__)
#define IFCTL_LOAD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IFCTL_LOAD_SANITIZED 1
#endif
#endif
#ifndef IFCTL_LOAD_SANITIZED
    CHECK(peak - rss_before < 64 * 1024);
    CHECK(rss_after - rss_before < 16 * 1024);
#endif
    WARN("daemon VmRSS before " << rss_before << " kB, after " << rss_after << " kB, peak " << peak << " kB");
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
