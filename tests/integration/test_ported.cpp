// Ported code: small C programs written the BSD and the SVR4 way (see
// ported/*.c), compiled with `-include ifctl/compat.h -DIFCTL_REDIRECT_IOCTL`,
// run against a daemon in this private namespace with several TAPs carrying
// inet and inet6 addresses and aliases. Their output must match the kernel's
// state read with `ip -j`.
#include <arpa/inet.h>
#include <net/if.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <map>
#include <sstream>

#include "libifctl/src/connection.hpp"
#include "support/client_helpers.hpp"  // eventually()
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using json = nlohmann::json;

namespace {

std::string program(const std::string& name) { return std::string(std::getenv("PORTED_DIR")) + "/" + name; }

// Runs a ported program with a personality; its output lines that start with `prefix`.
std::vector<std::string> lines(const std::string& personality, const std::string& cmd, const std::string& prefix = "") {
    std::istringstream in(test::run("IFCTL_PERSONALITY=" + personality + " " + cmd));
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);)
        if (l.rfind(prefix, 0) == 0) out.push_back(l);
    return out;
}

proto::Address inet(const char* ip, int prefix, const char* label = "") {
    proto::Address a;
    a.family = AF_INET;
    inet_pton(AF_INET, ip, a.local.data());
    a.prefix = static_cast<uint8_t>(prefix);
    // The broadcast Linux computes for such an address, as `ip addr add ... brd +` would.
    uint32_t n;
    std::memcpy(&n, a.local.data(), 4);
    const uint32_t b = htonl(ntohl(n) | (prefix ? ~(~uint32_t{0} << (32 - prefix)) : ~uint32_t{0}));
    std::array<uint8_t, 4> bb;
    std::memcpy(bb.data(), &b, 4);
    a.broadcast = bb;
    a.label = label;
    return a;
}
proto::Address inet6(const char* ip, int prefix) {
    proto::Address a;
    a.family = AF_INET6;
    inet_pton(AF_INET6, ip, a.local.data());
    a.prefix = static_cast<uint8_t>(prefix);
    return a;
}

std::string mac_of(const std::string& dev) { return test::link(dev).at("address").get<std::string>(); }

std::vector<std::string> kernel_inet(const std::string& dev) {
    std::vector<std::string> out;
    const json l = test::link(dev);  // outlives the loop
    for (const json& a : l.at("addr_info"))
        if (a.at("family") == "inet") out.push_back(a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>()));
    return out;
}

struct Setup {
    test::Daemon d;
    std::unique_ptr<client::Connection> c;
    Setup() {
        std::string why;
        REQUIRE(client::Connection::open(d.socket(), c, why) == 0);
        proto::Interface rec;
        for (const char* n : {"pt0", "pt1"}) REQUIRE(c->create(n, client::CreateOptions{}, rec) == 0);
        const auto pt0 = client::Target::by_name("pt0"), pt1 = client::Target::by_name("pt1");
        REQUIRE(c->addr_add(pt0, inet("10.10.0.1", 24)) == 0);
        REQUIRE(c->addr_add(pt0, inet("10.10.1.1", 24, "pt0:1")) == 0);  // an alias
        REQUIRE(c->addr_add(pt0, inet6("2001:db8:10::1", 64)) == 0);
        REQUIRE(c->addr_add(pt1, inet("10.11.0.1", 16)) == 0);
        REQUIRE(c->addr_add(pt1, inet6("2001:db8:11::1", 64)) == 0);
        REQUIRE(c->addr_add(pt1, inet6("2001:db8:11::2", 64)) == 0);
        // The kernel joins each inet6 address's solicited-node group from a work
        // queue, a moment after the add: tests that compare memberships before
        // and after must start from the settled set.
        REQUIRE(test::eventually([] {
            return test::link_groups("pt0").count("3333ff000001") == 1 &&
                   test::link_groups("pt1").count("3333ff000001") == 1 &&
                   test::link_groups("pt1").count("3333ff000002") == 1;
        }));
    }
};

}  // namespace

TEST_CASE("BSD program walks SIOCGIFCONF with the BSD stepping rule") {
    Setup s;
    const std::vector<std::string> want = {
        "pt0 link " + mac_of("pt0"),
        "pt0 inet 10.10.0.1/255.255.255.0",
        "pt0 inet 10.10.1.1/255.255.255.0",
        "pt0 inet6 2001:db8:10::1",
        "pt1 link " + mac_of("pt1"),
        "pt1 inet 10.11.0.1/255.255.0.0",
        "pt1 inet6 2001:db8:11::2",  // the kernel lists IPv6 addresses newest first
        "pt1 inet6 2001:db8:11::1",
    };
    CHECK(lines("bsd", program("bsd_ifconf"), "pt") == want);
    // Every interface comes with its link-level entry first, "lo" included.
    CHECK(lines("bsd", program("bsd_ifconf")).at(0) == "lo link 00:00:00:00:00:00");
}

TEST_CASE("BSD program adds and deletes aliases with SIOCAIFADDR / SIOCDIFADDR") {
    Setup s;
    const std::string p = program("bsd_alias");
    CHECK(lines("bsd", p + " pt1 add 10.12.0.1 255.255.255.0") == std::vector<std::string>{"ok"});
    CHECK(kernel_inet("pt1") == std::vector<std::string>{"10.11.0.1/16", "10.12.0.1/24"});
    // The same address again: changed in place (add-or-replace).
    CHECK(lines("bsd", p + " pt1 add 10.12.0.1 255.255.0.0") == std::vector<std::string>{"ok"});
    CHECK(kernel_inet("pt1") == std::vector<std::string>{"10.11.0.1/16", "10.12.0.1/16"});
    CHECK(lines("bsd", p + " pt1 del 10.99.0.1") == std::vector<std::string>{"EADDRNOTAVAIL"});
    CHECK(lines("bsd", p + " nosuch0 add 10.13.0.1 255.255.255.0") == std::vector<std::string>{"ENXIO"});
    CHECK(lines("bsd", p + " pt1 del 10.12.0.1") == std::vector<std::string>{"ok"});
    CHECK(kernel_inet("pt1") == std::vector<std::string>{"10.11.0.1/16"});
    // The same binary under the Linux personality gets Linux's answer: no IPv4 SIOCDIFADDR (ENOTTY).
    CHECK(lines("linux", p + " pt1 del 10.11.0.1") == std::vector<std::string>{"ENOTTY"});
}

// bsd_multi joins and leaves 01:00:5e:01:02:03 with an AF_LINK sockaddr_dl; "wait"
// holds it there (the connection open) until the test sends a line.
TEST_CASE("BSD program joins a group with SIOCADDMULTI: counted per client, the kernel holds the union") {
    Setup s;
    const std::string p = program("bsd_multi");
    const test::Args bsd{"IFCTL_PERSONALITY=bsd"};
    const std::string g = "01005e010203";
    const auto multicast_of = [&](const char* dev) {
        proto::Interface r;
        REQUIRE(s.c->get(client::Target::by_name(dev), r) == 0);
        std::vector<std::string> out;
        for (const auto& m : r.multicast) out.push_back(proto::format_lladdr({m.begin(), m.end()}));
        return out;
    };
    const std::vector<std::string> group{"01:00:5e:01:02:03"};

    // §11, §15.11 (FreeBSD if_addmulti): a client joins a group once; again is EADDRINUSE.
    test::Child a({p, "pt0", "add", "add", "wait", "del", "del"}, bsd);
    CHECK(a.line() == "add ok");
    CHECK(a.line() == "add EADDRINUSE");
    REQUIRE(a.line() == "waiting");
    CHECK(test::link_groups("pt0").count(g) == 1);
    CHECK(test::link_groups("pt1").count(g) == 0);
    CHECK(multicast_of("pt0") == group);

    // A second client joins the same group: its own membership, so 0; the
    // kernel holds the group once, and the daemon's record lists it once.
    test::Child b({p, "pt0", "add", "wait", "del"}, bsd);
    CHECK(b.line() == "add ok");
    REQUIRE(b.line() == "waiting");
    CHECK(multicast_of("pt0") == group);

    // A third that never joined cannot leave it although the kernel holds it: ENOENT.
    CHECK(lines("bsd", p + " pt0 del") == std::vector<std::string>{"del ENOENT"});
    CHECK(test::link_groups("pt0").count(g) == 1);

    // The first leaves (then ENOENT: it no longer holds it); the group stays for the second.
    a.send("go");
    CHECK(a.line() == "del ok");
    CHECK(a.line() == "del ENOENT");
    CHECK(a.wait() == 0);
    CHECK(test::link_groups("pt0").count(g) == 1);
    CHECK(multicast_of("pt0") == group);

    // The last holder leaves: the kernel leaves the group.
    b.send("go");
    CHECK(b.line() == "del ok");
    CHECK(b.wait() == 0);
    CHECK(test::link_groups("pt0").count(g) == 0);
    CHECK(multicast_of("pt0").empty());
}

TEST_CASE("BSD program that exits without leaving: its memberships go with its connection") {
    Setup s;
    const std::string p = program("bsd_multi");
    const std::string g = "01005e010203";
    test::Child a({p, "pt1", "add", "wait"}, {"IFCTL_PERSONALITY=bsd"});
    CHECK(a.line() == "add ok");
    REQUIRE(a.line() == "waiting");
    CHECK(test::link_groups("pt1").count(g) == 1);
    a.send("go");
    CHECK(a.wait() == 0);
    // The daemon sees the connection close on its own time: a bounded wait.
    CHECK(test::eventually([&] { return test::link_groups("pt1").count(g) == 0; }));
}

TEST_CASE("BSD program's multicast refusals: exact errno, the kernel's memberships unchanged") {
    Setup s;
    const std::string p = program("bsd_multi");
    test::loopback_up();
    const auto pt0 = test::link_groups("pt0"), pt1 = test::link_groups("pt1"), lo = test::link_groups("lo");
    // §4: an unknown interface is ENXIO.
    CHECK(lines("bsd", p + " nosuch0 add") == std::vector<std::string>{"add ENXIO"});
    // §4: an interface ifctld does not manage is not changed: EPERM.
    CHECK(lines("bsd", p + " lo add") == std::vector<std::string>{"add EPERM"});
    // §11 (ifhwioctl): an interface without IFF_MULTICAST has no multicast filter: EOPNOTSUPP.
    test::run("ip link set pt1 multicast off");
    // The daemon learns of the change from the kernel's events: a bounded wait.
    REQUIRE(test::eventually([&] {
        proto::Interface r;
        return s.c->get(client::Target::by_name("pt1"), r) == 0 && !(r.flags & IFF_MULTICAST);
    }));
    CHECK(lines("bsd", p + " pt1 add") == std::vector<std::string>{"add EOPNOTSUPP"});
    test::run("ip link set pt1 multicast on");
    // §11: leaving a group never joined: ENOENT.
    CHECK(lines("bsd", p + " pt0 del") == std::vector<std::string>{"del ENOENT"});
    // The same binary under the Linux personality gets Linux's answer to an
    // AF_LINK address (dev_ifsioc wants AF_UNSPEC): EINVAL.
    CHECK(lines("linux", p + " pt0 add") == std::vector<std::string>{"add EINVAL"});
    CHECK(test::link_groups("pt0") == pt0);
    CHECK(test::link_groups("pt1") == pt1);
    CHECK(test::link_groups("lo") == lo);
}

namespace {

// Every address of every link as `ip -j addr` shows it (IPv6 link-local ones
// left out: the kernel makes them anew at each up), one sorted list per link:
// "local/prefix" with broadcast, label, and the IPv6 flags a change could lose.
std::map<std::string, std::vector<std::string>> all_addresses() {
    std::map<std::string, std::vector<std::string>> out;
    for (const json& l : test::ip({"addr", "show"})) {
        std::vector<std::string>& v = out[l.at("ifname").get<std::string>()];
        for (const json& a : l.at("addr_info")) {
            if (a.at("family") == "inet6" && a.value("scope", "") == "link") continue;
            std::string t = a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>());
            for (const char* f : {"broadcast", "label"})
                if (a.contains(f)) t += std::string(" ") + f + " " + a.at(f).get<std::string>();
            for (const char* f : {"nodad", "noprefixroute", "dynamic", "deprecated"})
                if (a.value(f, false)) t += std::string(" ") + f;
            v.push_back(t);
        }
        std::sort(v.begin(), v.end());
    }
    return out;
}

}  // namespace

// A configuring program adds an alias and takes the interface down and up; on
// BSD that touches nothing else, so nothing else may change here either: every
// other address, inet and inet6, of every interface (managed, unmanaged, bridge) stays.
TEST_CASE("BSD configuring program: an alias, then down and up, leaves every other address in place") {
    Setup s;
    const auto pt0 = client::Target::by_name("pt0"), pt1 = client::Target::by_name("pt1");
    REQUIRE(s.c->set_flags(pt0, IFF_UP, IFF_UP) == 0);
    REQUIRE(s.c->set_flags(pt1, IFF_UP, IFF_UP) == 0);
    REQUIRE(s.c->addr_add(pt0, inet6("2001:db8:10:1::7", 80)) == 0);
    REQUIRE(s.c->addr_add(pt0, inet("10.10.2.1", 28)) == 0);
    test::run("ip addr add 2001:db8:10:2::9/96 dev pt0 nodad noprefixroute");
    test::run("ip tuntap add dev um0 mode tap && ip addr add 10.20.0.1/24 dev um0 && "
              "ip addr add 2001:db8:20::1/64 dev um0 && ip link set um0 up");
    test::run("ip link add br7 type bridge && ip addr add 10.21.0.1/16 dev br7");
    proto::Interface idle;
    REQUIRE(s.c->create("pt3", client::CreateOptions{}, idle) == 0);  // down, without addresses
    const auto before = all_addresses();
    REQUIRE(before.at("pt0").size() == 6);

    CHECK(lines("bsd", program("bsd_configure") + " pt0 10.10.3.1 255.255.255.192") ==
          std::vector<std::string>{"alias ok", "down ok", "up ok"});
    auto want = before;
    want["pt0"].push_back("10.10.3.1/26 broadcast 10.10.3.63 label pt0");
    std::sort(want["pt0"].begin(), want["pt0"].end());
    CHECK(all_addresses() == want);
    CHECK(test::has_flag(test::link("pt0"), "UP"));
    // The prefix routes came back with the up; none for the noprefixroute address.
    const std::string routes = test::run("ip -6 route show dev pt0");
    CHECK(routes.find("2001:db8:10::/64") != std::string::npos);
    CHECK(routes.find("2001:db8:10:1::/80") != std::string::npos);
    CHECK(routes.find("2001:db8:10:2::/96") == std::string::npos);
    test::run("ip link del um0 && ip link del br7");
}

// One ifreq reused for SIOCGIFFLAGS, SIOCGIFMTU, then SIOCGIFBRDADDR: the gets
// overwrite sa_family, and FreeBSD matches the address by sin_addr alone.
TEST_CASE("BSD program reusing one ifreq for flags, MTU and broadcast reads the alias's broadcast") {
    Setup s;
    proto::Interface rec;
    REQUIRE(s.c->create("pt2", client::CreateOptions{}, rec) == 0);
    const auto pt2 = client::Target::by_name("pt2");
    REQUIRE(s.c->addr_add(pt2, inet("10.50.0.1", 24, "pt2")) == 0);
    REQUIRE(s.c->addr_add(pt2, inet("10.50.1.1", 24, "pt2")) == 0);  // an alias as SIOCAIFADDR makes it
    CHECK(lines("bsd", program("bsd_reuse") + " pt2 10.50.1.1") == std::vector<std::string>{"brd 10.50.1.255"});
    CHECK(lines("bsd", program("bsd_reuse") + " pt2 10.50.0.1") == std::vector<std::string>{"brd 10.50.0.255"});
    // An address the interface lacks: the first one's, as FreeBSD answers.
    CHECK(lines("bsd", program("bsd_reuse") + " pt2 10.99.0.1") == std::vector<std::string>{"brd 10.50.0.255"});
    // BSD has no interface pt2:1 (the Linux label syntax): ENXIO at the first request.
    CHECK(lines("bsd", program("bsd_reuse") + " pt2:1 10.50.1.1") == std::vector<std::string>{"flags ENXIO"});
}

TEST_CASE("SVR4 program: SIOCGIFNUM, SIOCGIFCONF, flags, netmask, SIOCGENADDR per logical interface") {
    Setup s;
    const std::string m0 = mac_of("pt0"), m1 = mac_of("pt1");
    const std::vector<std::string> want = {
        "pt0 10.10.0.1/255.255.255.0 down multicast " + m0,
        "pt0:1 10.10.1.1/255.255.255.0 down multicast " + m0,
        "pt1 10.11.0.1/255.255.0.0 down multicast " + m1,
    };
    CHECK(lines("svr4", program("svr4_ifconf"), "pt") == want);
}

int main(int argc, char** argv) {
    return test::run_catch_as_root(argc, argv, [] {
        test::no_dad();
        return 0;
    });
}
