// Every keyword of the grammar table, and every usage error it can give.
#include <net/if.h>
#include <sys/socket.h>

#include "helpers.hpp"
#include "plan_check.hpp"
#include "command_line.hpp"
#include "suggest.hpp"

using namespace ifctl::cli;
using namespace ifctl::cli::test;
using op::AddrMode;

namespace {
std::array<uint8_t, 16> v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }
}  // namespace

TEST_CASE("a name alone is a show", "[grammar]") {
    Plan p = plan_of({"tap0"});
    CHECK(p.name == "tap0");
    CHECK(p.actions.empty());
}

TEST_CASE("create", "[grammar]") {
    SECTION("with a unit: the exact name") {
        CHECK(only_op<op::Create>(plan_of({"tap0", "create"})).name == "tap0");
    }
    SECTION("without a unit: the next free one") {
        CHECK(only_op<op::Create>(plan_of({"tap", "create"})).name == "tap%d");
        CHECK(only_op<op::Create>(plan_of({"vm-net", "create"})).name == "vm-net%d");
    }
    SECTION("an explicit pattern is kept") {
        CHECK(only_op<op::Create>(plan_of({"vm%dnet", "create"})).name == "vm%dnet");
    }
    SECTION("queues and owner refine it") {
        Plan p = plan_of({"tap", "create", "queues", "4", "owner", "root"});
        const auto& c = only_op<op::Create>(p);
        CHECK(c.queues == 4);
        CHECK(c.owner == "root");
        CHECK(p.actions[0].words == "create queues 4 owner root");
    }
    SECTION("tapgroup and vnet_hdr are create options") {
        const auto& c = only_op<op::Create>(plan_of({"tap0", "create", "tapgroup", "users", "vnet_hdr"}));
        CHECK(c.tap_group == "users");
        CHECK(c.vnet_hdr);
        CHECK(usage_error_of({"tap0", "vnet_hdr"}) == "tap0: vnet_hdr: must follow \"create\"");
        CHECK(usage_error_of({"tap0", "tapgroup", "users"}) == "tap0: tapgroup \"users\": must follow \"create\"");
    }
    SECTION("uniqueid takes an id from 1") {
        const auto& c = only_op<op::Create>(plan_of({"tap0", "create", "uniqueid", "7"}));
        CHECK(c.unique_id == 7);
        CHECK(usage_error_of({"tap0", "create", "uniqueid", "0"}) == "tap0: uniqueid \"0\": must be at least 1");
    }
    SECTION("persist and -persist: a create option after create, a change of their own later") {
        CHECK(only_op<op::Create>(plan_of({"tap0", "create", "persist"})).persistent);
        CHECK_FALSE(only_op<op::Create>(plan_of({"tap0", "create", "persist", "-persist"})).persistent);
        CHECK(only_op<op::Persist>(plan_of({"tap0", "persist"})).on);
        CHECK_FALSE(only_op<op::Persist>(plan_of({"tap0", "-persist"})).on);
    }
    SECTION("netns and vnet move it into another network namespace") {
        CHECK(only_op<op::Netns>(plan_of({"tap0", "netns", "1234"})).where == "1234");
        CHECK(only_op<op::Netns>(plan_of({"tap0", "vnet", "/run/netns/blue"})).where == "/run/netns/blue");
        CHECK(usage_error_of({"tap0", "netns"}).find("netns") != std::string::npos);
    }
    SECTION("then further keywords") {
        Plan p = plan_of({"tap", "create", "inet", "10.0.0.1/24", "up"});
        REQUIRE(p.actions.size() == 3);
        CHECK(std::holds_alternative<op::Create>(p.actions[0].op));
        CHECK(std::holds_alternative<op::Addr>(p.actions[1].op));
        CHECK(std::holds_alternative<op::Flags>(p.actions[2].op));
    }
}

TEST_CASE("create usage errors", "[grammar]") {
    CHECK(usage_error_of({"tap0", "mtu", "1500", "create"}) ==
          "tap0: create: must come first, right after the interface name");
    CHECK(usage_error_of({"tap0", "queues", "2"}) == "tap0: queues \"2\": must follow \"create\"");
    CHECK(usage_error_of({"tap0", "create", "queues", "0"}) == "tap0: queues \"0\": must be at least 1");
    CHECK(usage_error_of({"tap0", "create", "queues", "x"}) == "tap0: queues \"x\": not a number");
    CHECK(usage_error_of({"tap0", "create", "queues"}) == "tap0: queues: missing N");
    CHECK(usage_error_of({"tap0", "vnet_hdr"}) == "tap0: vnet_hdr: must follow \"create\"");
    CHECK(usage_error_of({"tap0", "tapgroup", "wheel"}) == "tap0: tapgroup \"wheel\": must follow \"create\"");
    CHECK(usage_error_of({"tap0", "create", "uniqueid", "-1"}) == "tap0: uniqueid \"-1\": not a number");
    CHECK(usage_error_of({"tap0", "create", "tapgroup"}) == "tap0: tapgroup: missing GROUP");
    CHECK(usage_error_of({"tap0", "create", "owner"}) == "tap0: owner: missing USER");
}

TEST_CASE("destroy", "[grammar]") {
    Plan p = plan_of({"tap0", "destroy"});
    only_op<op::Destroy>(p);
    CHECK(usage_error_of({"tap0", "destroy", "up"}) == "tap0: up: nothing may follow \"destroy\"");
}

TEST_CASE("inet", "[grammar]") {
    SECTION("with a prefix: replaces the first address") {
        const auto& a = only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.1/24"}));
        CHECK(a.addr.family == AF_INET);
        CHECK(a.addr.local == v4(10, 0, 0, 1));
        CHECK(a.addr.prefix == 24);
        CHECK(a.has_prefix);
        CHECK(a.mode == AddrMode::Set);
        CHECK_FALSE(a.addr.broadcast);
    }
    SECTION("without a prefix: classful, as BSD") {
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "10.1.2.3"})).addr.prefix == 8);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "172.16.0.1"})).addr.prefix == 16);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "192.168.1.1"})).addr.prefix == 24);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "224.0.0.1"})).addr.prefix == 32);
        CHECK_FALSE(only_op<op::Addr>(plan_of({"tap0", "inet", "10.1.2.3"})).has_prefix);
    }
    SECTION("netmask in three spellings") {
        for (const char* m : {"24", "255.255.255.0", "0xffffff00"}) {
            const auto& a = only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.1", "netmask", m}));
            CHECK(a.addr.prefix == 24);
            CHECK(a.has_prefix);
        }
    }
    SECTION("broadcast") {
        const auto& a = only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.1/24", "broadcast", "10.0.0.127"}));
        REQUIRE(a.addr.broadcast);
        CHECK(*a.addr.broadcast == Inet4{10, 0, 0, 127});
    }
    SECTION("dest: point-to-point, /32 unless told") {
        const auto& a = only_op<op::Addr>(plan_of({"tun0", "inet", "10.0.0.1", "dest", "10.0.0.2"}));
        REQUIRE(a.addr.peer);
        CHECK(*a.addr.peer == v4(10, 0, 0, 2));
        CHECK(a.addr.prefix == 32);
        CHECK(only_op<op::Addr>(plan_of({"tun0", "inet", "10.0.0.1/30", "dest", "10.0.0.2"})).addr.prefix == 30);
    }
    SECTION("alias adds, -alias and delete delete") {
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.2/24", "alias"})).mode == AddrMode::Add);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.2", "-alias"})).mode == AddrMode::Delete);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.2", "delete"})).mode == AddrMode::Delete);
    }
    SECTION("prefixlen") {
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.2", "prefixlen", "28"})).addr.prefix == 28);
    }
    SECTION("the clause keeps its words") {
        Plan p = plan_of({"tap0", "inet", "10.0.0.1", "netmask", "255.0.0.0", "alias", "up"});
        REQUIRE(p.actions.size() == 2);
        CHECK(p.actions[0].words == "inet 10.0.0.1 netmask 255.0.0.0 alias");
        CHECK(p.actions[1].words == "up");
    }
}

TEST_CASE("inet usage errors", "[grammar]") {
    CHECK(usage_error_of({"tap0", "inet"}) == "tap0: inet: missing ADDR[/PREFIX]");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0"}) ==
          "tap0: inet \"10.0.0\": not an IPv4 address (expected a.b.c.d)");
    CHECK(usage_error_of({"tap0", "inet", "fe80::1"}) ==
          "tap0: inet \"fe80::1\": not an IPv4 address (expected a.b.c.d)");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1/33"}) ==
          "tap0: inet \"10.0.0.1/33\": prefix length must be a number from 0 to 32");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1/"}) ==
          "tap0: inet \"10.0.0.1/\": prefix length must be a number from 0 to 32");
    CHECK(usage_error_of({"tap0", "netmask", "24"}) == "tap0: netmask \"24\": must follow \"inet ADDR\"");
    CHECK(usage_error_of({"tap0", "inet6", "fe80::1", "netmask", "24"}) ==
          "tap0: netmask \"24\": only applies to inet");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "netmask", "255.0.255.0"}) ==
          "tap0: netmask \"255.0.255.0\": netmask bits must be contiguous");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "netmask", "33"}) ==
          "tap0: netmask \"33\": not a netmask (expected a prefix length 0 to 32, a.b.c.d or 0xhhhhhhhh)");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "netmask", "0xfffffff00"}) ==
          "tap0: netmask \"0xfffffff00\": not a netmask (expected a prefix length, a.b.c.d or 0xhhhhhhhh)");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "netmask"}) == "tap0: netmask: missing MASK");
    CHECK(usage_error_of({"tap0", "broadcast", "10.0.0.255"}) ==
          "tap0: broadcast \"10.0.0.255\": must follow \"inet ADDR\"");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "broadcast", "x"}) ==
          "tap0: broadcast \"x\": not an IPv4 address (expected a.b.c.d)");
    CHECK(usage_error_of({"tap0", "inet6", "fe80::1", "broadcast", "10.0.0.255"}) ==
          "tap0: broadcast \"10.0.0.255\": only applies to inet");
    CHECK(usage_error_of({"tap0", "dest", "10.0.0.2"}) ==
          "tap0: dest \"10.0.0.2\": must follow \"inet ADDR\" or \"inet6 ADDR\"");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "dest", "fe80::2"}) ==
          "tap0: dest \"fe80::2\": not an IPv4 address (expected a.b.c.d)");
    CHECK(usage_error_of({"tap0", "alias"}) == "tap0: alias: no address follows it");
    CHECK(usage_error_of({"tap0", "-alias"}) == "tap0: -alias: no address follows it");
    CHECK(usage_error_of({"tap0", "delete"}) == "tap0: delete: no address follows it");
    CHECK(usage_error_of({"tap0", "up", "alias"}) == "tap0: alias: no address follows it");
    CHECK(usage_error_of({"tap0", "prefixlen", "24"}) ==
          "tap0: prefixlen \"24\": must follow \"inet ADDR\" or \"inet6 ADDR\"");
    CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "prefixlen", "40"}) ==
          "tap0: prefixlen \"40\": must be from 0 to 32");
}

TEST_CASE("inet6", "[grammar]") {
    SECTION("adds, prefix 64 by default") {
        const auto& a = only_op<op::Addr>(plan_of({"tap0", "inet6", "2001:db8::1"}));
        CHECK(a.addr.family == AF_INET6);
        CHECK(a.addr.local[0] == 0x20);
        CHECK(a.addr.local[15] == 1);
        CHECK(a.addr.prefix == 64);
        CHECK_FALSE(a.has_prefix);
        CHECK(a.mode == AddrMode::Add);
    }
    SECTION("prefix, prefixlen, alias, delete, dest") {
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet6", "2001:db8::1/48"})).addr.prefix == 48);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet6", "2001:db8::1", "prefixlen", "120"})).addr.prefix == 120);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet6", "2001:db8::1", "alias"})).mode == AddrMode::Add);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet6", "2001:db8::1", "-alias"})).mode == AddrMode::Delete);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet6", "2001:db8::1", "delete"})).mode == AddrMode::Delete);
        const auto& p2p = only_op<op::Addr>(plan_of({"tun0", "inet6", "2001:db8::1", "dest", "2001:db8::2"}));
        REQUIRE(p2p.addr.peer);
        CHECK((*p2p.addr.peer)[15] == 2);
        CHECK(p2p.addr.prefix == 128);
    }
    SECTION("usage errors") {
        CHECK(usage_error_of({"tap0", "inet6", "10.0.0.1"}) == "tap0: inet6 \"10.0.0.1\": not an IPv6 address");
        CHECK(usage_error_of({"tap0", "inet6", "::1/129"}) ==
              "tap0: inet6 \"::1/129\": prefix length must be a number from 0 to 128");
        CHECK(usage_error_of({"tap0", "inet6"}) == "tap0: inet6: missing ADDR[/PREFIX]");
        CHECK(usage_error_of({"tap0", "inet6", "::1", "prefixlen", "129"}) ==
              "tap0: prefixlen \"129\": must be from 0 to 128");
        CHECK(usage_error_of({"tap0", "inet6", "::1", "dest", "10.0.0.1"}) ==
              "tap0: dest \"10.0.0.1\": not an IPv6 address");
    }
}

TEST_CASE("numbers: mtu, metric, txqueuelen", "[grammar]") {
    CHECK(only_op<op::Mtu>(plan_of({"tap0", "mtu", "9000"})).mtu == 9000);
    CHECK(only_op<op::Metric>(plan_of({"tap0", "metric", "-5"})).metric == -5);
    CHECK(only_op<op::Txqlen>(plan_of({"tap0", "txqueuelen", "500"})).qlen == 500);
    CHECK(usage_error_of({"tap0", "mtu", "abc"}) == "tap0: mtu \"abc\": not a number");
    CHECK(usage_error_of({"tap0", "mtu", "-1"}) == "tap0: mtu \"-1\": not a number");
    CHECK(usage_error_of({"tap0", "mtu", "1500x"}) == "tap0: mtu \"1500x\": not a number");
    CHECK(usage_error_of({"tap0", "mtu", "99999999999"}) == "tap0: mtu \"99999999999\": out of range (0 to 4294967295)");
    CHECK(usage_error_of({"tap0", "mtu"}) == "tap0: mtu: missing N");
    CHECK(usage_error_of({"tap0", "metric", "x"}) == "tap0: metric \"x\": not a number");
    CHECK(usage_error_of({"tap0", "metric", "3000000000"}) ==
          "tap0: metric \"3000000000\": out of range (-2147483648 to 2147483647)");
    CHECK(usage_error_of({"tap0", "metric"}) == "tap0: metric: missing N");
    CHECK(usage_error_of({"tap0", "txqueuelen", "q"}) == "tap0: txqueuelen \"q\": not a number");
    CHECK(usage_error_of({"tap0", "txqueuelen"}) == "tap0: txqueuelen: missing N");
}

TEST_CASE("ether, lladdr", "[grammar]") {
    for (const char* kw : {"ether", "lladdr"}) {
        const auto& l = only_op<op::Lladdr>(plan_of({"tap0", kw, "02:ab:cd:ef:01:02"}));
        CHECK(l.mac == Mac{0x02, 0xab, 0xcd, 0xef, 0x01, 0x02});
        CHECK_FALSE(l.random);
        CHECK(only_op<op::Lladdr>(plan_of({"tap0", kw, "random"})).random);
        const std::string k = kw;
        CHECK(usage_error_of({"tap0", kw, "02:ab"}) ==
              "tap0: " + k + " \"02:ab\": not a MAC address (expected six hex bytes, as 02:ab:cd:ef:01:02)");
        CHECK(usage_error_of({"tap0", kw, "01:00:5e:00:00:01"}) ==
              "tap0: " + k + " \"01:00:5e:00:00:01\": a multicast address cannot be an interface's own address");
        CHECK(usage_error_of({"tap0", kw, "0:0:0:0:0:0"}) ==
              "tap0: " + k + " \"0:0:0:0:0:0\": the all-zero address cannot be an interface's own address");
        CHECK(usage_error_of({"tap0", kw}) == "tap0: " + k + ": missing MAC");
    }
}

TEST_CASE("name", "[grammar]") {
    CHECK(only_op<op::Rename>(plan_of({"tap0", "name", "vm1"})).name == "vm1");
    CHECK(usage_error_of({"tap0", "name", "a/b"}) == "tap0: name \"a/b\": interface names cannot contain '/', ':' or spaces");
    CHECK(usage_error_of({"tap0", "name", "0123456789abcdef"}) ==
          "tap0: name \"0123456789abcdef\": interface names are at most 15 characters");
    CHECK(usage_error_of({"tap0", "name", ".."}) == "tap0: name \"..\": not a valid interface name");
    CHECK(usage_error_of({"tap0", "name", ""}) == "tap0: name \"\": an interface name cannot be empty");
    CHECK(usage_error_of({"tap0", "name"}) == "tap0: name: missing NEW");
}

TEST_CASE("flags", "[grammar]") {
    struct Case {
        const char* word;
        uint32_t flags, mask;
    };
    const Case cases[] = {
        {"up", IFF_UP, IFF_UP},          {"down", 0, IFF_UP},
        {"promisc", IFF_PROMISC, IFF_PROMISC}, {"-promisc", 0, IFF_PROMISC},
        {"allmulti", IFF_ALLMULTI, IFF_ALLMULTI}, {"-allmulti", 0, IFF_ALLMULTI},
        {"arp", 0, IFF_NOARP},           {"-arp", IFF_NOARP, IFF_NOARP},
    };
    for (const Case& c : cases) {
        INFO(c.word);
        const auto& f = only_op<op::Flags>(plan_of({"tap0", c.word}));
        CHECK(f.flags == c.flags);
        CHECK(f.mask == c.mask);
    }
}

TEST_CASE("addm, deletem", "[grammar]") {
    const auto& j = only_op<op::Multicast>(plan_of({"tap0", "addm", "01:00:5e:00:00:fb"}));
    CHECK(j.join);
    CHECK(j.mac == Mac{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb});
    CHECK_FALSE(only_op<op::Multicast>(plan_of({"tap0", "deletem", "33:33:00:00:00:01"})).join);
    CHECK(usage_error_of({"tap0", "addm", "02:00:00:00:00:01"}) ==
          "tap0: addm \"02:00:00:00:00:01\": not a multicast address (the first byte must be odd)");
    CHECK(usage_error_of({"tap0", "deletem", "zz"}) ==
          "tap0: deletem \"zz\": not a MAC address (expected six hex bytes, as 02:ab:cd:ef:01:02)");
    CHECK(usage_error_of({"tap0", "addm"}) == "tap0: addm: missing MAC");
    CHECK(usage_error_of({"tap0", "deletem"}) == "tap0: deletem: missing MAC");
}

TEST_CASE("keywords this ifctld cannot do yet", "[grammar]") {
    for (const char* w : {"monitor", "-monitor"}) only_op<op::Unsupported>(plan_of({"tap0", w}));
}

TEST_CASE("owner after an existing interface's name changes its owner", "[grammar]") {
    CHECK(only_op<op::Owner>(plan_of({"tap0", "owner", "root"})).user == "root");
}

TEST_CASE("several keywords apply left to right", "[grammar]") {
    Plan p = plan_of({"tap0", "down", "mtu", "9000", "inet", "10.0.0.1/24", "inet6", "fd00::1", "name", "vm0", "up"});
    REQUIRE(p.actions.size() == 6);
    CHECK(std::holds_alternative<op::Flags>(p.actions[0].op));
    CHECK(std::holds_alternative<op::Mtu>(p.actions[1].op));
    CHECK(std::get<op::Addr>(p.actions[2].op).addr.family == AF_INET);
    CHECK(std::get<op::Addr>(p.actions[3].op).addr.family == AF_INET6);
    CHECK(std::get<op::Rename>(p.actions[4].op).name == "vm0");
    CHECK(std::get<op::Flags>(p.actions[5].op).flags == IFF_UP);
}

TEST_CASE("words that are no keyword, and bad names", "[grammar]") {
    CHECK(usage_error_of({"tap0", "frob"}) == "tap0: \"frob\": not a keyword (see ifctl --help)");
    CHECK(usage_error_of({"tap0", "10.0.0.300"}) == "tap0: \"10.0.0.300\": not a keyword (see ifctl --help)");
    CHECK(usage_error_of({"bad/name"}) == "\"bad/name\": interface names cannot contain '/', ':' or spaces");
    CHECK(usage_error_of({"averyveryverylongname"}) ==
          "\"averyveryverylongname\": interface names are at most 15 characters");
    CHECK(usage_error_of({"eth0:1"}) == "\"eth0:1\": interface names cannot contain '/', ':' or spaces");
}

TEST_CASE("keyword_arity tells keywords from options", "[grammar]") {
    CHECK(keyword_arity("-alias") == 0);
    CHECK(keyword_arity("mtu") == 1);
    CHECK(keyword_arity("--json") == std::nullopt);
    CHECK(keyword_arity("frob") == std::nullopt);
}

TEST_CASE("keyword_help lists every keyword", "[grammar]") {
    const std::string h = keyword_help();
    for (const char* w : {"create", "destroy", "inet ADDR[/PREFIX]", "inet6", "netmask MASK", "mtu N", "ether MAC",
                          "name NEW", "-promisc", "addm MAC", "uniqueid ID"})
        CHECK(h.find(w) != std::string::npos);
}

TEST_CASE("check_plan: unsupported features fail (1), unknown users are usage errors (2)", "[grammar]") {
    std::string error;
    CHECK(check_plan(plan_of({"tap0", "mtu", "1500"}), error) == kExitOk);
    CHECK(check_plan(plan_of({"tap", "create", "owner", "root", "queues", "2"}), error) == kExitOk);
    CHECK(check_plan(plan_of({"tap", "create", "owner", "4242"}), error) == kExitOk);

    CHECK(check_plan(plan_of({"tap0", "create", "persist"}), error) == kExitOk);
    CHECK(check_plan(plan_of({"tap0", "create", "uniqueid", "3"}), error) == kExitOk);
    CHECK(check_plan(plan_of({"tap0", "mtu", "1500", "monitor"}), error) == kExitFailed);
    CHECK(error == "tap0: monitor: not supported by this ifctld yet");
    CHECK(check_plan(plan_of({"tap0", "owner", "root"}), error) == kExitOk);
    CHECK(check_plan(plan_of({"tap0", "owner", "no-such-user-here"}), error) == kExitUsage);
    CHECK(error == "tap0: owner \"no-such-user-here\": no such user");
    CHECK(check_plan(plan_of({"tap0", "create", "tapgroup", "no-such-group-here"}), error) == kExitUsage);
    CHECK(error == "tap0: tapgroup \"no-such-group-here\": no such group");
    CHECK(check_plan(plan_of({"tap0", "-vnet"}), error) == kExitOk);
    only_op<op::MoveHome>(plan_of({"tap0", "-vnet"}));

    CHECK(check_plan(plan_of({"tap0", "create", "owner", "no-such-user-here"}), error) == kExitUsage);
    CHECK(error == "tap0: owner \"no-such-user-here\": no such user");
}

TEST_CASE("FreeBSD habits: an address without a family word", "[grammar][freebsd]") {
    SECTION("inet by default, replacing the first address as inet does") {
        const auto a = only_op<op::Addr>(plan_of({"tap0", "10.0.0.5/24"}));
        CHECK(a.addr.family == AF_INET);
        CHECK(a.addr.prefix == 24);
        CHECK(a.mode == AddrMode::Set);
        CHECK(plan_of({"tap0", "10.0.0.5/24"}).actions[0].words == "10.0.0.5/24");
    }
    SECTION("an address with ':' is inet6, added") {
        const auto a = only_op<op::Addr>(plan_of({"tap0", "fd00::1/64"}));
        CHECK(a.addr.family == AF_INET6);
        CHECK(a.mode == AddrMode::Add);
    }
    SECTION("alias after it, or before it") {
        CHECK(only_op<op::Addr>(plan_of({"tap0", "10.0.0.5/24", "alias"})).mode == AddrMode::Add);
        Plan p = plan_of({"tap0", "alias", "10.0.0.4/24"});
        CHECK(only_op<op::Addr>(p).mode == AddrMode::Add);
        CHECK(only_op<op::Addr>(p).addr.local == v4(10, 0, 0, 4));
        CHECK(p.actions[0].words == "alias 10.0.0.4/24");
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "alias", "10.0.0.4/24"})).mode == AddrMode::Add);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "inet", "10.0.0.4/24", "add"})).mode == AddrMode::Add);
        CHECK(only_op<op::Addr>(plan_of({"tap0", "add", "10.0.0.4"})).mode == AddrMode::Add);
    }
    SECTION("-alias, delete and remove, before or after") {
        for (const char* w : {"-alias", "delete", "remove"}) {
            CHECK(only_op<op::Addr>(plan_of({"tap0", "10.0.0.4", w})).mode == AddrMode::Delete);
            CHECK(only_op<op::Addr>(plan_of({"tap0", w, "10.0.0.4"})).mode == AddrMode::Delete);
            CHECK(only_op<op::Addr>(plan_of({"tap0", "inet6", w, "fd00::4"})).mode == AddrMode::Delete);
        }
    }
    SECTION("a second plain address is the destination") {
        const auto a = only_op<op::Addr>(plan_of({"tap0", "inet", "10.5.0.1", "10.5.0.2"}));
        REQUIRE(a.addr.peer);
        CHECK(*a.addr.peer == v4(10, 5, 0, 2));
        CHECK(a.addr.prefix == 32);
        const auto b = only_op<op::Addr>(plan_of({"tap0", "10.5.0.1/30", "10.5.0.2"}));
        CHECK(b.addr.prefix == 30);
        REQUIRE(b.addr.peer);
    }
    SECTION("a second address with a prefix is another address") {
        Plan p = plan_of({"tap0", "10.0.0.1/24", "10.0.1.1/24", "alias"});
        REQUIRE(p.actions.size() == 2);
        CHECK(std::get<op::Addr>(p.actions[1].op).mode == AddrMode::Add);
    }
    SECTION("usage errors") {
        CHECK(usage_error_of({"tap0", "alias"}) == "tap0: alias: no address follows it");
        CHECK(usage_error_of({"tap0", "alias", "up"}) == "tap0: alias: no address follows it");
        CHECK(usage_error_of({"tap0", "alias", "-alias", "10.0.0.1"}) ==
              "tap0: -alias: follows \"alias\" without an address between them");
        CHECK(usage_error_of({"tap0", "inet", "alias", "fd00::1"}) ==
              "tap0: fd00::1: not an inet address (inet was named before it)");
        CHECK(usage_error_of({"tap0", "inet", "10.0.0.1", "10.0.0.x"}) ==
              "tap0: \"10.0.0.x\": not a keyword (see ifctl --help)");
    }
}

TEST_CASE("words that mean something else here get a hint", "[grammar][freebsd]") {
    CHECK(usage_error_of({"tap0", "mut", "1500"}) == "tap0: \"mut\": not a keyword; did you mean \"mtu\"?");
    CHECK(usage_error_of({"tap0", "promsic"}) == "tap0: \"promsic\": not a keyword; did you mean \"promisc\"?");
    CHECK(usage_error_of({"tap0", "lro"}) ==
          "tap0: \"lro\": a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)");
    CHECK(usage_error_of({"tap0", "media", "autoselect"}) == "tap0: \"media\": a TAP has no media to choose");
    CHECK(usage_error_of({"tap0", "link", "02:00:00:00:00:01"}) == "tap0: \"link\": did you mean \"lladdr\"?");
    CHECK(usage_error_of({"tap0", "create", "group", "users"}) ==
          "tap0: group \"users\": right after create, the group whose members may attach to the TAP is "
          "\"tapgroup GROUP\"; for an interface group, put \"group NAME\" after another keyword");
}

TEST_CASE("edit distance and the closest words", "[grammar]") {
    CHECK(edit_distance("mtu", "mtu") == 0);
    CHECK(edit_distance("mut", "mtu") == 1);  // a swap is one edit
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(closest_words("aliass", {"alias", "-alias", "mtu"}) == std::vector<std::string_view>{"alias"});
    CHECK(closest_words("tso5", {"tso4", "tso6", "mtu"}) == std::vector<std::string_view>{"tso4", "tso6"});
    CHECK(closest_words("xyz", {"alias", "mtu"}).empty());
}

TEST_CASE("description, groups, offloads and inet6 words", "[grammar]") {
    CHECK(only_op<op::Description>(plan_of({"tap0", "description", "uplink to vm1"})).text == "uplink to vm1");
    CHECK(only_op<op::Description>(plan_of({"tap0", "descr", "x"})).text == "x");
    CHECK(only_op<op::Description>(plan_of({"tap0", "-description"})).text.empty());
    CHECK(only_op<op::Description>(plan_of({"tap0", "-descr"})).text.empty());
    CHECK(usage_error_of({"tap0", "description", std::string(256, 'x')}).ends_with(": at most 255 characters"));

    const auto g = only_op<op::IfGroup>(plan_of({"tap0", "group", "vms"}));
    CHECK((g.name == "vms" && g.join));
    CHECK_FALSE(only_op<op::IfGroup>(plan_of({"tap0", "-group", "vms"})).join);
    CHECK(usage_error_of({"tap0", "group", "vm1"}) == "tap0: group \"vm1\": a group name cannot end in a digit");
    CHECK(usage_error_of({"tap0", "group", "averyveryverylongname"}) ==
          "tap0: group \"averyveryverylongname\": a group name has 1 to 15 characters");
    CHECK(plan_of({"tap0", "create", "up", "group", "vms"}).actions.size() == 3);

    const auto on = [](std::vector<std::string> w) { return only_op<op::Offloads>(plan_of(w)); };
    CHECK(on({"tap0", "txcsum"}).on == 0x1);
    CHECK(on({"tap0", "-txcsum"}).off == 0x7);  // no checksum offload, so no TSO either
    CHECK(on({"tap0", "tso"}).on == 0x7);       // TSO brings checksum offload along
    CHECK(on({"tap0", "-tso"}).off == 0x6);
    CHECK(on({"tap0", "tso4"}).on == 0x3);
    CHECK(on({"tap0", "-tso6"}).off == 0x4);

    CHECK(*only_op<op::Inet6Opts>(plan_of({"tap0", "no_dad"})).no_dad);
    CHECK_FALSE(*only_op<op::Inet6Opts>(plan_of({"tap0", "inet6", "-no_dad"})).no_dad);
    CHECK_FALSE(*only_op<op::Inet6Opts>(plan_of({"tap0", "inet6", "-auto_linklocal"})).auto_linklocal);
    CHECK_FALSE(only_op<op::Inet6Opts>(plan_of({"tap0", "auto_linklocal"})).no_dad.has_value());
}
