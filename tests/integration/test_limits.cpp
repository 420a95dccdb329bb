// Resource exhaustion and fairness, tried as an attacker in the socket group
// would, with real users made for the test: a batch that is never finished,
// replies that are never read, connections by the hundred, a batch long enough
// to stall the daemon, addresses without end, and clients that hang up while
// they wait. Each case bounds the daemon's memory, descriptors or the delay
// another client sees; docs/testing.md reports the figures.
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/test_main.hpp"
#include "support/test_users.hpp"

using namespace ifctl;
using proto::AttrType;
using proto::Op;
using Clock = std::chrono::steady_clock;


// The memory bounds below hold in every build: under AddressSanitizer the
// daemon runs with a quarantine of zero (sanitized_daemon_options() below), so
// freed memory is reused as in the shipped build and its growth is measured, not
// the sanitizer's bookkeeping. The delay bounds are wider under the sanitizer
// (kDelayScale): the daemon's code itself runs several times slower there, and a
// get waits for one step of someone else's batch, which takes that much longer.
#if defined(__SANITIZE_ADDRESS__)
#define IFCTL_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IFCTL_TEST_SANITIZED 1
#endif
#endif
#ifdef IFCTL_TEST_SANITIZED
constexpr long kDelayScale = 4;
#else
constexpr long kDelayScale = 1;
#endif

// ASAN_OPTIONS for the daemons this program starts: no quarantine (freed blocks
// are reused at once, as malloc does) and no per-thread cache of it.
static void sanitized_daemon_options() {
#ifdef IFCTL_TEST_SANITIZED
    const char* had = std::getenv("ASAN_OPTIONS");
    std::string opts = had && *had ? std::string(had) + ":" : std::string();
    opts += "quarantine_size_mb=0:thread_local_quarantine_size_kb=0";
    ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
#endif
}

namespace {

test::TestUsers* g_users = nullptr;
test::TestUser ua, ub;  // a: may create lab* TAPs; b: only in the socket's group
constexpr int kLongBatch = 8000;  // steps: long enough (applied, then undone) that a stall would show

// kB of the daemon's resident memory (any user may read /proc/PID/status).
long rss_kb(pid_t pid) {
    std::ifstream s("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(s, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

size_t open_fds(pid_t pid) {
    size_t n = 0;
    if (DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
        while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
        ::closedir(d);
    }
    return n;
}

size_t log_lines_with(const test::Daemon& d, const std::string& what) {
    std::ifstream f(d.log());
    size_t n = 0;
    for (std::string line; std::getline(f, line);) n += line.find(what) != std::string::npos;
    return n;
}

// The daemon with [limits] `limits`, socket open to the test's group, and a
// rule that lets group "lab" create lab* TAPs with addresses in 10.9.0.0/16.
std::unique_ptr<test::Daemon> start(const std::string& limits, unsigned long nofile = 0) {
    const std::string dir = test::temp_dir("ifctl-limits");
    ::chmod(dir.c_str(), 0755);
    const std::string conf = dir + "/c.toml";
    std::ofstream(conf) << "[daemon]\nsocket_group = \"" << g_users->full("sock") << "\"\n\n[limits]\n"
                        << limits << "\n[[policy.rule]]\nname = \"lab\"\ngroups = [\"" << g_users->full("lab")
                        << "\"]\ncreate = true\nnames = [\"lab*\"]\nmax_interfaces = 4\n"
                        << "operations = [\"address\", \"mtu\", \"flags\", \"destroy\"]\n"
                        << "address_prefixes = [\"10.9.0.0/16\"]\n";
    auto d = std::make_unique<test::Daemon>("--config " + conf, nofile);
    ::chmod(d->dir().c_str(), 0755);
    return d;
}

// Root makes a TAP for `owner`.
void make_tap(const test::Daemon& d, const std::string& name, uid_t owner) {
    auto c = test::connect(d);
    client::CreateOptions o;
    o.owner = owner;
    proto::Interface rec;
    REQUIRE(c->create(name, o, rec) == 0);
}

// Connects as nobody in particular: a raw socket, no hello.
int raw_connect(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
}

// The status of the next frame on fd (-1: none within `ms`).
int next_status(int fd, int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<uint8_t> buf(proto::kMaxFrame);
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    proto::Header h;
    if (n < 16 || proto::parse_header({buf.data(), static_cast<size_t>(n)}, h, true)) return -1;
    return h.status;
}

std::vector<uint8_t> mtu_step(const std::string& name, uint32_t mtu) {
    return proto::Writer(static_cast<uint16_t>(Op::SetMtu), 0, 0).str(wire_type(AttrType::Name), name).u32(wire_type(AttrType::Mtu), mtu).finish();
}

// Root's gets of lo, one every 2 ms on a connection of its own, until stop():
// the worst wait another client saw.
class GetProbe {
public:
    explicit GetProbe(const std::string& socket) {
        std::string why;
        if (client::Connection::open(socket, c_, why) < 0) throw std::runtime_error(why);
        th_ = std::thread([this] {
            while (!stop_) {
                proto::Interface rec;
                const auto t0 = Clock::now();
                if (c_->get(client::InterfaceRef::by_name("lo"), rec) < 0) failed_ = true;
                const long us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
                worst_us_ = std::max<long>(worst_us_, us);
                ++gets_;
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
    }
    ~GetProbe() { stop(); }
    void stop() {
        stop_ = true;
        if (th_.joinable()) th_.join();
    }
    long worst_ms() const { return worst_us_ / 1000; }
    long gets() const { return gets_; }
    bool failed() const { return failed_; }

private:
    std::unique_ptr<client::Connection> c_;
    std::thread th_;
    std::atomic<bool> stop_{false}, failed_{false};
    std::atomic<long> worst_us_{0}, gets_{0};
};

}  // namespace

TEST_CASE("a batch never finished is bounded per batch and per uid, and judged on its first part") {
    auto d = start("max_connections_per_uid = 4\nmax_batch_bytes = 262144\nmax_batch_bytes_per_uid = 524288\n");
    make_tap(*d, "lab0", ua.uid);
    const std::string sock = d->socket();
    // Parts of 1,500 steps (about 60 KB) with batch-continues, never the last.
    auto part = [](client::Connection& c, uint32_t mtu) {
        proto::Writer w = c.request(Op::Batch);
        for (int i = 0; i < 1500; ++i) w.bytes(wire_type(AttrType::Step), mtu_step("lab0", mtu));
        w.u8(wire_type(AttrType::BatchContinues), 1);
        client::DecodedReply r;
        const int rc = c.call(w, r);
        return rc < 0 ? -rc : r.status;
    };

    SECTION("a user who may not run the first steps is refused at the first part") {
        const std::string out = test::run_as(ub, [&] {
            std::unique_ptr<client::Connection> c;
            std::string why;
            if (client::Connection::open(sock, c, why) < 0) return std::string("open failed");
            return std::to_string(part(*c, 1400));
        });
        CHECK(out == std::to_string(EPERM));
    }
    SECTION("four connections sending parts round after round are each refused, memory bounded") {
        const long before = rss_kb(d->pid());
        const std::string out = test::run_as(ua, [&] {
            std::vector<std::unique_ptr<client::Connection>> cs(4);
            std::string why;
            for (auto& c : cs)
                if (client::Connection::open(sock, c, why) < 0) return "open failed: " + why;
            std::vector<int> refused(cs.size(), 0);
            for (int round = 0; round < 40; ++round)  // 60,000 steps each at most
                for (size_t i = 0; i < cs.size(); ++i)
                    if (!refused[i]) refused[i] = part(*cs[i], 1400);
            std::ostringstream s;
            for (int e : refused) s << e << " ";
            return s.str();
        });
        const long growth = rss_kb(d->pid()) - before;
        WARN("unfinished batches: daemon VmRSS grew by " << growth << " kB; refusals " << out);
        std::istringstream in(out);
        std::multiset<int> errs;
        for (int e; in >> e;) errs.insert(e);
        REQUIRE(errs.size() == 4);
        CHECK(errs.count(0) == 0);
        CHECK(errs.count(E2BIG) + errs.count(ENOBUFS) == 4);
        CHECK(errs.count(ENOBUFS) >= 1);  // the uid's budget, across its connections
        CHECK(growth < 8 * 1024);
        CHECK(test::kernel_view("lab0")["mtu"] == 1500);  // nothing was applied
    }
}

TEST_CASE("replies nobody reads are budgeted per connection and per uid; reading resumes as they drain") {
    auto d = start("max_connections_per_uid = 4\nmax_reply_bytes = 65536\nmax_reply_bytes_per_uid = 131072\n");
    // A list worth reading: 16 interfaces with 16 addresses each (about 15 KB).
    {
        std::ofstream f(d->dir() + "/setup.ip");
        for (int i = 0; i < 16; ++i) {
            f << "tuntap add lm" << i << " mode tap\n";
            for (int j = 0; j < 16; ++j) f << "addr add 10.8." << i << "." << j + 1 << "/32 dev lm" << i << "\n";
        }
    }
    test::run("ip -batch " + d->dir() + "/setup.ip");
    const long before = rss_kb(d->pid());
    const pid_t daemon = d->pid();
    GetProbe probe(d->socket());
    const std::string sock = d->socket();
    const std::string out = test::run_as(ub, [&] {
        std::vector<std::unique_ptr<client::Connection>> cs(4);
        std::string why;
        for (auto& c : cs)
            if (client::Connection::open(sock, c, why) < 0) return "open failed: " + why;
        // Each pipelines 300 lists and reads nothing, as far as its socket takes them.
        std::vector<int> sent(cs.size(), 0);
        for (size_t i = 0; i < cs.size(); ++i)
            for (uint32_t k = 0; k < 300; ++k) {
                const auto f = proto::Writer(static_cast<uint16_t>(Op::List), 0, k + 100).finish();
                if (::send(cs[i]->fd(), f.data(), f.size(), MSG_DONTWAIT) < 0) break;
                ++sent[i];
            }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const long held = rss_kb(daemon);
        // Now read everything: every request is answered, in order, ok or ENOBUFS.
        int answered = 0, bad = 0;
        for (size_t i = 0; i < cs.size(); ++i) {
            std::vector<uint8_t> buf(proto::kMaxFrame);
            timeval tv{5, 0};
            ::setsockopt(cs[i]->fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            for (int got = 0; got < sent[i];) {
                const ssize_t n = ::recv(cs[i]->fd(), buf.data(), buf.size(), 0);
                proto::Header h;
                if (n < 16 || proto::parse_header({buf.data(), static_cast<size_t>(n)}, h, true)) return std::string("lost");
                if (h.flags & proto::kFlagMore) continue;
                if (h.id != static_cast<uint32_t>(got + 100) || (h.status && h.status != ENOBUFS)) ++bad;
                ++got;
                ++answered;
            }
            std::vector<proto::Interface> all;
            if (cs[i]->list(all) < 0) ++bad;
        }
        return std::to_string(held) + " " + std::to_string(answered) + " " + std::to_string(bad);
    });
    probe.stop();
    std::istringstream in(out);
    long held = 0;
    int answered = 0, bad = -1;
    in >> held >> answered >> bad;
    INFO("child said: " << out);
    const long growth = held - before;
    WARN("stalled readers: daemon VmRSS grew by " << growth << " kB while " << answered
                                                   << " lists waited; worst get " << probe.worst_ms() << " ms");
    CHECK(bad == 0);
    CHECK(answered > 0);
    CHECK(growth < 8 * 1024);
    CHECK_FALSE(probe.failed());
    CHECK(probe.worst_ms() < 100 * kDelayScale);
}

TEST_CASE("connections over the limits are refused at once, in few log lines, and root keeps a reserve") {
    SECTION("over max_connections_per_uid") {
        auto d = start("max_connections_per_uid = 4\nhello_timeout = 60\n", 1024);
        test::connect(*d);  // past its start: everything it keeps open is open
        const size_t base = open_fds(d->pid());
        std::atomic<bool> done{false};
        size_t worst = base;
        std::thread watch([&] {
            while (!done) {
                worst = std::max(worst, open_fds(d->pid()));
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        const std::string sock = d->socket();
        const std::string out = test::run_as(ub, [&] {
            std::vector<int> fds;
            for (int i = 0; i < 300; ++i)
                if (int fd = raw_connect(sock); fd >= 0) fds.push_back(fd);
            // Told at once: the refusal is waiting before any hello is sent.
            int told = 0;
            for (size_t i = 4; i < fds.size(); ++i) told += next_status(fds[i], 1000) == EUSERS;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            for (int fd : fds) ::close(fd);
            return std::to_string(told);
        });
        done = true;
        watch.join();
        WARN("300 connections from one uid: daemon descriptors " << base << " -> at most " << worst);
        CHECK(out == "296");
        CHECK(worst <= base + 4 + 2);
        // One audit record per uid and interval, not one per refusal.
        CHECK(log_lines_with(*d, "op=connect") == 1);
        // The user gets a slot back once its connections are gone.
        CHECK(test::eventually([&] {
            return test::run_as(ub, [&] {
                std::unique_ptr<client::Connection> c;
                std::string why;
                return std::to_string(client::Connection::open(sock, c, why));
            }) == "0";
        }));
    }
    SECTION("the last descriptors are root's") {
        auto d = start("max_connections_per_uid = 1000\nhello_timeout = 60\nreserved_fds = 64\n", 256);
        const std::string sock = d->socket();
        std::string out;
        std::thread attacker([&] {
            out = test::run_as(ub, [&] {
                std::vector<int> fds;
                for (int i = 0; i < 400; ++i)
                    if (int fd = raw_connect(sock); fd >= 0) fds.push_back(fd);
                int emfile = 0;
                for (int fd : fds) emfile += next_status(fd, 20) == EMFILE;
                std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // held while root connects
                for (int fd : fds) ::close(fd);
                return std::to_string(emfile);
            });
        });
        // Root connects and gets while the user holds everything it could get.
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        const size_t fds_held = open_fds(d->pid());
        const auto t0 = Clock::now();
        std::unique_ptr<client::Connection> root;
        std::string why;
        const int rc = client::Connection::open(sock, root, why, "libifctl", 2000);
        proto::Interface lo;
        const int got = rc == 0 ? root->get(client::InterfaceRef::by_name("lo"), lo) : rc;
        const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
        attacker.join();
        WARN("400 connections under a 256-descriptor limit: daemon held " << fds_held << ", root served in " << ms
                                                                          << " ms; refusals " << out);
        CHECK(fds_held <= 256 - 64 + 2);
        CHECK(std::stoi(out) > 100);
        CHECK(got == 0);
        CHECK(ms < 100);
    }
}

TEST_CASE("a long batch does not delay others, addresses are limited, a record of any size can be destroyed") {
    auto d = start("max_addresses_per_interface = 64\nmax_addresses_per_owner = 96\n");
    make_tap(*d, "lab0", ua.uid);
    make_tap(*d, "lab1", ua.uid);
    const std::string sock = d->socket();
    auto as_a = [&](const std::function<std::string(client::Connection&)>& fn) {
        return test::run_as(ua, [&] {
            std::unique_ptr<client::Connection> c;
            std::string why;
            if (client::Connection::open(sock, c, why) < 0) return "open failed: " + why;
            return fn(*c);
        });
    };
    auto add = [](const std::string& name, int n) {
        return [name, n](client::Connection& c) {
            proto::Writer w = c.request(Op::Batch);
            for (int i = 0; i < n; ++i) {
                const std::string ip = "10.9." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
                proto::Writer s(static_cast<uint16_t>(Op::AddrAdd), 0, 0);
                s.str(wire_type(AttrType::Name), name);
                proto::encode_address(s, AttrType::Address, test::v4(ip.c_str(), 32));
                w.bytes(wire_type(AttrType::Step), s.finish());
            }
            client::DecodedReply r;
            const int rc = c.call(w, r);
            return std::to_string(rc < 0 ? -rc : r.status) + " " + r.message;
        };
    };

    SECTION("addresses per interface and per owner, judged before any is added") {
        const nlohmann::json before = test::kernel_state();
        const std::string one = as_a(add("lab0", 65));
        CHECK_THAT(one, Catch::StartsWith(std::to_string(ENOSPC) + " step 65 of 65") &&
                            Catch::Contains("limits.max_addresses_per_interface = 64"));
        CHECK(test::kernel_state() == before);
        CHECK(as_a(add("lab0", 64)).rfind("0 ", 0) == 0);
        const nlohmann::json full = test::kernel_state();
        const std::string owner = as_a(add("lab1", 40));
        CHECK_THAT(owner, Catch::StartsWith(std::to_string(EDQUOT) + " step 33 of 40") &&
                              Catch::Contains("limits.max_addresses_per_owner = 96"));
        CHECK(test::kernel_state() == full);
        // A single request is judged the same way.
        const std::string single = as_a([](client::Connection& c) {
            const client::Result r = c.addr_add(client::InterfaceRef::by_name("lab0"), test::v4("10.9.9.9", 32));
            return std::to_string(r.error) + " " + r.message;
        });
        CHECK_THAT(single, Catch::StartsWith(std::to_string(-ENOSPC) + " lab0 has 64 addresses"));
    }
    SECTION("a batch of thousands of steps lets another client's gets through; it still rolls back whole") {
        GetProbe probe(sock);
        const auto t0 = Clock::now();
        const std::string out = as_a([](client::Connection& c) {
            std::vector<std::vector<uint8_t>> steps;
            for (int i = 0; i < kLongBatch; ++i) steps.push_back(mtu_step("lab0", i % 2 ? 1500 : 1400));
            // The last step fails when it runs (no such address): everything is undone.
            proto::Writer s(static_cast<uint16_t>(Op::AddrDel), 0, 0);
            s.str(wire_type(AttrType::Name), "lab0");
            proto::encode_address(s, AttrType::Address, test::v4("10.9.200.200", 32));
            steps.push_back(s.finish());
            std::optional<uint32_t> failed;
            const int rc = c.batch(steps, &failed);
            return std::to_string(-rc) + " " + std::to_string(failed.value_or(0));
        });
        const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
        probe.stop();
        WARN("a " << kLongBatch + 1 << "-step batch took " << ms << " ms (applied and undone); another client's worst get "
                                       << probe.worst_ms() << " ms over " << probe.gets() << " gets");
        CHECK(out == std::to_string(EADDRNOTAVAIL) + " " + std::to_string(kLongBatch));
        REQUIRE(ms > 300);  // long enough that a stall would show
        CHECK_FALSE(probe.failed());
        CHECK(probe.worst_ms() < 100 * kDelayScale);
        CHECK(test::kernel_view("lab0")["mtu"] == 1500);
    }
    SECTION("an interface given thousands of addresses behind the daemon's back is still listed, got and destroyed") {
        {
            std::ofstream f(d->dir() + "/many.ip");
            for (int i = 0; i < 2000; ++i) f << "addr add 10.7." << i / 250 << "." << i % 250 + 1 << "/32 dev lab1\n";
        }
        test::run("ip -batch " + d->dir() + "/many.ip");
        auto c = test::connect(*d);
        auto other = test::connect(*d);
        const std::string warning = "the record of lab1 is too large for a frame";
        // Every list carries it; the log says so once, whoever lists and however often.
        for (int i = 0; i < 5; ++i) {
            std::vector<proto::Interface> all;
            CHECK(c->list(all) == 0);
            CHECK(other->list(all) == 0);
            CHECK(std::count_if(all.begin(), all.end(), [](const proto::Interface& x) { return x.name == "lab1"; }) == 1);
        }
        CHECK(log_lines_with(*d, warning) == 1);
        // Once it fits again (a list sees it whole), a new overflow is told anew, once.
        test::run("ip addr flush dev lab1 to 10.7.0.0/16");
        std::vector<proto::Interface> all;
        CHECK(c->list(all) == 0);
        CHECK(log_lines_with(*d, warning) == 1);
        test::run("ip -batch " + d->dir() + "/many.ip");
        for (int i = 0; i < 3; ++i) CHECK(other->list(all) == 0);
        CHECK(log_lines_with(*d, warning) == 2);
        proto::Interface rec;
        CHECK(c->get(client::InterfaceRef::by_name("lab1"), rec) == 0);
        const std::string cli = std::string(std::getenv("IFCTL_CLI")) + " --socket " + sock + " lab1 destroy 2>&1; echo exit=$?";
        CHECK(test::run(cli) == "exit=0\n");
        CHECK(test::kernel_view("lab1") == nullptr);
    }
}

TEST_CASE("a client that hangs up while it waits for readiness is noticed") {
    auto d = start("max_connections_per_uid = 4\n");
    make_tap(*d, "lab0", ua.uid);  // down: nothing it waits for will come
    const std::string sock = d->socket();
    const size_t base = open_fds(d->pid());
    SECTION("hello, wait-ready, close: twenty times") {
        const std::string out = test::run_as(ua, [&] {
            for (int i = 0; i < 20; ++i) {
                std::unique_ptr<client::Connection> c;
                std::string why;
                if (client::Connection::open(sock, c, why) < 0) return "open " + std::to_string(i) + ": " + why;
                proto::Writer w = c->request(Op::WaitReady, nullptr);
                w.str(wire_type(AttrType::Name), "lab0");
                uint32_t id;
                if (c->send(w, id) < 0) return std::string("send failed");
                std::this_thread::sleep_for(std::chrono::milliseconds(i % 2 ? 20 : 0));  // before and after the wait began
            }
            return std::string("ok");
        });
        CHECK(out == "ok");
    }
    SECTION("ifctl NAME wait-up interrupted") {
        for (int i = 0; i < 3; ++i)
            test::run("timeout -s INT 0.3 " + std::string(std::getenv("IFCTL_CLI")) + " --socket " + sock +
                      " lab0 wait-up >/dev/null 2>&1; true");
    }
    CHECK(test::eventually([&] { return open_fds(d->pid()) <= base; }));
    WARN("after the waiting clients hung up: daemon descriptors " << open_fds(d->pid()) << " (before " << base << ")");
}

int main(int argc, char** argv) {
    // Users for the whole run, removed at the end whatever happens (see test_users.hpp).
    std::optional<test::TestUsers> users;
    return test::run_catch_as_root(argc, argv, [&] {
        test::loopback_up();
        sanitized_daemon_options();
        g_users = &users.emplace("lm");
        users->add_group("sock");
        users->add_group("lab");
        ua = users->add_user("a", {"sock", "lab"});
        ub = users->add_user("b", {"sock"});
        return 0;
    });
}
