// The text layout and the JSON schema of an interface record.
#include <pty.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "output.hpp"
#include "report.hpp"

using namespace ifctl;
using namespace ifctl::cli;

namespace {

proto::Interface sample() {
    proto::Interface i;
    i.index = 7;
    i.name = "tap0";
    i.kind = "tun";
    i.hw_type = 1;  // ARPHRD_ETHER
    i.flags = 0x1043;
    i.mtu = 1500;
    i.txqlen = 1000;
    i.lladdr = {0x02, 0xab, 0xcd, 0xef, 0x01, 0x02};
    proto::Address v4;
    v4.family = AF_INET;
    v4.local = {10, 0, 0, 1};
    v4.prefix = 24;
    v4.broadcast = std::array<uint8_t, 4>{10, 0, 0, 255};
    proto::Address v6;
    v6.family = AF_INET6;
    v6.local = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    v6.prefix = 64;
    i.addresses = {v4, v6};
    i.carrier = true;
    i.operstate = 6;
    i.managed = true;
    i.owner = 0;
    i.unique_id = 3;
    i.queues = 2;
    return i;
}

}  // namespace

TEST_CASE("text layout", "[output]") {
    CHECK(text_interface(sample(), false) ==
          "tap0: flags=1043<UP,BROADCAST,RUNNING,MULTICAST> mtu 1500\n"
          "\tether 02:ab:cd:ef:01:02  txqueuelen 1000\n"
          "\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255\n"
          "\tinet6 fe80::1%tap0 prefixlen 64\n"
          "\tstatus: active\n"
          "\tmanaged by ifctld, owner root (uid 0), unique id 3, queues 2\n");
    proto::Interface u = sample();
    u.managed = false;
    u.metric = 3;
    u.addresses.clear();
    u.carrier = false;
    CHECK(text_interface(u, false) ==
          "tap0: flags=1043<UP,BROADCAST,RUNNING,MULTICAST> mtu 1500 metric 3\n"
          "\tether 02:ab:cd:ef:01:02  txqueuelen 1000\n"
          "\tstatus: no carrier\n"
          "\tnot managed by ifctld\n");
    CHECK(text_interface(sample(), true).find("\033[1mtap0\033[0m") == 0);
    CHECK(text_names({sample(), sample()}) == "tap0 tap0\n");
}

TEST_CASE("JSON schema", "[output]") {
    const auto j = nlohmann::json::parse(json_interface(sample()));
    CHECK(j["name"] == "tap0");
    CHECK(j["index"] == 7);
    CHECK(j["flags"] == 0x1043);
    CHECK(j["flag_names"] == nlohmann::json{"UP", "BROADCAST", "RUNNING", "MULTICAST"});
    CHECK(j["lladdr"] == "02:ab:cd:ef:01:02");
    CHECK(j["addresses"][0]["family"] == "inet");
    CHECK(j["addresses"][0]["local"] == "10.0.0.1");
    CHECK(j["addresses"][0]["broadcast"] == "10.0.0.255");
    CHECK(j["addresses"][0]["peer"] == nullptr);
    CHECK(j["addresses"][1]["local"] == "fe80::1");
    CHECK(j["operstate_name"] == "up");
    CHECK(j["managed"] == true);
    CHECK(j["stats"]["rx_packets"] == 0);
    for (const char* k : {"kind", "hw_type", "mtu", "min_mtu", "max_mtu", "metric", "txqlen", "multicast", "carrier",
                          "operstate", "change_time_ms", "owner", "unique_id", "persistent", "queues", "queues_detached",
                          "may_change", "unique_family", "caps_supported", "caps_enabled", "promisc_refs",
                          "allmulti_refs"})
        CHECK(j.contains(k));
    const auto list = nlohmann::json::parse(json_interfaces({sample()}));
    CHECK(list["interfaces"].size() == 1);
    CHECK(nlohmann::json::parse(json_names({sample()}))["names"] == nlohmann::json{"tap0"});
}

TEST_CASE("failure messages", "[output]") {
    CHECK(failure_message("tap0", "mtu 99999", -22, "MTU above 65521", false) ==
          "tap0: mtu 99999: Invalid argument: MTU above 65521");
    CHECK(failure_message("tap9", "", -19, "", false) == "tap9: No such device");
    CHECK(failure_message("eth0", "up", -1, "whatever", true) ==
          "eth0: not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)");
}

TEST_CASE("colour only on a terminal, and never with NO_COLOR", "[output]") {
    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const char* saved = std::getenv("NO_COLOR");
    const std::string keep = saved ? saved : "";
    ::unsetenv("NO_COLOR");
    CHECK(colour_wanted(slave));
    CHECK_FALSE(colour_wanted(pipe_fds[1]));
    ::setenv("NO_COLOR", "1", 1);
    CHECK_FALSE(colour_wanted(slave));
    ::setenv("NO_COLOR", "", 1);  // set but empty does not count (no-color.org)
    CHECK(colour_wanted(slave));
    if (saved) ::setenv("NO_COLOR", keep.c_str(), 1);
    else ::unsetenv("NO_COLOR");
    for (int fd : {master, slave, pipe_fds[0], pipe_fds[1]}) ::close(fd);
}

TEST_CASE("description, offloads, inet6 settings and groups in the text layout", "[output]") {
    proto::Interface i = sample();
    i.description = "uplink to vm1";
    i.caps_enabled = 0x7;
    i.no_dad = true;
    i.auto_linklocal = false;
    i.groups = {"vms", "lab"};
    CHECK(text_interface(i, false) ==
          "tap0: flags=1043<UP,BROADCAST,RUNNING,MULTICAST> mtu 1500\n"
          "\tdescription: uplink to vm1\n"
          "\toptions=7<TXCSUM,TSO4,TSO6>\n"
          "\tether 02:ab:cd:ef:01:02  txqueuelen 1000\n"
          "\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255\n"
          "\tinet6 fe80::1%tap0 prefixlen 64\n"
          "\tinet6 options: no_dad, -auto_linklocal\n"
          "\tgroups: vms lab\n"
          "\tstatus: active\n"
          "\tmanaged by ifctld, owner root (uid 0), unique id 3, queues 2\n");
    const auto j = nlohmann::json::parse(json_interface(i));
    CHECK(j.at("description") == "uplink to vm1");
    CHECK(j.at("groups") == nlohmann::json{"vms", "lab"});
    CHECK(j.at("offload_names") == nlohmann::json{"TXCSUM", "TSO4", "TSO6"});
    CHECK(j.at("no_dad") == true);
    CHECK(j.at("auto_linklocal") == false);
}

TEST_CASE("--format: FreeBSD's address formats", "[output]") {
    TextFormat f;
    std::string why;
    REQUIRE(parse_text_format("inet:cidr,inet6:cidr,ether:dash", f, why));
    const std::string t = text_interface(sample(), false, f);
    CHECK(t.find("\tether 02-ab-cd-ef-01-02  txqueuelen 1000\n") != std::string::npos);
    CHECK(t.find("\tinet 10.0.0.1/24 broadcast 10.0.0.255\n") != std::string::npos);
    CHECK(t.find("\tinet6 fe80::1%tap0/64\n") != std::string::npos);
    REQUIRE(parse_text_format("inet:dotted,ether:dotted", f, why));
    const std::string d = text_interface(sample(), false, f);
    CHECK(d.find("\tinet 10.0.0.1 netmask 255.255.255.0 broadcast 10.0.0.255\n") != std::string::npos);
    CHECK(d.find("\tether 02ab.cdef.0102  ") != std::string::npos);
    CHECK_FALSE(parse_text_format("inet:octal", f, why));
    CHECK(why == "\"inet:octal\": inet formats are hex, dotted and cidr");
    CHECK_FALSE(parse_text_format("addr:fqdn", f, why));
    CHECK(why == "\"addr:fqdn\": the types are inet, inet6 and ether");
}

TEST_CASE("the summary view: one line per interface", "[output]") {
    proto::Interface lo;
    lo.index = 1;
    lo.name = "lo";
    lo.mtu = 65536;
    lo.operstate = 0;
    proto::Address a;
    a.family = AF_INET;
    a.local = {127, 0, 0, 1};
    a.prefix = 8;
    lo.addresses = {a};
    CHECK(text_brief({lo, sample()}, false) ==
          "NAME  STATE             MTU  OWNER  ADDRESSES\n"
          "lo    unknown         65536  -      127.0.0.1/8\n"
          "tap0  up               1500  root   10.0.0.1/24 fe80::1/64\n");
    const std::string coloured = text_brief({sample()}, true);
    CHECK(coloured.find("\033[32mup\033[0m") != std::string::npos);
    const auto j = nlohmann::ordered_json::parse(json_brief({lo, sample()}));
    CHECK(j.at("interfaces").at(0).at("owner").is_null());
    CHECK(j.at("interfaces").at(1).dump() ==
          R"({"name":"tap0","index":7,"operstate_name":"up","mtu":1500,"managed":true,"owner":0,"owner_name":"root","addresses":["10.0.0.1/24","fe80::1/64"]})");
}

TEST_CASE("monitor lines lead with the event's local time", "[output]") {
    setenv("TZ", "UTC", 1);
    tzset();
    proto::Event e;
    e.seq = 12;
    e.name = "tap0";
    e.kind = proto::kEvCarrier;
    e.carrier = false;
    e.time_ms = 1796635801123;  // 2026-12-07T09:30:01.123Z
    CHECK(text_event(e, true) == "2026-12-07T09:30:01.123 12 tap0 carrier off\n");
    CHECK(text_event(e, false) == "12 tap0 carrier off\n");
}
