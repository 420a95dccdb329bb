// Integration tests of the ifctl command against a real ifctld in a private
// network namespace. Each case starts its own daemon, runs the built ifctl
// ($IFCTL_CLI) as a child process with a time limit, and checks its exit
// status, its exact standard output and standard error, and the kernel's view
// of the interfaces read back with `ip -j`. Every refused command must also
// leave the kernel (and the daemon's own record) exactly as it was.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using nlohmann::json;
using ifctl::test::Args;
using ifctl::test::exec;
using ifctl::test::has_flag;
using ifctl::test::ip;
using ifctl::test::join;
using ifctl::test::link;
using ifctl::test::Run;

namespace {

const std::string& ifctl_path() {
    static const std::string p = [] {
        const char* e = std::getenv("IFCTL_CLI");
        return std::string(e ? e : "");
    }();
    return p;
}

Run cli(const Args& args) {
    Args argv{ifctl_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    Run r = exec(argv);
    r.cmd = "ifctl " + join(args);
    return r;
}

// The JSON an ifctl command printed; a parse failure names the command.
json parsed(const Run& r) {
    try {
        return json::parse(r.out);
    } catch (const std::exception& e) {
        std::ostringstream os;
        os << r;
        throw std::runtime_error(std::string("output is not JSON: ") + e.what() + "\n" + os.str());
    }
}

void sh(const std::string& cmd) { ifctl::test::run("timeout 10 " + cmd); }

// ---- the kernel's view -----------------------------------------------------

// Every link with its addresses and details, and every multicast membership.
json kernel_state() { return json{{"addr", ip({"-d", "addr", "show"})}, {"maddr", ip({"maddr", "show"})}}; }

std::vector<std::string> link_names() {
    std::vector<std::string> names;
    for (const json& l : ip({"link", "show"})) names.push_back(l.at("ifname"));
    return names;
}

// The addresses of a link as "family local/prefix [brd B]" strings, kernel order.
std::vector<std::string> addrs(const json& l) {
    std::vector<std::string> v;
    for (const json& a : l.at("addr_info")) {
        std::string s = a.at("family").get<std::string>() + " " + a.at("local").get<std::string>() + "/" +
                        std::to_string(a.at("prefixlen").get<int>());
        if (a.contains("broadcast")) s += " brd " + a.at("broadcast").get<std::string>();
        if (a.contains("address")) s += " peer " + a.at("address").get<std::string>();
        v.push_back(s);
    }
    return v;
}

// Addresses without IPv6 link-local ones (the kernel adds those on up).
std::vector<std::string> global_addrs(const json& l) {
    std::vector<std::string> v;
    for (const std::string& s : addrs(l))
        if (s.rfind("inet6 fe80:", 0) != 0) v.push_back(s);
    return v;
}

std::set<std::string> link_multicast(const std::string& name) {
    std::set<std::string> v;
    for (const json& l : ip({"maddr", "show", "dev", name}))
        for (const json& m : l.value("maddr", json::array()))
            if (m.contains("link")) v.insert(m.at("link").get<std::string>());
    return v;
}

// The daemon's view, without what moves on its own (counters, change times).
json daemon_state() {
    const Run r = cli({"--json"});
    if (r.status != 0) return "ifctl --json failed: " + r.err;
    json j = parsed(r);
    for (json& i : j.at("interfaces")) {
        i.erase("stats");
        i.erase("change_time_ms");
    }
    return j;
}

// Waits until the kernel's view stops moving (link watch and addrconf run
// asynchronously after a link goes up), so before/after comparisons are fair.
json settled_state() {
    json prev = kernel_state();
    for (int i = 0; i < 30; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        json now = kernel_state();
        if (now == prev) return now;
        prev = std::move(now);
    }
    return prev;
}

// ---- the daemon of one test case ------------------------------------------

// Starts ifctld; on the way out stops it and removes every link but lo, so the
// next case starts from the same namespace.
struct Fixture {
    std::unique_ptr<ifctl::test::Daemon> daemon = std::make_unique<ifctl::test::Daemon>();
    ~Fixture() {
        daemon.reset();
        try {
            for (int i = 0; i < 50; ++i) {
                bool clean = true;
                for (const std::string& n : link_names())
                    if (n != "lo") {
                        clean = false;
                        exec({"ip", "link", "del", n}, 5000);
                    }
                if (clean) return;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        } catch (const std::exception& e) {
            std::cerr << "test_cli: cleaning up: " << e.what() << "\n";
        }
    }
};

// ---- checks ----------------------------------------------------------------

// The command succeeded with this exact standard output and nothing on stderr.
#define CHECK_OK(r, expected_out)             \
    do {                                      \
        const Run& r_ = (r);                  \
        INFO(r_);                             \
        CHECK(r_.status == 0);                \
        CHECK(r_.out == (expected_out));      \
        CHECK(r_.err.empty());                \
    } while (0)

// Runs ifctl ARGS, which must succeed silently.
#define APPLY(...) CHECK_OK(cli(Args{__VA_ARGS__}), "")

// Runs ifctl ARGS, which must fail with `status` and exactly `message` on stderr
// (a line, "ifctl: " prepended), print nothing on stdout, and change nothing:
// the kernel's view and the daemon's record are the same before and after.
void refused(int line, const Args& args, int status, const std::string& message, bool daemon_up = true) {
    INFO("refused command at test_cli.cpp:" << line);
    const json before = settled_state();
    const json dbefore = daemon_up ? daemon_state() : json();
    const Run r = cli(args);
    INFO(r);
    CHECK(r.status == status);
    CHECK(r.err == "ifctl: " + message + "\n");
    CHECK(r.out.empty());
    // Compared as JSON patches from before to after, so a failure shows what changed.
    const json kernel_changes = json::diff(before, kernel_state());
    CHECK(kernel_changes.dump() == "[]");
    if (daemon_up) {
        const json daemon_changes = json::diff(dbefore, daemon_state());
        CHECK(daemon_changes.dump() == "[]");
    }
}
#define REFUSED(args, status, message) refused(__LINE__, Args args, status, message)

// Creates a managed TAP with an exact name.
void create(const std::string& name) {
    const Run r = cli({name, "create"});
    INFO(r);
    REQUIRE(r.status == 0);
    REQUIRE(link(name) != nullptr);
}

}  // namespace

// ============================================================================
// Listing
// ============================================================================

TEST_CASE("ifctl with no arguments lists lo alone in a fresh namespace", "[list]") {
    Fixture f;
    const Run r = cli({});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          "lo: flags=10049<UP,LOOPBACK,RUNNING,LOWER_UP> mtu 65536\n"
          "\tloop  txqueuelen 1000\n"
          "\tinet 127.0.0.1 netmask 0xff000000\n"
          "\tinet6 ::1 prefixlen 128\n"
          "\tstatus: active\n"
          "\tnot managed by ifctld\n");
}

TEST_CASE("ifctl and ifctl -a list every interface in kernel order", "[list]") {
    Fixture f;
    create("tap0");
    create("tap1");
    const Run plain = cli({});
    const Run all = cli({"-a"});
    INFO(plain);
    INFO(all);
    CHECK(plain.status == 0);
    CHECK(all.status == 0);
    CHECK(plain.err.empty());
    CHECK(all.err.empty());
    CHECK(all.out == plain.out);
    // One block per interface: its first line starts in column 0 with "NAME: ".
    std::vector<std::string> heads;
    std::istringstream in(plain.out);
    for (std::string l; std::getline(in, l);)
        if (!l.empty() && l[0] != '\t') heads.push_back(l.substr(0, l.find(':')));
    CHECK(heads == link_names());
    CHECK(heads == std::vector<std::string>{"lo", "tap0", "tap1"});
    // Each block is what `ifctl NAME` prints.
    std::string concatenated;
    for (const std::string& n : heads) concatenated += cli({n}).out;
    CHECK(plain.out == concatenated);
}

TEST_CASE("ifctl -l prints the names on one line; -u and -d filter by UP", "[list]") {
    Fixture f;
    create("tap0");
    create("tap1");
    APPLY("tap1", "up");
    CHECK_OK(cli({"-l"}), "lo tap0 tap1\n");
    CHECK_OK(cli({"-l", "-u"}), "lo tap1\n");
    CHECK_OK(cli({"-l", "-d"}), "tap0\n");
    CHECK_OK(cli({"-lu"}), "lo tap1\n");
    // -u and -d without -l: full blocks of the matching interfaces only.
    CHECK_OK(cli({"-d"}), cli({"tap0"}).out);
    CHECK_OK(cli({"-u"}), cli({"lo"}).out + cli({"tap1"}).out);
    // The kernel agrees about which are up.
    CHECK(has_flag(link("tap1"), "UP"));
    CHECK_FALSE(has_flag(link("tap0"), "UP"));
}

TEST_CASE("ifctl NAME shows one interface as the kernel has it", "[show]") {
    Fixture f;
    create("tap0");
    const json l = link("tap0");
    const std::string mac = l.at("address");
    CHECK_OK(cli({"tap0"}), "tap0: flags=1002<BROADCAST,MULTICAST> mtu 1500\n"
                              "\tether " + mac + "  txqueuelen 1000\n"
                              "\tstatus: active\n"
                              "\tmanaged by ifctld, owner root (uid 0), unique id 1, queues 1\n");
    CHECK(l.at("mtu") == 1500);
    CHECK(l.at("txqlen") == 1000);
    CHECK(l.at("linkinfo").at("info_kind") == "tun");
    CHECK(l.at("linkinfo").at("info_data").at("type") == "tap");
}

TEST_CASE("ifctl NAME shows addresses, metric and multicast in the documented layout", "[show]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "ether", "02:ab:cd:ef:01:02", "inet", "10.0.0.1/24", "inet", "10.0.1.1", "netmask", "0xffff0000",
          "alias", "broadcast", "10.0.255.254", "inet6", "fd00::1/64", "metric", "4", "addm", "01:00:5e:00:00:07",
          "mtu", "1400");
    CHECK_OK(cli({"tap0"}), "tap0: flags=1002<BROADCAST,MULTICAST> mtu 1400 metric 4\n"
                            "\tether 02:ab:cd:ef:01:02  txqueuelen 1000\n"
                            "\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255\n"
                            "\tinet 10.0.1.1 netmask 0xffff0000 broadcast 10.0.255.254\n"
                            "\tinet6 fd00::1 prefixlen 64\n"
                            "\tmulti 01:00:5e:00:00:07\n"
                            "\tstatus: active\n"
                            "\tmanaged by ifctld, owner root (uid 0), unique id 1, queues 1\n");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255",
                                                                 "inet 10.0.1.1/16 brd 10.0.255.254",
                                                                 "inet6 fd00::1/64"});
}

// ============================================================================
// Create and destroy
// ============================================================================

TEST_CASE("NAME create makes a TAP with exactly that name and prints nothing", "[create]") {
    Fixture f;
    CHECK(link("vm7") == nullptr);
    APPLY("vm7", "create");
    const json l = link("vm7");
    REQUIRE(l != nullptr);
    CHECK(l.at("linkinfo").at("info_kind") == "tun");
    CHECK(l.at("linkinfo").at("info_data").at("type") == "tap");
    CHECK_FALSE(has_flag(l, "UP"));
    CHECK(cli({"vm7"}).out.find("\tmanaged by ifctld, owner root (uid 0)") != std::string::npos);
}

TEST_CASE("persist and -persist, at create and later", "[create][persist]") {
    Fixture f;
    APPLY("vm6", "create", "persist");
    CHECK(parsed(cli({"--json", "vm6"})).at("persistent") == true);
    CHECK(cli({"vm6"}).out.find(", persistent\n") != std::string::npos);
    APPLY("vm6", "-persist");
    CHECK(parsed(cli({"--json", "vm6"})).at("persistent") == false);
    APPLY("vm6", "persist", "mtu", "1400");
    CHECK(parsed(cli({"--json", "vm6"})).at("persistent") == true);
    APPLY("vm6", "destroy");
}

TEST_CASE("create with a unique id: shown, and refused while in use", "[create]") {
    Fixture f;
    APPLY("tu5", "create", "uniqueid", "9");
    const json i = parsed(cli({"tu5", "--json"}));
    CHECK(i.at("unique_id") == 9);
    CHECK(i.at("unique_family") == "ether");
    CHECK(i.at("promisc_refs") == 0);
    CHECK(cli({"tu5"}).out.find(", unique id 9") != std::string::npos);
    REFUSED(({"tu6", "create", "uniqueid", "9"}), 1,
            "tu6: create uniqueid 9: File exists: unique id 9 of family ether is in use by tu5");
    CHECK(link("tu6") == nullptr);
}

TEST_CASE("create with vnet_hdr, tapgroup and owner; root changes the owner later", "[create][owner]") {
    Fixture f;
    APPLY("vm8", "create", "vnet_hdr", "tapgroup", "users", "owner", "nobody");
    const json l = link("vm8");
    REQUIRE(l != nullptr);
    const json tun = l.at("linkinfo").at("info_data");
    CHECK(tun.at("vnet_hdr") == true);
    // Owner and group are the daemon's; in the kernel the TAP is root's (docs/policy.md).
    CHECK(tun.at("group") == "root");
    CHECK(tun.at("user") == "root");
    CHECK(cli({"vm8"}).out.find("owner nobody (uid 65534)") != std::string::npos);
    APPLY("vm8", "owner", "root");
    CHECK(cli({"vm8"}).out.find("owner root (uid 0)") != std::string::npos);
    CHECK(link("vm8").at("linkinfo").at("info_data").at("user") == "root");
    REFUSED(({"vm8", "owner", "no-such-user-here"}), 2, "vm8: owner \"no-such-user-here\": no such user");
    REFUSED(({"vm9", "create", "tapgroup", "no-such-group-here"}), 2,
            "vm9: tapgroup \"no-such-group-here\": no such group");
    REFUSED(({"lo", "owner", "root"}), 1,
            "lo: not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)");
}

TEST_CASE("tap create picks the next free unit and prints the name", "[create]") {
    Fixture f;
    CHECK_OK(cli({"tap", "create"}), "tap0\n");
    CHECK_OK(cli({"tap", "create"}), "tap1\n");
    CHECK_OK(cli({"vm%d", "create"}), "vm0\n");
    CHECK(link_names() == std::vector<std::string>{"lo", "tap0", "tap1", "vm0"});
}

TEST_CASE("tap create with more keywords applies them to the new interface", "[create]") {
    Fixture f;
    CHECK_OK(cli({"tap", "create", "inet", "10.9.0.1/24", "mtu", "1400", "up"}), "tap0\n");
    const json l = link("tap0");
    REQUIRE(l != nullptr);
    CHECK(l.at("mtu") == 1400);
    CHECK(has_flag(l, "UP"));
    CHECK(global_addrs(l) == std::vector<std::string>{"inet 10.9.0.1/24 brd 10.9.0.255"});
}

TEST_CASE("destroy removes the interface from the kernel", "[create]") {
    Fixture f;
    create("tap0");
    create("tap1");
    APPLY("tap0", "destroy");
    CHECK(link("tap0") == nullptr);
    CHECK(link_names() == std::vector<std::string>{"lo", "tap1"});
    CHECK_OK(cli({"-l"}), "lo tap1\n");
}

// ============================================================================
// Addresses
// ============================================================================

TEST_CASE("inet ADDR/PREFIX sets, then replaces, the first IPv4 address", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255"});
    APPLY("tap0", "inet", "10.1.0.1/16");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.1.0.1/16 brd 10.1.255.255"});
    CHECK(cli({"tap0"}).out.find("\tinet 10.1.0.1 netmask 0xffff0000 broadcast 10.1.255.255\n") !=
          std::string::npos);
}

TEST_CASE("inet replaces only the first address; aliases in other subnets stay", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    APPLY("tap0", "inet", "192.168.1.1/24", "alias");
    APPLY("tap0", "inet", "10.5.0.1/24");
    auto a = global_addrs(link("tap0"));
    std::sort(a.begin(), a.end());
    CHECK(a == std::vector<std::string>{"inet 10.5.0.1/24 brd 10.5.0.255", "inet 192.168.1.1/24 brd 192.168.1.255"});
}

// Linux deletes every secondary address of a subnet with its primary
// (net.ipv4.conf.*.promote_secondaries is 0); ifctl's inet keeps them, as ifconfig users expect.
TEST_CASE("inet replaces the first address; an alias in the same subnet stays", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    APPLY("tap0", "inet", "10.0.0.2/24", "alias");
    APPLY("tap0", "inet", "10.0.0.5/24");
    auto a = global_addrs(link("tap0"));
    std::sort(a.begin(), a.end());
    CHECK(a == std::vector<std::string>{"inet 10.0.0.2/24 brd 10.0.0.255", "inet 10.0.0.5/24 brd 10.0.0.255"});
}

TEST_CASE("inet ADDR delete removes only that address, not same-subnet aliases", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    APPLY("tap0", "inet", "10.0.0.2/24", "alias");
    APPLY("tap0", "inet", "10.0.0.1", "delete");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.0.0.2/24 brd 10.0.0.255"});
}

TEST_CASE("inet without a prefix takes the classful default", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.2.3.4");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.2.3.4/8 brd 10.255.255.255"});
    APPLY("tap0", "inet", "172.16.3.4");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 172.16.3.4/16 brd 172.16.255.255"});
    APPLY("tap0", "inet", "192.168.3.4");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 192.168.3.4/24 brd 192.168.3.255"});
}

TEST_CASE("inet ADDR netmask MASK takes dotted, hex and prefix-length masks", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "192.168.5.5", "netmask", "255.255.255.128");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 192.168.5.5/25 brd 192.168.5.127"});
    APPLY("tap0", "inet", "172.16.1.1", "netmask", "0xfffff000");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 172.16.1.1/20 brd 172.16.15.255"});
    APPLY("tap0", "inet", "10.7.7.7", "netmask", "0XFFFFFFFC");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.7.7.7/30 brd 10.7.7.7"});
    APPLY("tap0", "inet", "10.8.8.8", "netmask", "12");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.8.8.8/12 brd 10.15.255.255"});
}

TEST_CASE("broadcast sets the inet broadcast address", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24", "broadcast", "10.0.0.200");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.200"});
    CHECK(cli({"tap0"}).out.find("\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.200\n") != std::string::npos);
}

TEST_CASE("alias adds an inet address; -alias and delete remove one", "[inet]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    APPLY("tap0", "inet", "10.0.0.2/24", "alias");
    APPLY("tap0", "inet", "10.0.0.3/24", "alias");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255",
                                                                 "inet 10.0.0.2/24 brd 10.0.0.255",
                                                                 "inet 10.0.0.3/24 brd 10.0.0.255"});
    APPLY("tap0", "inet", "10.0.0.2", "-alias");
    CHECK(global_addrs(link("tap0")) ==
          std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255", "inet 10.0.0.3/24 brd 10.0.0.255"});
    APPLY("tap0", "inet", "10.0.0.3/24", "delete");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255"});
    APPLY("tap0", "inet", "10.0.0.1", "delete");
    CHECK(global_addrs(link("tap0")).empty());
}

TEST_CASE("inet6 adds addresses; alias, -alias and delete", "[inet6]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet6", "fd00::1/64");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet6 fd00::1/64"});
    APPLY("tap0", "inet6", "fd00:1::2/56", "alias");
    APPLY("tap0", "inet6", "fd00:2::3");  // prefix 64 by default
    auto a = global_addrs(link("tap0"));
    std::sort(a.begin(), a.end());
    CHECK(a == std::vector<std::string>{"inet6 fd00:1::2/56", "inet6 fd00:2::3/64", "inet6 fd00::1/64"});
    CHECK(cli({"tap0"}).out.find("\tinet6 fd00:1::2 prefixlen 56\n") != std::string::npos);
    APPLY("tap0", "inet6", "fe80::1234/64");
    CHECK(cli({"tap0"}).out.find("\tinet6 fe80::1234%tap0 prefixlen 64\n") != std::string::npos);
    APPLY("tap0", "inet6", "fe80::1234/64", "delete");
    APPLY("tap0", "inet6", "fd00::1", "-alias");
    APPLY("tap0", "inet6", "fd00:1::2/56", "delete");
    CHECK(global_addrs(link("tap0")) == std::vector<std::string>{"inet6 fd00:2::3/64"});
    // inet does not replace an inet6 address: it adds the first inet one.
    APPLY("tap0", "inet", "10.0.0.1/24");
    a = global_addrs(link("tap0"));
    std::sort(a.begin(), a.end());
    CHECK(a == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255", "inet6 fd00:2::3/64"});
}

// ============================================================================
// Link settings
// ============================================================================

TEST_CASE("mtu N sets the MTU", "[link]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "mtu", "1400");
    CHECK(link("tap0").at("mtu") == 1400);
    CHECK(cli({"tap0"}).out.rfind("tap0: flags=1002<BROADCAST,MULTICAST> mtu 1400\n", 0) == 0);
    APPLY("tap0", "mtu", "68");
    CHECK(link("tap0").at("mtu") == 68);
    APPLY("tap0", "mtu", "65521");
    CHECK(link("tap0").at("mtu") == 65521);
}

TEST_CASE("metric N is kept by the daemon and shown by ifctl, not by the kernel", "[link]") {
    Fixture f;
    create("tap0");
    const json before = link("tap0");
    APPLY("tap0", "metric", "5");
    CHECK(cli({"tap0"}).out.rfind("tap0: flags=1002<BROADCAST,MULTICAST> mtu 1500 metric 5\n", 0) == 0);
    CHECK(parsed(cli({"tap0", "--json"})).at("metric") == 5);
    CHECK(link("tap0") == before);
    APPLY("tap0", "metric", "-3");
    CHECK(parsed(cli({"tap0", "--json"})).at("metric") == -3);
    APPLY("tap0", "metric", "0");
    CHECK(cli({"tap0"}).out.rfind("tap0: flags=1002<BROADCAST,MULTICAST> mtu 1500\n", 0) == 0);
}

TEST_CASE("ether MAC and lladdr MAC set the link-level address", "[link]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "ether", "02:11:22:33:44:55");
    CHECK(link("tap0").at("address") == "02:11:22:33:44:55");
    APPLY("tap0", "lladdr", "0a-bb-cc-dd-ee-0f");
    CHECK(link("tap0").at("address") == "0a:bb:cc:dd:ee:0f");
    CHECK(cli({"tap0"}).out.find("\tether 0a:bb:cc:dd:ee:0f  txqueuelen 1000\n") != std::string::npos);
}

TEST_CASE("lladdr random draws a new locally administered unicast address", "[link]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "ether", "02:11:22:33:44:55");
    APPLY("tap0", "lladdr", "random");
    const std::string mac = link("tap0").at("address");
    INFO("new address " << mac);
    CHECK(mac != "02:11:22:33:44:55");
    const unsigned first = std::stoul(mac.substr(0, 2), nullptr, 16);
    CHECK((first & 0x03) == 0x02);  // locally administered, unicast
    APPLY("tap0", "ether", "random");
    CHECK(link("tap0").at("address") != mac);
}

TEST_CASE("name NEW renames; later keywords apply to the new name", "[link]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "name", "wan0");
    CHECK(link("tap0") == nullptr);
    REQUIRE(link("wan0") != nullptr);
    CHECK(cli({"wan0"}).out.find("\tmanaged by ifctld") != std::string::npos);
    APPLY("wan0", "name", "lan0", "mtu", "1300");
    const json l = link("lan0");
    REQUIRE(l != nullptr);
    CHECK(l.at("mtu") == 1300);
    CHECK(link_names() == std::vector<std::string>{"lo", "lan0"});
}

TEST_CASE("txqueuelen N sets the transmit queue length", "[link]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "txqueuelen", "500");
    CHECK(link("tap0").at("txqlen") == 500);
    CHECK(cli({"tap0"}).out.find("  txqueuelen 500\n") != std::string::npos);
}

TEST_CASE("addm and deletem join and leave link-level multicast groups", "[link]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "addm", "01:00:5e:01:02:03");
    CHECK(link_multicast("tap0").count("01:00:5e:01:02:03") == 1);
    CHECK(cli({"tap0"}).out.find("\tmulti 01:00:5e:01:02:03\n") != std::string::npos);
    CHECK(parsed(cli({"tap0", "--json"})).at("multicast") == json{"01:00:5e:01:02:03"});
    APPLY("tap0", "deletem", "01:00:5e:01:02:03");
    CHECK(link_multicast("tap0").count("01:00:5e:01:02:03") == 0);
    CHECK(cli({"tap0"}).out.find("multi") == std::string::npos);
}

// ============================================================================
// Flags
// ============================================================================

TEST_CASE("up and down", "[flags]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "up");
    CHECK(has_flag(link("tap0"), "UP"));
    CHECK(cli({"tap0"}).out.rfind("tap0: flags=11043<UP,BROADCAST,RUNNING,MULTICAST,LOWER_UP> mtu 1500\n", 0) == 0);
    APPLY("tap0", "down");
    CHECK_FALSE(has_flag(link("tap0"), "UP"));
}

// BSD's ifconfig keeps an interface's addresses across down and up; Linux
// drops the IPv6 ones (keep_addr_on_down 0). `down` keeps the global ones.
TEST_CASE("down, and down up, keep the global inet6 addresses", "[flags][inet6]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "up", "inet6", "fd00::1/64", "inet6", "fd00:1::2/56", "alias", "inet", "10.0.0.1/24");
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    const std::vector<std::string> all = {"inet 10.0.0.1/24 brd 10.0.0.255", "inet6 fd00:1::2/56", "inet6 fd00::1/64"};
    REQUIRE(sorted(global_addrs(link("tap0"))) == all);
    APPLY("tap0", "down", "up");
    CHECK(sorted(global_addrs(link("tap0"))) == all);
    CHECK(has_flag(link("tap0"), "UP"));
    APPLY("tap0", "down");
    CHECK(sorted(global_addrs(link("tap0"))) == all);
    CHECK(cli({"tap0"}).out.find("\tinet6 fd00:1::2 prefixlen 56\n") != std::string::npos);
}

TEST_CASE("promisc and -promisc", "[flags]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "promisc");
    json l = link("tap0");
    CHECK(has_flag(l, "PROMISC"));
    CHECK(l.at("promiscuity") == 1);
    CHECK(cli({"tap0"}).out.rfind("tap0: flags=1102<BROADCAST,PROMISC,MULTICAST> mtu 1500\n", 0) == 0);
    APPLY("tap0", "-promisc");
    l = link("tap0");
    CHECK_FALSE(has_flag(l, "PROMISC"));
    CHECK(l.at("promiscuity") == 0);
}

TEST_CASE("allmulti and -allmulti", "[flags]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "allmulti");
    json l = link("tap0");
    CHECK(has_flag(l, "ALLMULTI"));
    CHECK(l.value("allmulti", 1) == 1);
    CHECK(cli({"tap0"}).out.rfind("tap0: flags=1202<BROADCAST,ALLMULTI,MULTICAST> mtu 1500\n", 0) == 0);
    APPLY("tap0", "-allmulti");
    l = link("tap0");
    CHECK_FALSE(has_flag(l, "ALLMULTI"));
    CHECK(l.value("allmulti", 0) == 0);
}

// ============================================================================
// Several keywords on one line
// ============================================================================

TEST_CASE("several keywords apply left to right", "[line]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24", "mtu", "1400", "up");
    json l = link("tap0");
    CHECK(global_addrs(l) == std::vector<std::string>{"inet 10.0.0.1/24 brd 10.0.0.255"});
    CHECK(l.at("mtu") == 1400);
    CHECK(has_flag(l, "UP"));
    // Later words win over earlier ones.
    APPLY("tap0", "mtu", "1300", "mtu", "1200", "down", "up", "down");
    l = link("tap0");
    CHECK(l.at("mtu") == 1200);
    CHECK_FALSE(has_flag(l, "UP"));
    // Each inet clause acts on what the one before it left.
    APPLY("tap0", "inet", "10.1.0.1/24", "inet", "10.2.0.1/24", "alias", "txqueuelen", "64", "promisc");
    l = link("tap0");
    CHECK(global_addrs(l) ==
          std::vector<std::string>{"inet 10.1.0.1/24 brd 10.1.0.255", "inet 10.2.0.1/24 brd 10.2.0.255"});
    CHECK(l.at("txqlen") == 64);
    CHECK(has_flag(l, "PROMISC"));
}

TEST_CASE("a line stops at the first failing keyword; the ones before it stay", "[line]") {
    Fixture f;
    create("tap0");
    const Run r = cli({"tap0", "mtu", "1400", "mtu", "10", "up"});
    INFO(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("ifctl: tap0: mtu 10: Invalid argument: ", 0) == 0);
    const json l = link("tap0");
    CHECK(l.at("mtu") == 1400);
    CHECK_FALSE(has_flag(l, "UP"));
}

// ============================================================================
// JSON
// ============================================================================

namespace {

// Compares one interface of ifctl's JSON with the kernel's entry for it.
void check_against_kernel(const json& i, const json& k) {
    INFO("ifctl: " << i.dump() << "\nip: " << k.dump());
    CHECK(i.at("index") == k.at("ifindex"));
    CHECK(i.at("name") == k.at("ifname"));
    CHECK(i.at("mtu") == k.at("mtu"));
    CHECK(i.at("min_mtu") == k.value("min_mtu", 0));
    CHECK(i.at("max_mtu") == k.value("max_mtu", 0));
    CHECK(i.at("txqlen") == k.at("txqlen"));
    CHECK(i.at("lladdr") == k.at("address"));
    CHECK(i.at("kind") == (k.contains("linkinfo") ? k.at("linkinfo").value("info_kind", "") : ""));
    CHECK(i.at("hw_type") == (k.at("link_type") == "loopback" ? 772 : 1));
    // The flags both sides name.
    const std::set<std::string> common{"UP", "BROADCAST", "LOOPBACK", "POINTOPOINT", "NOARP",
                                       "PROMISC", "ALLMULTI", "MULTICAST", "LOWER_UP"};
    std::set<std::string> ours, theirs;
    for (const json& n : i.at("flag_names"))
        if (common.count(n)) ours.insert(n);
    for (const json& n : k.at("flags"))
        if (common.count(n)) theirs.insert(n);
    CHECK(ours == theirs);
    unsigned bits = 0;
    for (const json& n : i.at("flag_names")) {
        static const std::vector<std::string> order{"UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT",
                                                    "NOTRAILERS", "RUNNING", "NOARP", "PROMISC", "ALLMULTI",
                                                    "MASTER", "SLAVE", "MULTICAST", "PORTSEL", "AUTOMEDIA",
                                                    "DYNAMIC", "LOWER_UP", "DORMANT", "ECHO"};
        const auto at = std::find(order.begin(), order.end(), n.get<std::string>());
        REQUIRE(at != order.end());
        bits |= 1u << (at - order.begin());
    }
    CHECK(i.at("flags") == bits);
    // Addresses: same set, inet first.
    std::vector<std::string> ours_a, theirs_a;
    for (const json& a : i.at("addresses")) {
        std::string s = a.at("family").get<std::string>() + " " + a.at("local").get<std::string>() + "/" +
                        std::to_string(a.at("prefix").get<int>());
        if (!a.at("broadcast").is_null()) s += " brd " + a.at("broadcast").get<std::string>();
        if (!a.at("peer").is_null()) s += " peer " + a.at("peer").get<std::string>();
        ours_a.push_back(s);
    }
    theirs_a = addrs(k);
    std::vector<std::string> ours_sorted = ours_a, theirs_sorted = theirs_a;
    std::sort(ours_sorted.begin(), ours_sorted.end());
    std::sort(theirs_sorted.begin(), theirs_sorted.end());
    CHECK(ours_sorted == theirs_sorted);
    bool seen6 = false;
    for (const json& a : i.at("addresses")) {
        if (a.at("family") == "inet6") seen6 = true;
        else CHECK_FALSE(seen6);
    }
}

}  // namespace

TEST_CASE("--json lists every interface, matching ip -j", "[json]") {
    Fixture f;
    create("tap0");
    create("tap1");
    APPLY("tap0", "inet", "10.0.0.1/24", "inet6", "fd00::1/64", "mtu", "1400", "up");
    APPLY("tap1", "ether", "02:00:00:00:00:11", "promisc", "metric", "7");
    settled_state();
    for (const Args& args : {Args{"--json"}, Args{"-a", "--json"}}) {
        const Run r = cli(args);
        INFO(r);
        REQUIRE(r.status == 0);
        CHECK(r.err.empty());
        const json j = parsed(r);
        REQUIRE(j.contains("interfaces"));
        const json kernel = ip({"-d", "addr", "show"});
        REQUIRE(j.at("interfaces").size() == kernel.size());
        for (size_t n = 0; n < kernel.size(); ++n) check_against_kernel(j.at("interfaces")[n], kernel[n]);
        const json& lo = j.at("interfaces")[0];
        CHECK(lo.at("managed") == false);
        CHECK(lo.at("may_change") == false);
        CHECK(lo.at("unique_id") == 0);
        const json& t1 = j.at("interfaces")[2];
        CHECK(t1.at("metric") == 7);
        CHECK(t1.at("managed") == true);
        CHECK(t1.at("may_change") == true);
        CHECK(t1.at("queues") == 1);
        CHECK(t1.at("owner") == 0);
    }
    CHECK_OK(cli({"-l", "--json"}), "{\n  \"names\": [\n    \"lo\",\n    \"tap0\",\n    \"tap1\"\n  ]\n}\n");
    CHECK(parsed(cli({"-l", "-u", "--json"})) == json{{"names", {"lo", "tap0"}}});
    CHECK(parsed(cli({"-l", "-d", "--json"})) == json{{"names", {"tap1"}}});
}

TEST_CASE("NAME --json prints the one interface, matching ip -j", "[json]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24", "inet", "10.0.0.9/24", "alias", "inet6", "fd00::1/64", "mtu", "9000",
          "txqueuelen", "77", "allmulti", "addm", "33:33:00:00:00:fb", "up");
    settled_state();
    for (const Args& args : {Args{"tap0", "--json"}, Args{"--json", "tap0"}}) {
        const Run r = cli(args);
        INFO(r);
        REQUIRE(r.status == 0);
        CHECK(r.err.empty());
        const json i = parsed(r);
        check_against_kernel(i, link("tap0"));
        CHECK(i.at("mtu") == 9000);
        CHECK(i.at("txqlen") == 77);
        CHECK(i.at("kind") == "tun");
        CHECK(i.at("hw_type") == 1);
        CHECK(i.at("managed") == true);
        CHECK(i.at("unique_id") == 1);
        CHECK(i.at("multicast") == json{"33:33:00:00:00:fb"});
        CHECK(i.at("addresses")[0].at("label") == "tap0");
        // Keys in the documented order (docs/json.md).
        CHECK(r.out.find("\"index\"") < r.out.find("\"name\""));
        CHECK(r.out.find("\"stats\"") < r.out.find("\"may_change\""));
    }
}

namespace {

// An interface's addresses in ifctl's JSON, as addrs() writes the kernel's.
std::vector<std::string> json_addrs(const json& i) {
    std::vector<std::string> v;
    for (const json& a : i.at("addresses")) {
        std::string s = a.at("family").get<std::string>() + " " + a.at("local").get<std::string>() + "/" +
                        std::to_string(a.at("prefix").get<int>());
        if (!a.at("broadcast").is_null()) s += " brd " + a.at("broadcast").get<std::string>();
        if (!a.at("peer").is_null()) s += " peer " + a.at("peer").get<std::string>();
        v.push_back(s);
    }
    return v;
}

// The daemon's address list of `name` in its reply to a get and in its list,
// each in the kernel's order. Changes made behind the daemon's back (and the
// link-local address the kernel announces once its DAD is done) reach it
// within a bound: waits up to 5 s for them, then compares.
void same_addresses_as_kernel(int line, const std::string& name) {
    INFO("at test_cli.cpp:" << line);
    std::vector<std::string> kernel, got, listed;
    for (int i = 0; i < 100; ++i) {
        kernel = addrs(link(name));
        got = json_addrs(parsed(cli({name, "--json"})));
        listed.clear();
        const json all = parsed(cli({"--json"}));
        for (const json& l : all.at("interfaces"))
            if (l.at("name") == name) listed = json_addrs(l);
        if (got == kernel && listed == kernel) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(got == kernel);
    CHECK(listed == kernel);
}
#define SAME_ADDRESSES_AS_KERNEL(name) same_addresses_as_kernel(__LINE__, name)

}  // namespace

// The daemon applies an address event to its list where the kernel's order
// after it is known, and reads the list again otherwise
// (daemon/kernel/address_order.cpp): each kind of event, by ifctl and behind
// its back.
TEST_CASE("the address list is the kernel's, in its order, through adds and deletes", "[json]") {
    Fixture f;
    // tap1's list is not touched by tap0's re-reads (the dump is filtered by index).
    create("tap1");
    APPLY("tap1", "inet", "10.8.0.1/24", "inet6", "fd08::1/64", "alias");
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");  // the first inet address
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet", "10.0.0.2/24", "alias");  // a secondary: at the tail
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet", "10.1.0.1/16", "alias");  // a primary of another prefix: read again
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet", "10.0.0.3/24", "alias");  // a secondary behind that primary
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "fec0::1/64", "alias");  // the first inet6 address
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "2001:db8::1/64", "alias");  // a wider scope: in front
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "no_dad");
    APPLY("tap0", "inet6", "fe80::5/64", "alias");  // without DAD, a narrower scope: behind
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "fd00::1/64", "alias");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "-no_dad");
    APPLY("tap0", "inet6", "::ffff:10.9.9.9/128", "alias");  // a scope the prefix does not tell
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "2001:db8::1", "delete");
    SAME_ADDRESSES_AS_KERNEL("tap0");

    // Behind the daemon's back.
    sh("ip addr add 10.0.0.9/24 dev tap0");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    sh("ip addr add 10.2.0.1/24 dev tap0");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    sh("ip -6 addr add 2001:db8::9/64 dev tap0");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    sh("ip addr del 10.2.0.1/24 dev tap0");
    SAME_ADDRESSES_AS_KERNEL("tap0");

    // A primary deleted without promotion takes its secondaries with it.
    sh("sysctl -qw net.ipv4.conf.tap0.promote_secondaries=0");
    sh("ip addr del 10.0.0.1/24 dev tap0");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    // With promotion the first secondary becomes the primary, moved behind the last primary.
    sh("sysctl -qw net.ipv4.conf.tap0.promote_secondaries=1");
    APPLY("tap0", "inet", "10.3.0.1/24", "alias");
    APPLY("tap0", "inet", "10.3.0.2/24", "alias");
    APPLY("tap0", "inet", "10.3.0.3/24", "alias");
    APPLY("tap0", "inet", "10.4.0.1/24", "alias");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet", "10.3.0.1", "delete");
    SAME_ADDRESSES_AS_KERNEL("tap0");

    // Up: the kernel adds a link-local address and announces it when its DAD is done.
    APPLY("tap0", "up");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    APPLY("tap0", "inet6", "2001:db8::7/64", "alias");
    SAME_ADDRESSES_AS_KERNEL("tap0");
    SAME_ADDRESSES_AS_KERNEL("tap1");
}

TEST_CASE("tap create --json prints the new interface after the line was applied", "[json]") {
    Fixture f;
    const Run r = cli({"tap", "create", "mtu", "1280", "--json"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const json i = parsed(r);
    CHECK(i.at("name") == "tap0");
    CHECK(i.at("mtu") == 1280);
    check_against_kernel(i, link("tap0"));
}

// ============================================================================
// Refusals: exact message and status, and nothing changed
// ============================================================================

TEST_CASE("an unknown interface: exit 1, named, nothing changes", "[error]") {
    Fixture f;
    create("tap0");
    REFUSED(({"nope0"}), 1, "nope0: No such device: no interface named nope0");
    REFUSED(({"nope0", "up"}), 1, "nope0: No such device: no interface named nope0");
    REFUSED(({"nope0", "inet", "10.0.0.1/24"}), 1, "nope0: No such device: no interface named nope0");
    REFUSED(({"nope0", "destroy"}), 1, "nope0: No such device: no interface named nope0");
    REFUSED(({"nope0", "--json"}), 1, "nope0: No such device: no interface named nope0");
}

TEST_CASE("an interface ifctld did not create is refused and left alone", "[error]") {
    Fixture f;
    const std::string not_managed =
        "lo: not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)";
    const json lo = link("lo");
    REFUSED(({"lo", "down"}), 1, not_managed);
    REFUSED(({"lo", "mtu", "1400"}), 1, not_managed);
    REFUSED(({"lo", "inet", "127.0.0.2/8", "alias"}), 1, not_managed);
    REFUSED(({"lo", "inet", "127.0.0.1", "delete"}), 1, not_managed);
    REFUSED(({"lo", "metric", "3"}), 1, not_managed);
    REFUSED(({"lo", "name", "lo1"}), 1, not_managed);
    REFUSED(({"lo", "destroy"}), 1, not_managed);
    REFUSED(({"lo", "addm", "01:00:5e:00:00:09"}), 1, not_managed);
    CHECK(link("lo") == lo);
    // A TAP made behind the daemon's back is not its either.
    sh("ip tuntap add dev ext0 mode tap");
    REFUSED(({"ext0", "up"}), 1,
            "ext0: not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)");
    REFUSED(({"ext0", "destroy"}), 1,
            "ext0: not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)");
    // But showing it is fine.
    CHECK(cli({"ext0"}).out.find("\tnot managed by ifctld\n") != std::string::npos);
}

TEST_CASE("bad values are usage errors (exit 2) naming the word, and change nothing", "[error]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    REFUSED(({"tap0", "mtu", "abc"}), 2, "tap0: mtu \"abc\": not a number");
    REFUSED(({"tap0", "mtu", "-5"}), 2, "tap0: mtu \"-5\": not a number");
    REFUSED(({"tap0", "mtu", "99999999999"}), 2, "tap0: mtu \"99999999999\": out of range (0 to 4294967295)");
    REFUSED(({"tap0", "mtu"}), 2, "tap0: mtu: missing N");
    REFUSED(({"tap0", "metric", "x"}), 2, "tap0: metric \"x\": not a number");
    REFUSED(({"tap0", "metric", "3000000000"}), 2,
            "tap0: metric \"3000000000\": out of range (-2147483648 to 2147483647)");
    REFUSED(({"tap0", "txqueuelen", "1e3"}), 2, "tap0: txqueuelen \"1e3\": not a number");
    REFUSED(({"tap0", "inet", "300.1.1.1/24"}), 2,
            "tap0: inet \"300.1.1.1/24\": not an IPv4 address (expected a.b.c.d)");
    REFUSED(({"tap0", "inet", "10.0.0.2/33"}), 2,
            "tap0: inet \"10.0.0.2/33\": prefix length must be a number from 0 to 32");
    REFUSED(({"tap0", "inet6", "fd00::zz/64"}), 2, "tap0: inet6 \"fd00::zz/64\": not an IPv6 address");
    REFUSED(({"tap0", "inet", "10.0.0.2", "netmask", "255.0.255.0"}), 2,
            "tap0: netmask \"255.0.255.0\": netmask bits must be contiguous");
    REFUSED(({"tap0", "inet", "10.0.0.2", "netmask", "0xfg"}), 2,
            "tap0: netmask \"0xfg\": not a netmask (expected a prefix length, a.b.c.d or 0xhhhhhhhh)");
    REFUSED(({"tap0", "netmask", "255.0.0.0"}), 2, "tap0: netmask \"255.0.0.0\": must follow \"inet ADDR\"");
    REFUSED(({"tap0", "inet6", "fd00::1", "broadcast", "10.0.0.255"}), 2,
            "tap0: broadcast \"10.0.0.255\": only applies to inet");
    REFUSED(({"tap0", "alias"}), 2, "tap0: alias: no address follows it");
    REFUSED(({"tap0", "ether", "01:00:5e:00:00:01"}), 2,
            "tap0: ether \"01:00:5e:00:00:01\": a multicast address cannot be an interface's own address");
    REFUSED(({"tap0", "ether", "02:00:00:00:00"}), 2,
            "tap0: ether \"02:00:00:00:00\": not a MAC address (expected six hex bytes, as 02:ab:cd:ef:01:02)");
    REFUSED(({"tap0", "addm", "02:00:00:00:00:01"}), 2,
            "tap0: addm \"02:00:00:00:00:01\": not a multicast address (the first byte must be odd)");
    REFUSED(({"tap0", "name", "a/b"}), 2, "tap0: name \"a/b\": interface names cannot contain '/', ':' or spaces");
    REFUSED(({"tap0", "name", "abcdefghijklmnop"}), 2,
            "tap0: name \"abcdefghijklmnop\": interface names are at most 15 characters");
    REFUSED(({"tap0", "frobnicate"}), 2, "tap0: \"frobnicate\": not a keyword (see ifctl --help)");
    REFUSED(({"tap0", "up", "mtu", "bad"}), 2, "tap0: mtu \"bad\": not a number");  // nothing before it ran
    REFUSED(({"tap0", "destroy", "up"}), 2, "tap0: up: nothing may follow \"destroy\"");
    REFUSED(({"tap0", "up", "create"}), 2, "tap0: create: must come first, right after the interface name");
    REFUSED(({"-a", "tap0"}), 2, "-a, -l, -b, -u, -d and -g list interfaces; they take no interface name");
    REFUSED(({"-u", "-d"}), 2, "-u and -d exclude each other");
}

TEST_CASE("creating an existing name fails with EEXIST and changes nothing", "[error]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "mtu", "1400");
    REFUSED(({"tap0", "create"}), 1, "tap0: create: File exists: an interface named tap0 already exists");
    create("vm3");
    REFUSED(({"vm3", "create"}), 1, "vm3: create: File exists: an interface named vm3 already exists");
    REFUSED(({"vm3", "create", "mtu", "1280"}), 1, "vm3: create: File exists: an interface named vm3 already exists");
    // "lo" has no unit number, so "lo create" is a pattern (lo0), not a clash.
}

TEST_CASE("daemon not running: says how to start it, exit 1", "[error]") {
    Fixture f;
    create("tap0");
    const std::string sock = f.daemon->dir() + "/no-such.sock";
    const std::string how = "ifctld is not running (nothing listens on " + sock +
                            "); start it with \"systemctl start ifctld\" or \"ifctld --socket " + sock + "\"";
    refused(__LINE__, {"--socket", sock}, 1, how, false);
    refused(__LINE__, {"--socket", sock, "tap0"}, 1, how, false);
    refused(__LINE__, {"tap0", "up", "--socket", sock}, 1, how, false);
    refused(__LINE__, {"--socket", sock, "tap", "create"}, 1, how, false);
    // And IFCTL_SOCKET pointing nowhere, after the daemon is gone.
    const std::string real = f.daemon->socket();
    f.daemon->stop();
    const std::string how_real = "ifctld is not running (nothing listens on " + real +
                                 "); start it with \"systemctl start ifctld\" or \"ifctld --socket " + real + "\"";
    refused(__LINE__, {"-l"}, 1, how_real, false);
}

TEST_CASE("an MTU the kernel refuses: exit 1 with the accepted range", "[error]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "mtu", "1400");
    REFUSED(({"tap0", "mtu", "10"}), 1,
            "tap0: mtu 10: Invalid argument: setting MTU 10 on tap0: Invalid argument (this interface accepts "
            "68..65521)");
    REFUSED(({"tap0", "mtu", "70000"}), 1,
            "tap0: mtu 70000: Invalid argument: setting MTU 70000 on tap0: Invalid argument (this interface "
            "accepts 68..65521)");
}

TEST_CASE("renaming to a name in use fails and changes nothing", "[error]") {
    Fixture f;
    create("tap0");
    create("tap1");
    REFUSED(({"tap0", "name", "tap1"}), 1, "tap0: name tap1: File exists: renaming tap0 to tap1: File exists");
    REFUSED(({"tap0", "name", "lo"}), 1, "tap0: name lo: File exists: renaming tap0 to lo: File exists");
}

TEST_CASE("deleting an address the interface lacks fails and changes nothing", "[error]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    REFUSED(({"tap0", "inet", "10.0.0.2", "-alias"}), 1,
            "tap0: inet 10.0.0.2 -alias: Cannot assign requested address: tap0 has no such address");
    REFUSED(({"tap0", "inet", "10.0.0.1/16", "delete"}), 1,
            "tap0: inet 10.0.0.1/16 delete: Cannot assign requested address: tap0 has no such address");
    REFUSED(({"tap0", "inet6", "fd00::5", "delete"}), 1,
            "tap0: inet6 fd00::5 delete: Cannot assign requested address: tap0 has no such address");
}

// The daemon refuses before it touches the old address.
TEST_CASE("a refused inet replace changes nothing", "[error]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "inet", "10.0.0.1/24");
    APPLY("tap0", "inet", "10.0.0.2/24", "alias");
    APPLY("tap0", "inet", "10.5.0.1/24", "alias");
    REFUSED(({"tap0", "inet", "10.5.0.1/24"}), 1,
            "tap0: inet 10.5.0.1/24: File exists: 10.5.0.1 is already an address of tap0");
}

TEST_CASE("leaving a multicast group not joined fails and changes nothing", "[error]") {
    Fixture f;
    create("tap0");
    APPLY("tap0", "addm", "01:00:5e:00:00:01");
    REFUSED(({"tap0", "deletem", "01:00:5e:00:00:02"}), 1,
            "tap0: deletem 01:00:5e:00:00:02: No such file or directory: leaving 01:00:5e:00:00:02 on tap0: No such "
            "file or directory");
}

TEST_CASE("tap create with a failing later keyword keeps the new interface and names it", "[error]") {
    Fixture f;
    const Run r = cli({"tap", "create", "mtu", "1400", "mtu", "10"});
    INFO(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "ifctl: tap0: mtu 10: Invalid argument: setting MTU 10 on tap0: Invalid argument (this interface accepts "
          "68..65521)\n");
    const json l = link("tap0");
    REQUIRE(l != nullptr);
    CHECK(l.at("mtu") == 1400);
}

TEST_CASE("keywords this ifctld does not support refuse the whole line", "[error]") {
    Fixture f;
    create("tap0");
    REFUSED(({"tap0", "up", "monitor"}), 1, "tap0: monitor: not supported by this ifctld yet");
}

// ============================================================================
// Monitor, wait-up and batch files
// ============================================================================

namespace {

// ifctl running in the background (monitor), its standard output and error in pipes.
struct Background {
    pid_t pid = -1;
    int out = -1, err = -1;
    explicit Background(const Args& args) {
        int o[2], e[2];
        REQUIRE(::pipe2(o, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(e, O_CLOEXEC) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::dup2(o[1], 1);
            ::dup2(e[1], 2);
            std::vector<char*> argv{const_cast<char*>(ifctl_path().c_str())};
            for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(o[1]);
        ::close(e[1]);
        out = o[0];
        err = e[0];
    }
    ~Background() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        ::close(out);
        ::close(err);
    }
    // One line of standard output, waiting at most `ms` for it ("" if none came).
    std::string line(int ms = 10000) {
        std::string s;
        char c;
        while (true) {
            pollfd p{out, POLLIN, 0};
            if (::poll(&p, 1, ms) != 1 || ::read(out, &c, 1) != 1) return s;
            if (c == '\n') return s;
            s += c;
        }
    }
    std::string rest_of_err() {
        std::string s;
        char buf[256];
        for (ssize_t n; (n = ::read(err, buf, sizeof buf)) > 0;) s.append(buf, static_cast<size_t>(n));
        return s;
    }
    int wait() {
        int st = 0;
        ::waitpid(pid, &st, 0);
        pid = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
};

// Drops the sequence number that starts a monitor line.
std::string without_seq(const std::string& line) { return line.substr(line.find(' ') + 1); }

// Changes the MTU until the monitor reports it: then it has subscribed. Bounded.
std::string first_event(Background& m, const std::string& name) {
    for (int i = 0; i < 50; ++i) {
        APPLY(name, "mtu", std::to_string(1280 + i));
        if (std::string l = m.line(200); !l.empty()) return l;
    }
    FAIL("the monitor printed nothing");
    return {};
}

std::string write_file(const Fixture& f, const std::string& text) {
    const std::string path = f.daemon->dir() + "/batch.txt";
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_CASE("monitor prints one line per event, filtered, and ends with status 0 on SIGINT", "[monitor]") {
    Fixture f;
    create("mo0");
    create("mo1");
    Background m({"monitor", "mo0", "--events", "mtu,address,renamed", "--no-timestamp"});
    const std::string first = without_seq(first_event(m, "mo0"));
    CHECK(first.rfind("mo0 mtu 1", 0) == 0);
    CHECK(first.ends_with(" (managed)"));
    APPLY("mo1", "mtu", "1400");  // another interface: not shown
    APPLY("mo0", "up");           // another kind: not shown
    sh("ip addr add 10.7.0.1/24 dev mo0");
    sh("ip link set mo0 name mo2");
    // Skipped: the MTU changes made to find the start, and the IPv6 link-local
    // address the kernel adds when an interface goes up.
    auto next = [&] {
        std::string l;
        do l = without_seq(m.line());
        while (l.find(" mtu ") != std::string::npos || l.find("inet6") != std::string::npos);
        return l;
    };
    CHECK(next() == "mo0 address-added inet 10.7.0.1/24 (managed)");
    CHECK(next() == "mo2 renamed from mo0 (managed)");
    ::kill(m.pid, SIGINT);
    CHECK(m.wait() == 0);
    CHECK(m.rest_of_err().empty());
}

TEST_CASE("monitor --json prints one object a line; the daemon going away ends it with status 1", "[monitor]") {
    Fixture f;
    create("mj0");
    Background m({"monitor", "--json"});
    const json first = json::parse(first_event(m, "mj0"));
    CHECK(first.at("event") == "mtu");
    CHECK(first.at("name") == "mj0");
    CHECK(first.at("managed") == true);
    CHECK(first.at("mtu").get<int>() >= 1280);  // one of first_event's tries
    CHECK(first.at("old_mtu").is_number());
    f.daemon->stop();
    CHECK(m.wait() == 1);
    CHECK(m.rest_of_err() == "ifctl: monitor: ifctld went away\n");
}

TEST_CASE("monitor usage errors", "[monitor][error]") {
    Fixture f;
    REFUSED(({"monitor", "a", "b"}), 2, "monitor takes at most one interface name");
    REFUSED(({"monitor", "--events", "mtu,frob"}), 2, "--events: \"frob\" is not a kind of event (see ifctl --help)");
    REFUSED(({"monitor", "nope0"}), 1, "nope0: monitor: No such device: no interface named nope0");
}

TEST_CASE("wait-up: at once when ready, a timeout when not, for any interface", "[wait]") {
    Fixture f;
    create("wu0");
    REFUSED(({"wu0", "wait-up", "timeout", "0.2"}), 1,
            "wu0: wait-up timeout 0.2: Connection timed out: not up with carrier after 200 ms");
    APPLY("wu0", "up", "wait-up", "timeout", "5");
    APPLY("wu0", "wait-up");
    // Not managed, so not changeable, but it may be waited for (lo is up, with carrier).
    APPLY("lo", "wait-up", "timeout", "0");
    REFUSED(({"wu0", "timeout", "1"}), 2, "wu0: timeout \"1\": must follow \"wait-up\"");
}

TEST_CASE("-f applies a file's lines as one batch; comments and blank lines are skipped", "[batch]") {
    Fixture f;
    const std::string file = write_file(f, "# two TAPs\n\nfa0 create inet 10.8.0.1/24 mtu 1400  # first\n"
                                           "fa1 create\nfa1 inet6 fd00::1/64\nfa0 name fa2\nfa2 inet 10.8.0.2/24\n");
    CHECK_OK(cli({"-f", file}), "");
    CHECK(global_addrs(link("fa2")) == std::vector<std::string>{"inet 10.8.0.2/24 brd 10.8.0.255"});
    CHECK(link("fa2").at("mtu") == 1400);
    CHECK(global_addrs(link("fa1")) == std::vector<std::string>{"inet6 fd00::1/64"});
    // Standard input.
    const Run r = exec({"sh", "-c", "printf 'fa1 mtu 1300\\nfa2 -arp\\n' | " + ifctl_path() + " -f -"});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(link("fa1").at("mtu") == 1300);
    CHECK(has_flag(link("fa2"), "NOARP"));
}

TEST_CASE("-f: a syntax error anywhere names the line and nothing is applied", "[batch][error]") {
    Fixture f;
    const std::string file = write_file(f, "fs0 create\nfs0 mtu 1400\n\nfs0 mtu abc\n");
    REFUSED(({"-f", file}), 2, file + ":4: fs0: mtu \"abc\": not a number (nothing applied)");
    CHECK(link("fs0").is_null());
    REFUSED(({"-f", f.daemon->dir() + "/none.txt"}), 1, f.daemon->dir() + "/none.txt: No such file or directory");
    REFUSED(({"-f", file, "fs0", "up"}), 2, "-f takes its interfaces and keywords from the file, not from the command line");
}

TEST_CASE("-f: a line the daemon refuses is named, and every line before it is undone", "[batch][error]") {
    Fixture f;
    create("fr0");
    APPLY("fr0", "inet", "10.9.0.1/24");
    const std::string file = write_file(f, "fr1 create inet 10.9.1.1/24\nfr0 inet 10.9.0.7/24 mtu 1400\n"
                                           "fr0 name fr3\n# the kernel refuses this one\nfr3 mtu 99999\nfr3 mtu 1300\n");
    REFUSED(({"-f", file}), 1,
            file + ":5: fr3 mtu 99999: Invalid argument: step 6 of 7: setting MTU 99999 on fr3: Invalid argument "
                   "(this interface accepts 68..65521); nothing was applied");
    // Refused up front by the daemon: a line naming an interface that is not there.
    const std::string file2 = write_file(f, "fr0 mtu 1400\nfr9 mtu 1400\n");
    REFUSED(({"-f", file2}), 1,
            file2 + ":2: fr9 mtu 1400: No such device: step 2 of 2: no interface named fr9 at this step; nothing was applied");
    // Not managed: refused whole.
    const std::string file3 = write_file(f, "fr0 mtu 1400\nlo mtu 1400\n");
    REFUSED(({"-f", file3}), 1,
            file3 + ":2: lo mtu 1400: Operation not permitted: step 2 of 2: lo is not managed by ifctld (only "
                    "interfaces it created can be changed through it) (not managed by ifctld); nothing was applied");
}

TEST_CASE("monitor lines lead with the time of the event", "[monitor]") {
    Fixture f;
    create("mt0");
    Background m({"monitor", "mt0", "--events", "mtu"});
    const std::string line = first_event(m, "mt0");
    INFO(line);
    CHECK(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} \d+ mt0 mtu \d+ was \d+ \(managed\))")));
    ::kill(m.pid, SIGINT);
    CHECK(m.wait() == 0);
}

TEST_CASE("FreeBSD's address forms", "[freebsd]") {
    Fixture f;
    create("fb0");
    APPLY("fb0", "10.0.0.5/24");
    APPLY("fb0", "alias", "10.0.0.4/24");
    APPLY("fb0", "10.0.0.6/24", "add");
    CHECK(global_addrs(link("fb0")) == std::vector<std::string>{"inet 10.0.0.5/24 brd 10.0.0.255",
                                                                 "inet 10.0.0.4/24 brd 10.0.0.255",
                                                                 "inet 10.0.0.6/24 brd 10.0.0.255"});
    APPLY("fb0", "10.0.0.4", "-alias");
    APPLY("fb0", "remove", "10.0.0.6");
    CHECK(global_addrs(link("fb0")) == std::vector<std::string>{"inet 10.0.0.5/24 brd 10.0.0.255"});
    create("fb1");
    APPLY("fb1", "inet", "10.5.0.1", "10.5.0.2");
    CHECK(global_addrs(link("fb1")) == std::vector<std::string>{"inet 10.5.0.1/32 peer 10.5.0.2"});
    REFUSED(({"fb0", "mut", "1400"}), 2, "fb0: \"mut\": not a keyword; did you mean \"mtu\"?");
    REFUSED(({"fb0", "alias"}), 2, "fb0: alias: no address follows it");
    REFUSED(({"fb0", "create", "group", "users"}), 2,
            "fb0: group \"users\": right after create, the group whose members may attach to the TAP is "
            "\"tapgroup GROUP\"; for an interface group, put \"group NAME\" after another keyword");
    CHECK(cli({"show", "fb0"}).out == cli({"fb0"}).out);
    CHECK_OK(cli({"-C"}), "tap\n");
}

TEST_CASE("description, groups, offloads and inet6 settings: kernel, text, JSON, batch", "[description][groups]") {
    Fixture f;
    APPLY("ds0", "create", "vnet_hdr", "persist");
    APPLY("ds0", "description", "uplink to vm1", "group", "vms", "txcsum", "tso", "no_dad", "-auto_linklocal");
    const json l = ip({"-d", "link", "show", "ds0"}).at(0);
    CHECK(l.at("ifalias") == "uplink to vm1");
    CHECK(l.at("inet6_addr_gen_mode") == "none");
    const json j = parsed(cli({"ds0", "--json"}));
    CHECK(j.at("description") == "uplink to vm1");
    CHECK(j.at("groups") == json{"vms"});
    CHECK(j.at("caps_enabled") == 7);
    CHECK(j.at("no_dad") == true);
    CHECK(j.at("auto_linklocal") == false);
    const std::string text = cli({"ds0"}).out;
    CHECK(text.find("\tdescription: uplink to vm1\n\toptions=7<TXCSUM,TSO4,TSO6>\n") != std::string::npos);
    CHECK(text.find("\tgroups: vms\n") != std::string::npos);
    CHECK_OK(cli({"-g", "vms", "-l"}), "ds0\n");
    REFUSED(({"ds0", "group", "vms"}), 1, "ds0: group vms: File exists: ds0 is in group vms already");
    REFUSED(({"ds0", "-group", "lab"}), 1, "ds0: -group lab: No such file or directory: ds0 is not in group lab");
    // An inet6 address added now skips DAD: IFA_F_NODAD (0x02), never tentative (0x40).
    APPLY("ds0", "up", "inet6", "fd00::7/64");
    uint32_t flags = 0x40;
    const json with6 = parsed(cli({"ds0", "--json"}));
    for (const json& a : with6.at("addresses"))
        if (a.at("local") == "fd00::7") flags = a.at("flags").get<uint32_t>();
    CHECK((flags & 0x02) != 0);
    CHECK((flags & 0x40) == 0);
    // In a batch, and undone with it.
    const std::string file = write_file(f, "ds0 -description -group vms -tso\n");
    CHECK_OK(cli({"-f", file}), "");
    CHECK_FALSE(ip({"link", "show", "ds0"}).at(0).contains("ifalias"));
    const json after = parsed(cli({"ds0", "--json"}));
    CHECK(after.at("groups") == json::array());
    CHECK(after.at("caps_enabled") == 1);
    const std::string bad = write_file(f, "ds0 description again\nds0 mtu 99999\n");
    CHECK(cli({"-f", bad}).status == 1);
    CHECK_FALSE(ip({"link", "show", "ds0"}).at(0).contains("ifalias"));
    // Kept across a restart of the daemon.
    APPLY("ds0", "description", "kept", "group", "lab");
    const std::string state = f.daemon->dir() + "/state";
    REQUIRE(f.daemon->stop() == 0);
    f.daemon = std::make_unique<ifctl::test::Daemon>("--state-dir " + state);
    const json back = parsed(cli({"ds0", "--json"}));
    CHECK(back.at("description") == "kept");
    CHECK(back.at("groups") == json{"lab"});
    CHECK(back.at("no_dad") == true);
}

TEST_CASE("tap create in a batch prints the names it got; -b prints a line per interface", "[batch][brief]") {
    Fixture f;
    const std::string file = write_file(f, "tap create\ntap create\n");
    CHECK_OK(cli({"-f", file}), "tap0\ntap1\n");
    APPLY("tap0", "inet", "10.0.0.1/24");
    CHECK_OK(cli({"-b", "-d"}), "NAME  STATE             MTU  OWNER  ADDRESSES\n"
                                "tap0  down             1500  root   10.0.0.1/24\n"
                                "tap1  down             1500  root\n");
    CHECK(cli({"list"}).out == cli({"-b"}).out);
}

TEST_CASE("ifctld with an unknown option exits 2 with its usage", "[usage]") {
    const Run r = exec({std::getenv("IFCTLD"), "--bogus"});
    INFO(r);
    CHECK(r.status == 2);
    CHECK(r.err == "ifctld: The following argument was not expected: --bogus\nUsage: ifctld [OPTIONS] (see ifctld --help)\n");
    CHECK(r.out.empty());
}

// ============================================================================

int main(int argc, char** argv) {
    return ifctl::test::run_catch_as_root(argc, argv, [] {
        if (ifctl_path().empty() || !std::getenv("IFCTLD")) {
            std::cerr << "test_cli: IFCTL_CLI and IFCTLD must name the built ifctl and ifctld (meson test sets them)\n";
            return 1;
        }
        ifctl::test::loopback_up();
        ifctl::test::no_dad();
        ::unsetenv("NO_COLOR");
        return 0;
    });
}

// A process in a network namespace of its own, for TAPs to move into (a
// container's). Killed when the test ends; its namespace goes with it.
struct OtherNetns {
    ifctl::test::Child sleeper{{"unshare", "--net", "--", "sh", "-c", "echo $$; exec sleep 60"}};
    std::string pid = sleeper.line();
    std::string in() const { return "nsenter -t " + pid + " -n "; }
    json link(const std::string& name) const {
        for (const json& l : json::parse(ifctl::test::run(in() + "ip -j -d addr show")))
            if (l.value("ifname", "") == name) return l;
        return nullptr;
    }
};

TEST_CASE("-vnet brings a TAP back from the namespace it was moved to, with its configuration", "[netns]") {
    Fixture f;
    OtherNetns other;
    APPLY("vh0", "create", "owner", "nobody");
    APPLY("vh0", "inet", "10.7.0.1/24", "mtu", "1400", "up");
    APPLY("vh0", "inet6", "2001:db8:7::1/64");
    const json before = link("vh0");
    REQUIRE(before != nullptr);

    APPLY("vh0", "vnet", other.pid);
    CHECK(link("vh0") == nullptr);
    REQUIRE(other.link("vh0") != nullptr);
    // Changed where it is, as a container would.
    sh(other.in() + "ip addr add 10.8.0.2/24 dev vh0");
    const json there = other.link("vh0");
    REQUIRE(there != nullptr);

    APPLY("vh0", "-vnet");
    CHECK(other.link("vh0") == nullptr);
    const json here = link("vh0");
    REQUIRE(here != nullptr);
    CHECK(global_addrs(here) == global_addrs(there));
    CHECK(global_addrs(here) == std::vector<std::string>{"inet 10.7.0.1/24 brd 10.7.0.255", "inet 10.8.0.2/24",
                                                         "inet6 2001:db8:7::1/64"});
    CHECK(has_flag(here, "UP"));
    CHECK(here.at("mtu") == 1400);
    CHECK(here.at("address") == before.at("address"));
    // Managed here again, with its owner.
    const json j = parsed(cli({"vh0", "--json"}));
    CHECK(j.at("managed") == true);
    CHECK(j.at("owner") == 65534);
    APPLY("vh0", "mtu", "1380");
    CHECK(link("vh0").at("mtu") == 1380);

    // Here already: FreeBSD's answer to a move into the vnet it is in.
    REFUSED(({"vh0", "-vnet"}), 1, "vh0: -vnet: File exists: vh0 is already in ifctld's network namespace");
    REFUSED(({"lo", "-vnet"}), 1,
            "lo: not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)");
    REFUSED(({"nope0", "-vnet"}), 1, "nope0: -vnet: No such device: no interface named nope0 here, nor moved away by ifctld");
    // A name taken here: the kernel refuses the move; the TAP stays there, moved away.
    APPLY("vh0", "vnet", other.pid);
    APPLY("vh0", "create");
    REFUSED(({"vh0", "-vnet"}), 1,
            "vh0: -vnet: File exists: another interface is named vh0 in ifctld's network namespace: vh0 stays in "
            "the network namespace of pid " + other.pid);
    CHECK(other.link("vh0") != nullptr);
    APPLY("vh0", "destroy");
    APPLY("vh0", "-vnet");
    CHECK(link("vh0") != nullptr);
    CHECK(other.link("vh0") == nullptr);
}

TEST_CASE("inet6 no_dad and auto_linklocal in a batch are undone when a later line fails", "[batch][inet6]") {
    Fixture f;
    APPLY("n6", "create");
    const json before = ip({"-d", "link", "show", "n6"}).at(0);
    REQUIRE(before.at("inet6_addr_gen_mode") != "none");
    // The second line fails as it runs (the daemon finds no such membership),
    // after the first was applied.
    const std::string bad = write_file(f, "n6 inet6 no_dad -auto_linklocal\nn6 -group nothere\n");
    const Run r = cli({"-f", bad});
    INFO(r);
    CHECK(r.status == 1);
    CHECK(r.err.find(":2: n6 -group nothere: No such file or directory: step 3 of 3: n6 is not in group nothere; "
                     "nothing was applied\n") != std::string::npos);
    CHECK(ip({"-d", "link", "show", "n6"}).at(0).at("inet6_addr_gen_mode") == before.at("inet6_addr_gen_mode"));
    CHECK(parsed(cli({"n6", "--json"})).at("no_dad") == false);

    const std::string good = write_file(f, "n6 inet6 no_dad -auto_linklocal\nn6 mtu 1400\n");
    CHECK_OK(cli({"-f", good}), "");
    CHECK(ip({"-d", "link", "show", "n6"}).at(0).at("inet6_addr_gen_mode") == "none");
    CHECK(parsed(cli({"n6", "--json"})).at("no_dad") == true);
    // And back, in a batch that fails: no_dad and no link-local stay.
    const std::string back = write_file(f, "n6 inet6 -no_dad auto_linklocal\nn6 -group nothere\n");
    CHECK(cli({"-f", back}).status == 1);
    CHECK(ip({"-d", "link", "show", "n6"}).at(0).at("inet6_addr_gen_mode") == "none");
    CHECK(parsed(cli({"n6", "--json"})).at("no_dad") == true);
}

TEST_CASE("a long batch on a terminal shows the steps it applied and their rate", "[batch][progress]") {
    Fixture f;
    APPLY("pg0", "create");
    // 150 lines of two steps each.
    std::string text;
    for (int i = 0; i < 150; ++i) text += "pg0 mtu " + std::to_string(1300 + i) + " up\n";
    const std::string file = write_file(f, text);
    // script(1) gives ifctl a terminal; what it printed there comes back on stdout.
    const Run r = exec({"script", "-qec", ifctl_path() + " -f " + file, "/dev/null"});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.out.find("150/150 lines prepared, 300 steps (") != std::string::npos);
    CHECK(r.out.find("150 lines, 300 steps sent; ifctld applies them as one transaction...") != std::string::npos);
    CHECK(r.out.find("150 lines, 300 steps applied in ") != std::string::npos);
    CHECK(link("pg0").at("mtu") == 1449);
    // Not on a terminal: nothing.
    CHECK_OK(cli({"-f", file}), "");
}
