// Ported code: small C programs written the BSD and the SVR4 way (see
// ported/*.c), compiled with `-include ifctl/compat.h -DIFCTL_REDIRECT_IOCTL`,
// run against a daemon in this private namespace with several TAPs carrying
// inet and inet6 addresses and aliases. Their output must match the kernel's
// state read with `ip -j`.
#define CATCH_CONFIG_RUNNER
#include <arpa/inet.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "libifctl/src/connection.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"

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
    if (::geteuid() != 0) {
        std::fprintf(stderr, "skipped: needs root to make TAP devices\n");
        return 77;
    }
    test::require_private_netns();
    test::run("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
    return Catch::Session().run(argc, argv);
}
