// Netlink faults (Part 6): the kernel's event stream overruns (ENOBUFS on the
// daemon's event socket: it reads everything again), an interface vanishes
// between the daemon's check and its change, and the kernel refuses a change
// in the middle of a batch (test_events covers that rollback). Each case ends
// with the daemon alive and its view equal to the kernel's.
#include <linux/if.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "libifctl/protocol/event.hpp"
#include "libifctl/src/connection.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using test::slurp;
using client::Target;
using test::connect;

namespace {

// The daemon's list (names of managed interfaces) equals the kernel's TAPs.
std::set<std::string> daemon_managed(client::Connection& c) {
    std::vector<proto::Interface> all;
    REQUIRE(c.list(all) == 0);
    std::set<std::string> out;
    for (const auto& i : all)
        if (i.managed) out.insert(i.name);
    return out;
}

}  // namespace

TEST_CASE("an overrun of the kernel's event stream is followed by a full re-read: the view matches the kernel") {
    test::Daemon d;
    auto c = connect(d);
    auto sub = connect(d);
    proto::Interface r;
    for (const char* n : {"nf0", "nf1", "nf2"}) REQUIRE(c->create(n, {}, r) == 0);
    const uint32_t gone_index = r.index;  // nf2's
    uint64_t seq = 0;
    REQUIRE(sub->subscribe(nullptr, proto::kEvLinkRemoved, &seq) == 0);

    // While the daemon is stopped, far more events than its socket holds
    // (each link message is over a kilobyte; the socket buffer is capped by
    // net.core.rmem_max), ending with a rename, an MTU and a deletion.
    const std::string batch = d.dir() + "/flood.ip";
    {
        std::ofstream b(batch);
        // The kernel doubles the size asked for, up to twice rmem_max; every
        // event takes over a kilobyte of it: this many overrun it twice over.
        const long rmem_max = std::stol(test::run("sysctl -n net.core.rmem_max"));
        const long flips = std::min(200000L, 4 * rmem_max / 1024 + 1000);
        for (long i = 0; i < flips; ++i) b << "link set nf0 mtu " << (i % 2 ? 1500 : 1400) << "\n";
        b << "link set nf0 mtu 1234\nlink set nf1 name nf1z\nlink del nf2\n";
    }
    REQUIRE(::kill(d.pid(), SIGSTOP) == 0);
    test::run("ip -batch " + batch);
    REQUIRE(::kill(d.pid(), SIGCONT) == 0);

    // The next request sees the re-read view.
    REQUIRE(c->get(Target::by_name("nf0"), r) == 0);
    CHECK(r.mtu == 1234);
    REQUIRE(c->get(Target::by_name("nf1z"), r) == 0);
    CHECK(r.managed);
    CHECK(c->get(Target::by_name("nf1"), r) == -ENODEV);
    CHECK(c->get(Target::by_name("nf2"), r) == -ENODEV);
    CHECK(daemon_managed(*c) == std::set<std::string>{"nf0", "nf1z"});
    const std::string log = slurp(d.log());
    CHECK(log.find("kernel events were lost (ENOBUFS on the event socket)") != std::string::npos);
    CHECK(log.find("managed interface nf2 (index " + std::to_string(gone_index) + ") was deleted outside ifctld") !=
          std::string::npos);
    // Subscribers hear of the managed interface that vanished while events were lost.
    pollfd p{sub->fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    proto::Event e;
    REQUIRE(sub->next_event(e) == 0);
    CHECK(e.kind == proto::kEvLinkRemoved);
    CHECK(e.index == gone_index);
    CHECK(e.managed);
    // Managed as before: a change works.
    CHECK(c->set_mtu(Target::by_name("nf1z"), 1300) == 0);
}

TEST_CASE("an interface deleted between the daemon's check and its change: ENODEV or done, never a stale view") {
    test::Daemon d;
    auto c = connect(d);
    // Bounded: 100 rounds, each a TAP deleted by `ip` while requests for it are in flight.
    for (int round = 0; round < 100; ++round) {
        proto::Interface r;
        REQUIRE(c->create("race0", {}, r) == 0);
        std::thread killer([] { test::run("ip link del race0"); });
        std::set<int> seen;
        for (int i = 0; i < 20; ++i) {
            const int rc = c->set_mtu(Target::by_name("race0"), 1400 + (i % 2));
            seen.insert(rc);
            INFO("round " << round << " request " << i << ": " << c->message());
            CHECK((rc == 0 || rc == -ENODEV));
        }
        killer.join();
        // Once the kernel has it gone, so has the daemon: no stale record.
        CHECK(c->get(Target::by_name("race0"), r) == -ENODEV);
        CHECK(daemon_managed(*c).empty());
        CHECK(test::link("race0") == nullptr);
    }
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
