// Netlink faults: the kernel's event stream overruns (ENOBUFS on the
// daemon's event socket: it reads everything again), an interface vanishes
// between the daemon's check and its change, and the kernel refuses a change
// in the middle of a batch (test_events covers that rollback). Each case ends
// with the daemon alive and its view equal to the kernel's.
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <thread>

#include "daemon/kernel/netlink.hpp"
#include "libifctl/protocol/event.hpp"
#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using test::slurp;
using client::InterfaceRef;
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
    REQUIRE(c->get(InterfaceRef::by_name("nf0"), r) == 0);
    CHECK(r.mtu == 1234);
    REQUIRE(c->get(InterfaceRef::by_name("nf1z"), r) == 0);
    CHECK(r.managed);
    CHECK(c->get(InterfaceRef::by_name("nf1"), r) == -ENODEV);
    CHECK(c->get(InterfaceRef::by_name("nf2"), r) == -ENODEV);
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
    CHECK(c->set_mtu(InterfaceRef::by_name("nf1z"), 1300) == 0);
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
            const client::Result r = c->set_mtu(InterfaceRef::by_name("race0"), 1400 + (i % 2));
            const int rc = r.error;
            seen.insert(rc);
            INFO("round " << round << " request " << i << ": " << r.message);
            CHECK((rc == 0 || rc == -ENODEV));
        }
        killer.join();
        // Once the kernel has it gone, so has the daemon: no stale record.
        CHECK(c->get(InterfaceRef::by_name("race0"), r) == -ENODEV);
        CHECK(daemon_managed(*c).empty());
        CHECK(test::link("race0") == nullptr);
    }
}

namespace {

// The port of the daemon's event socket: the NETLINK_ROUTE socket in this
// namespace subscribed to the link, IPv4- and IPv6-address groups (bits 0, 4, 8).
uint32_t daemon_event_port() {
    std::ifstream f("/proc/net/netlink");
    std::string line;
    std::getline(f, line);  // the header
    while (std::getline(f, line)) {
        std::istringstream in(line);
        std::string sk, groups;
        int protocol = -1;
        uint32_t port = 0;
        in >> sk >> protocol >> port >> groups;
        if (protocol == NETLINK_ROUTE && port != 0 && groups == "00000111") return port;
    }
    return 0;
}

}  // namespace

TEST_CASE("a forged event sent by a process to the daemon's event socket is ignored") {
    test::Daemon d;
    auto c = connect(d);
    auto sub = connect(d);
    proto::Interface r;
    REQUIRE(c->create("nf0", {}, r) == 0);
    const uint32_t index = r.index;
    uint64_t seq = 0;
    REQUIRE(sub->subscribe(nullptr, proto::kEvLinkRemoved, &seq) == 0);

    // Any process may send to a netlink port (root here): an RTM_DELLINK for
    // nf0 that the kernel never sent.
    const uint32_t port = daemon_event_port();
    REQUIRE(port != 0);
    struct {
        nlmsghdr h;
        ifinfomsg i;
    } msg{};
    msg.h.nlmsg_len = sizeof msg;
    msg.h.nlmsg_type = RTM_DELLINK;
    msg.i.ifi_family = AF_UNSPEC;
    msg.i.ifi_index = static_cast<int>(index);
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    REQUIRE(fd >= 0);
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    to.nl_pid = port;
    CHECK(::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
          static_cast<ssize_t>(sizeof msg));
    ::close(fd);

    // The next request reads the event socket first: nf0 is still there and
    // managed, nobody heard of a removal, nothing was logged.
    REQUIRE(c->get(InterfaceRef::by_name("nf0"), r) == 0);
    CHECK(r.managed);
    CHECK(r.index == index);
    CHECK(daemon_managed(*c) == std::set<std::string>{"nf0"});
    pollfd p{sub->fd(), POLLIN, 0};
    CHECK(::poll(&p, 1, 300) == 0);
    CHECK(slurp(d.log()).find("deleted outside ifctld") == std::string::npos);
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }

// The kernel view read in this process: an address list read while address
// events are still queued has what they say and perhaps what came after them.
// Applied to that list they would misplace an address deleted and added again
// behind one added later; the view reads the list again instead.
TEST_CASE("address events queued before a read of the list leave the view's list the kernel's") {
    test::run("ip link add ord0 type veth peer name ord1");
    struct Gone {
        ~Gone() { test::run("ip link del ord0 2>/dev/null || true"); }
    } gone;
    daemon::Netlink nl;
    const proto::Interface* i = nl.find("ord0");
    REQUIRE(i);
    const uint32_t index = i->index;
    for (const char* cmd : {"add 10.0.0.1/24", "add 10.0.0.2/24", "del 10.0.0.2/24", "add 10.0.0.2/24", "add 10.0.0.3/24"})
        test::run(std::string("ip addr ") + cmd + " dev ord0");
    // An inet6 address without DAD marks the list to be read: read now, its events still queued.
    proto::Address v6 = test::v6("fd00::1");
    v6.flags = IFA_F_NODAD;
    REQUIRE(nl.add_address(index, v6) == 0);
    REQUIRE(nl.find(index));
    nl.poll_events();
    std::vector<std::string> view, kernel;
    for (const proto::Address& a : nl.find(index)->addresses)
        view.push_back(proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix));
    const auto shown = test::ip({"addr", "show", "dev", "ord0"});
    for (const auto& a : shown[0].at("addr_info"))
        kernel.push_back(a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>()));
    CHECK(kernel == std::vector<std::string>{"10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24", "fd00::1/64"});
    CHECK(view == kernel);
}
