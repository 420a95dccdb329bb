// Ported code: small C programs written the BSD and the SVR4 way (see
// ported/*.c), compiled with `-include ifctl/compat.h -DIFCTL_REDIRECT_IOCTL`,
// run against a daemon in this private namespace with several TAPs carrying
// inet and inet6 addresses and aliases. Their output must match the kernel's
// state read with `ip -j`.
#include <arpa/inet.h>
#include <net/if.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <map>
#include <sstream>
#include <thread>

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
        const auto pt0 = client::InterfaceRef::by_name("pt0"), pt1 = client::InterfaceRef::by_name("pt1");
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

// ---- SIOCGIFCONF walkers: every stepping rule, and code in the style of real programs ----

namespace {

// One address as `ip -j addr` shows it.
struct KernelAddress {
    std::string local;
    int prefix = 0;
    std::string broadcast;  // "" when the kernel has none
    bool link_scope = false;
};
// One interface as `ip -j addr` shows it, in the kernel's order.
struct KernelLink {
    std::string name, mac;
    int index = 0, mtu = 0;
    bool up = false, loopback = false, broadcast = false;
    std::vector<KernelAddress> inet, inet6;
};

std::vector<KernelLink> kernel_links() {
    std::vector<KernelLink> out;
    for (const json& l : test::ip({"addr"})) {
        KernelLink k;
        k.name = l.at("ifname").get<std::string>();
        k.index = l.at("ifindex").get<int>();
        k.mtu = l.at("mtu").get<int>();
        k.mac = l.value("address", "");
        k.up = test::has_flag(l, "UP");
        k.loopback = test::has_flag(l, "LOOPBACK");
        k.broadcast = test::has_flag(l, "BROADCAST");
        for (const json& a : l.at("addr_info")) {
            KernelAddress x;
            x.local = a.at("local").get<std::string>();
            x.prefix = a.at("prefixlen").get<int>();
            x.broadcast = a.value("broadcast", "");
            x.link_scope = a.value("scope", "") == "link";
            (a.at("family") == "inet" ? k.inet : k.inet6).push_back(x);
        }
        out.push_back(k);
    }
    return out;
}

std::string netmask(int prefix) {
    const uint32_t m = prefix ? htonl(~uint32_t{0} << (32 - prefix)) : 0;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &m, text, sizeof text);
    return text;
}
// A link-local inet6 address carries its scope, the interface's index.
std::string inet6_text(const KernelLink& l, const KernelAddress& a) {
    return a.link_scope ? a.local + "%" + std::to_string(l.index) : a.local;
}
std::string broadcast_text(const KernelLink& l, const KernelAddress& a) {
    return l.broadcast ? (a.broadcast.empty() ? "0.0.0.0" : a.broadcast) : "-";
}
std::string state(const KernelLink& l) { return l.up ? "up" : "down"; }

using Lines = std::vector<std::string>;

// What the stride programs print (ported/entry_report.h): every entry of the list.
Lines stride_view(const std::vector<KernelLink>& links) {
    Lines out;
    for (const KernelLink& l : links) {
        out.push_back(l.name + " link " + l.mac);
        for (const auto& a : l.inet)
            out.push_back(l.name + " inet " + a.local + "/" + netmask(a.prefix) + " brd " + broadcast_text(l, a));
        for (const auto& a : l.inet6) out.push_back(l.name + " inet6 " + inet6_text(l, a));
    }
    return out;
}

// style_iterator.c: the addresses, with netmask (inet) and flags.
Lines iterator_view(const std::vector<KernelLink>& links) {
    Lines out;
    for (const KernelLink& l : links) {
        const std::string flags = " " + state(l) + (l.loopback ? " loopback" : "");
        for (const auto& a : l.inet) out.push_back(l.name + " inet " + a.local + "/" + netmask(a.prefix) + flags);
        for (const auto& a : l.inet6) out.push_back(l.name + " inet6 " + inet6_text(l, a) + flags);
    }
    return out;
}

// style_intf_loop.c: one line per interface, the first inet address as the
// primary and every other address as an alias.
Lines intf_loop_view(const std::vector<KernelLink>& links) {
    Lines out;
    for (const KernelLink& l : links) {
        std::string line = l.name + " " + state(l) + " mtu " + std::to_string(l.mtu) + " link " + l.mac;
        for (size_t i = 0; i < l.inet.size(); ++i)
            line += (i == 0 ? " addr " : " alias ") + l.inet[i].local + "/" + std::to_string(l.inet[i].prefix);
        for (const auto& a : l.inet6) line += " alias6 " + a.local;
        out.push_back(line);
    }
    return out;
}

// style_getifaddrs.c: one node per entry, with the interface's flags.
Lines getifaddrs_view(const std::vector<KernelLink>& links) {
    Lines out;
    for (const KernelLink& l : links) {
        out.push_back(l.name + " link " + l.mac + " " + state(l));
        for (const auto& a : l.inet)
            out.push_back(l.name + " inet " + a.local + " netmask " + netmask(a.prefix) + " broadcast " +
                          broadcast_text(l, a) + " " + state(l));
        for (const auto& a : l.inet6) out.push_back(l.name + " inet6 " + inet6_text(l, a) + " " + state(l));
    }
    return out;
}

// style_ifi_info.c: the inet addresses, then the inet6 ones, each with the
// index and hardware address of its interface's link-level entry.
Lines ifi_info_view(const std::vector<KernelLink>& links) {
    Lines out;
    auto head = [](const KernelLink& l) {
        return l.name + " index " + std::to_string(l.index) + " mtu " + std::to_string(l.mtu) + " hw " + l.mac;
    };
    for (const KernelLink& l : links)
        for (const auto& a : l.inet) out.push_back(head(l) + " inet " + a.local + " brd " + broadcast_text(l, a));
    for (const KernelLink& l : links)
        for (const auto& a : l.inet6) out.push_back(head(l) + " inet6 " + inet6_text(l, a));
    return out;
}

Lines split_lines(const std::string& text) {
    Lines out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// Runs a walker until its output matches what the kernel shows (the daemon
// learns of the kernel's changes from events, and link-local addresses come a
// moment after an interface goes up): bounded, then the last of both is
// compared, so a failure shows the difference.
struct Walk {
    Lines got, want;
    test::Run run;
};
// `cmd`: the program's name in PORTED_DIR, then its arguments.
Walk walk(test::Args cmd, Lines (*view)(const std::vector<KernelLink>&), const test::Args& env, int tries = 25) {
    cmd.at(0) = program(cmd[0]);
    Walk w;
    for (int i = 0; i < tries; ++i) {
        w.want = view(kernel_links());
        w.run = test::exec(cmd, 10000, env);
        w.got = split_lines(w.run.out);
        if (w.run.status == 0 && w.got == w.want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return w;
}

// A macro, so that a failure names the line of the walk; the walk runs once.
#define CHECK_WALK(walk_expr)               \
    do {                                    \
        const Walk walked_ = (walk_expr);   \
        INFO(walked_.run);                  \
        CHECK(walked_.run.status == 0);     \
        CHECK(walked_.run.err.empty());     \
        CHECK(walked_.got == walked_.want); \
    } while (0)

// Several daemon TAPs: inet and inet6 addresses and aliases of different prefix
// lengths, names of 1 and 15 characters, one down without addresses, one with
// only inet6; beside them an unmanaged `ip tuntap` TAP, a bridge and lo.
struct Walkers {
    test::Daemon d;
    std::unique_ptr<client::Connection> c;
    Walkers() {
        remove_own_devices();  // left by a case that failed while setting up
        std::string why;
        REQUIRE(client::Connection::open(d.socket(), c, why) == 0);
        test::loopback_up();
        proto::Interface rec;
        for (const char* n : {"t", "ifctl-fifteen15", "pt2", "pt3"}) REQUIRE(c->create(n, client::CreateOptions{}, rec) == 0);
        const auto t = client::InterfaceRef::by_name("t"), f = client::InterfaceRef::by_name("ifctl-fifteen15"),
                   p3 = client::InterfaceRef::by_name("pt3");
        REQUIRE(c->addr_add(t, inet("10.40.0.1", 24)) == 0);
        REQUIRE(c->addr_add(t, inet("10.41.1.1", 16)) == 0);
        REQUIRE(c->addr_add(t, inet("10.42.0.5", 30)) == 0);
        REQUIRE(c->addr_add(t, inet6("2001:db8:40::1", 64)) == 0);
        REQUIRE(c->addr_add(f, inet("10.43.0.1", 22)) == 0);
        REQUIRE(c->addr_add(f, inet("10.43.8.1", 28)) == 0);
        REQUIRE(c->addr_add(f, inet6("2001:db8:43::1", 64)) == 0);
        REQUIRE(c->addr_add(f, inet6("2001:db8:43::2", 127)) == 0);
        REQUIRE(c->addr_add(p3, inet6("2001:db8:44::1", 64)) == 0);
        for (const auto& up : {t, f, p3}) REQUIRE(c->set_flags(up, IFF_UP, IFF_UP) == 0);
        test::run("ip tuntap add dev ut0 mode tap && ip addr add 10.50.0.1/24 brd + dev ut0 && "
                  "ip addr add 2001:db8:50::1/64 dev ut0 && ip link set ut0 up");
        test::run("ip link add br0 type bridge && ip addr add 10.51.0.1/25 brd + dev br0 && ip link set br0 up");
        // The kernel gives each TAP the daemon holds open a link-local address
        // a moment after it goes up (the bridge too, on kernels that call it
        // carrier-up without ports): start from the settled set. walk() waits
        // for the daemon's view of the rest.
        INFO(test::run("ip -br addr"));
        REQUIRE(test::eventually([] {
            int with_link_local = 0;
            for (const KernelLink& l : kernel_links())
                if (l.name == "t" || l.name == "ifctl-fifteen15" || l.name == "pt3")
                    for (const auto& a : l.inet6) with_link_local += a.link_scope;
            return with_link_local == 3;
        }));
    }
    // The daemon's TAPs go with it; the test's own devices go here (the test
    // cases share the namespace).
    ~Walkers() { remove_own_devices(); }
    static void remove_own_devices() { (void)test::exec({"sh", "-c", "ip link del ut0; ip link del br0"}); }
    Walkers(const Walkers&) = delete;
    Walkers& operator=(const Walkers&) = delete;
};

const test::Args kBsd{"IFCTL_PERSONALITY=bsd"};

}  // namespace

TEST_CASE("SIOCGIFCONF: every stepping rule walks its layout, every interface and address, no garbage") {
    Walkers s;
    // R1: ifr++ (the default layout, ifreq).
    CHECK_WALK(walk({"stride_ifreq"}, stride_view, kBsd));
    // R2: max(sizeof(struct ifreq), IFNAMSIZ + SA_LEN), built with IFCTL_IFCONF_LAYOUT=padded.
    CHECK_WALK(walk({"stride_salen"}, stride_view, kBsd));
    // R3: IFNAMSIZ + sockaddr or sockaddr_in6, built with IFCTL_IFCONF_LAYOUT=packed.
    CHECK_WALK(walk({"stride_textbook"}, stride_view, kBsd));
    // R4: _SIZEOF_ADDR_IFREQ, which follows the define: none, padded, packed.
    CHECK_WALK(walk({"stride_r4_ifreq"}, stride_view, kBsd));
    CHECK_WALK(walk({"stride_r4_padded"}, stride_view, kBsd));
    CHECK_WALK(walk({"stride_r4_packed"}, stride_view, kBsd));
    // The systems' own names give the same personality.
    CHECK_WALK(walk({"stride_ifreq"}, stride_view, {"IFCTL_PERSONALITY=FreeBSD"}));
}

TEST_CASE("SIOCGIFCONF: a rule walking another layout misparses (why the layouts exist)") {
    Walkers s;
    // ifr++ over the packed layout (32-byte inet entries) or the padded one
    // (44-byte inet6 entries): the walk runs off its entries.
    for (const char* layout : {"IFCTL_IFCONF=packed", "IFCTL_IFCONF=padded"}) {
        INFO(layout);
        const Walk w = walk({"stride_ifreq"}, stride_view, {"IFCTL_PERSONALITY=bsd", layout}, 1);
        INFO(w.run);
        CHECK(w.got != w.want);
    }
    // The layout the program was built for wins over the environment.
    CHECK_WALK(walk({"stride_textbook"}, stride_view, {"IFCTL_PERSONALITY=bsd", "IFCTL_IFCONF=ifreq"}));
}

TEST_CASE("SIOCGIFCONF: the layout a program sets with ifctl_set_ifconf_layout() wins over IFCTL_IFCONF") {
    Walkers s;
    for (const char* layout : {"ifreq", "padded", "packed"}) {
        INFO(layout);
        // The environment names another layout than the program sets.
        const std::string other = std::string(layout) == "packed" ? "IFCTL_IFCONF=ifreq" : "IFCTL_IFCONF=packed";
        CHECK_WALK(walk({"api_layout", layout}, stride_view, {"IFCTL_PERSONALITY=bsd", other}));
    }
}

TEST_CASE("SIOCGIFCONF with a short buffer: whole entries only, in order, nothing past ifc_len, in every layout") {
    Walkers s;
    for (const char* p : {"stride_r4_ifreq", "stride_r4_padded", "stride_r4_packed"}) {
        INFO(p);
        const test::Run r = test::exec({program(p), "truncate"}, 60000, kBsd);
        INFO(r);
        CHECK(r.status == 0);
        CHECK(r.out.rfind("truncation ok ", 0) == 0);
    }
}

TEST_CASE("Real code's SIOCGIFCONF walkers list every interface and address with the right netmasks and broadcasts") {
    Walkers s;
    // A name or time server's interface iterator: sizeof(struct ifreq) steps.
    CHECK_WALK(walk({"style_iterator"}, iterator_view, kBsd));
    // A packet library's interface loop: ifr + 1, per-name flags, MTU, address, netmask.
    CHECK_WALK(walk({"style_intf_loop"}, intf_loop_view, kBsd));
    // A getifaddrs() replacement: max(sizeof(struct ifreq), IFNAMSIZ + SA_LEN), padded.
    CHECK_WALK(walk({"style_getifaddrs"}, getifaddrs_view, kBsd));
    // The textbook's get_ifi_info: IFNAMSIZ + sockaddr or sockaddr_in6, packed.
    CHECK_WALK(walk({"style_ifi_info"}, ifi_info_view, kBsd));
}

TEST_CASE("The same walkers, unmodified binaries under the preload shim, with IFCTL_IFCONF choosing the layout") {
    const std::string shim = std::getenv("IFCTL_PRELOAD");
    // A sanitizer build's shim needs the sanitizer runtime loaded before it, as
    // test_preload says: the plain build runs this one.
    if (test::exec({"sh", "-c", "nm -D \"$0\" | grep -q '__asan_\\|__ubsan_'", shim}).status == 0) {
        WARN("the shim is a sanitizer build: not run here");
        return;
    }
    Walkers s;
    const std::string preload = "LD_PRELOAD=" + shim;
    struct Row {
        const char* binary;
        const char* layout;
        Lines (*view)(const std::vector<KernelLink>&);
    };
    const Row rows[] = {
        {"preload_stride_ifreq", "", stride_view},
        {"preload_stride_salen", "padded", stride_view},
        {"preload_stride_textbook", "packed", stride_view},
        {"preload_stride_r4_ifreq", "", stride_view},
        {"preload_stride_r4_padded", "padded", stride_view},
        {"preload_stride_r4_packed", "packed", stride_view},
        {"preload_style_iterator", "", iterator_view},
        {"preload_style_intf_loop", "", intf_loop_view},
        {"preload_style_getifaddrs", "padded", getifaddrs_view},
        {"preload_style_ifi_info", "packed", ifi_info_view},
    };
    for (const Row& r : rows) {
        INFO(r.binary << " IFCTL_IFCONF=" << r.layout);
        test::Args env{preload, "IFCTL_PERSONALITY=bsd"};
        if (*r.layout) env.push_back(std::string("IFCTL_IFCONF=") + r.layout);
        CHECK_WALK(walk({r.binary}, r.view, env));
    }
}

TEST_CASE("IFCTL_PERSONALITY with a name that is none: one line on stderr naming it, then the linux personality") {
    Walkers s;
    const test::Run r = test::exec({program("stride_ifreq")}, 10000, {"IFCTL_PERSONALITY=bsdd"});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.err ==
          "ifctl: IFCTL_PERSONALITY=bsdd is not a personality (accepted, in any case: linux, bsd, freebsd, netbsd, "
          "openbsd, darwin, macos, svr4, solaris, illumos, sunos); using linux\n");
    // Linux's own list: inet entries only, no link-level ones.
    for (const std::string& l : split_lines(r.out)) CHECK(l.find(" link ") == std::string::npos);
    // IFCTL_DEBUG names the personality in force.
    const test::Run dbg = test::exec({program("stride_ifreq")}, 10000, {"IFCTL_PERSONALITY=NetBSD", "IFCTL_DEBUG=1"});
    CHECK(dbg.err.find("ifctl: personality bsd from IFCTL_PERSONALITY=NetBSD\n") != std::string::npos);
}

TEST_CASE("SVR4 list: one struct ifreq per logical interface, whatever the bsd layout") {
    Setup s;
    const std::vector<std::string> plain = lines("svr4", program("svr4_ifconf"), "pt");
    CHECK(plain.size() == 3);
    CHECK(lines("svr4", "IFCTL_IFCONF=packed " + program("svr4_ifconf"), "pt") == plain);
    CHECK(lines("svr4", "IFCTL_IFCONF=padded " + program("svr4_ifconf"), "pt") == plain);
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
        REQUIRE(s.c->get(client::InterfaceRef::by_name(dev), r) == 0);
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
        return s.c->get(client::InterfaceRef::by_name("pt1"), r) == 0 && !(r.flags & IFF_MULTICAST);
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
    const auto pt0 = client::InterfaceRef::by_name("pt0"), pt1 = client::InterfaceRef::by_name("pt1");
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
    const auto pt2 = client::InterfaceRef::by_name("pt2");
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
