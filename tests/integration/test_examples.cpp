// The C example programs (examples/) against a real ifctld in a private
// namespace: what each says it does, read back from the daemon and the kernel.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using json = nlohmann::json;

namespace {

std::string example(const std::string& name) {
    const char* dir = std::getenv("EXAMPLES_DIR");
    REQUIRE(dir);
    return std::string(dir) + "/" + name;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// A process in a network namespace of its own, for TAPs to move into: its pid
// is the first line it prints. Killed when the test ends; the namespace, and
// every TAP moved there, goes with it.
struct OtherNetns {
    test::Child sleeper{{"unshare", "--net", "--", "sh", "-c", "echo $$; exec sleep 60"}};
    std::string pid = sleeper.line();
    json links() { return json::parse(test::run("nsenter -t " + pid + " -n ip -j -d link show")); }
    bool has(const std::string& name) {
        for (const json& l : links())
            if (l.value("ifname", "") == name) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("vm_tap: an owned, persistent vnet_hdr TAP, configured", "[examples]") {
    test::Daemon d;
    const test::Run r = test::exec({example("vm_tap"), "1234", "1235", "10.9.0.1/24"});
    INFO(r);
    REQUIRE(r.status == 0);
    const std::string name = first_line(r.out);
    CHECK(name == "vm0");

    auto c = test::connect(d);
    proto::Interface i;
    REQUIRE(c->get(client::InterfaceRef::by_name(name), i) == 0);
    CHECK(i.managed);
    CHECK(i.owner == 1234);
    CHECK(i.persistent);
    CHECK(i.caps_supported != 0);  // only a vnet_hdr TAP takes offloads
    CHECK(i.caps_enabled != 0);
    CHECK(r.out.find("owner 1234 up 1") != std::string::npos);

    // The kernel's view: a multi-queue TAP with a virtio-net header, up, addressed;
    // root's in the kernel whatever its owner and group (docs/policy.md).
    const json k = test::kernel_view(name);
    REQUIRE(k.is_object());
    const json& info = k["linkinfo"]["info_data"];
    CHECK(info.value("type", "") == "tap");
    CHECK(info.value("vnet_hdr", false));
    CHECK(info.value("multi_queue", false));
    CHECK(info.value("user", "") == "root");
    CHECK(info.value("group", "") == "root");
    CHECK(test::has_flag(k, "UP"));
    REQUIRE(k["addr_info"].size() >= 1);
    CHECK(k["addr_info"][0].value("local", "") == "10.9.0.1");
    CHECK(k["addr_info"][0].value("prefixlen", 0) == 24);

    // A bad address is refused before anything is made.
    const test::Run bad = test::exec({example("vm_tap"), "1234", "1235", "10.9.0.1"});
    CHECK(bad.status == 2);
    CHECK(test::kernel_view("vm1").is_null());
}

TEST_CASE("move_tap: into another namespace by pid and by path", "[examples]") {
    test::Daemon d;
    auto c = test::connect(d);
    proto::Interface made;
    REQUIRE(c->create("mv0", {}, made) == 0);
    REQUIRE(c->create("mv1", {}, made) == 0);
    OtherNetns ns;

    test::Run r = test::exec({example("move_tap"), "mv0", ns.pid});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "mv0 moved to the namespace of pid " + ns.pid + "\n");
    CHECK(test::kernel_view("mv0").is_null());
    CHECK(ns.has("mv0"));

    const std::string path = "/proc/" + ns.pid + "/ns/net";
    r = test::exec({example("move_tap"), "mv1", path});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "mv1 moved to " + path + "\n");
    CHECK(ns.has("mv1"));

    // Not a namespace: refused, the message from the daemon, the TAP stays.
    REQUIRE(c->create("mv2", {}, made) == 0);
    r = test::exec({example("move_tap"), "mv2", "/proc/self/status"});
    CHECK(r.status == 1);
    CHECK(r.err.find("is not a network namespace") != std::string::npos);
    CHECK(test::kernel_view("mv2").is_object());
    CHECK_FALSE(ns.has("mv2"));

    // Back from wherever it is, with its address there; a second time, refused.
    test::run("nsenter -t " + ns.pid + " -n ip addr add 10.6.0.1/24 dev mv0");
    r = test::exec({example("move_tap"), "mv0", "back"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "mv0 is back in ifctld's namespace\n");
    CHECK_FALSE(ns.has("mv0"));
    const json back = test::kernel_view("mv0");
    REQUIRE(back.is_object());
    REQUIRE(back["addr_info"].size() >= 1);
    CHECK(back["addr_info"][0].value("local", "") == "10.6.0.1");
    r = test::exec({example("move_tap"), "mv0", "back"});
    CHECK(r.status == 1);
    CHECK(r.err == "move_tap: mv0: File exists: mv0 is already in ifctld's network namespace\n");
}

TEST_CASE("labels: a description and interface groups, set and read back", "[examples]") {
    test::Daemon d;
    auto c = test::connect(d);
    proto::Interface made;
    REQUIRE(c->create("lb0", {}, made) == 0);
    test::Run r = test::exec({example("labels"), "lb0"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "description: \ngroups:\n");

    r = test::exec({example("labels"), "lb0", "description", "uplink to vm1", "group", "vms", "group", "lab"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "description: uplink to vm1\ngroups: vms lab\n");
    CHECK(test::kernel_view("lb0").value("ifalias", "") == "uplink to vm1");

    r = test::exec({example("labels"), "lb0", "-group", "vms", "description", ""});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "description: \ngroups: lab\n");
    CHECK_FALSE(test::kernel_view("lb0").contains("ifalias"));

    // Leaving a group it is not in: the daemon's errno and message; nothing changed.
    r = test::exec({example("labels"), "lb0", "-group", "vms"});
    CHECK(r.status == 1);
    CHECK(r.err == "labels: lb0: -group vms: No such file or directory: lb0 is not in group vms\n");
    proto::Interface now;
    REQUIRE(c->get(client::InterfaceRef::by_name("lb0"), now) == 0);
    CHECK(now.groups == std::vector<std::string>{"lab"});
}

TEST_CASE("follow_events: a filtered subscription, event by event", "[examples]") {
    test::Daemon d;
    auto c = test::connect(d);
    proto::Interface made;
    REQUIRE(c->create("ev0", {}, made) == 0);
    test::Child follow({example("follow_events"), "-n", "3", "-e", "mtu,address", "ev0"},
                       {"IFCTL_SOCKET=" + d.socket()});
    CHECK(follow.line().rfind("subscribed after event ", 0) == 0);
    const client::InterfaceRef ev0 = client::InterfaceRef::by_name("ev0");
    REQUIRE(c->set_flags(ev0, 1, 1) == 0);  // not a kind it asked for: not printed
    REQUIRE(c->set_mtu(ev0, 1400) == 0);
    proto::Address a{};
    a.family = 2;
    a.local = {10, 7, 0, 1};
    a.prefix = 24;
    REQUIRE(c->addr_add(ev0, a) == 0);
    REQUIRE(c->addr_del(ev0, a) == 0);
    // "SEQ NAME KIND ...": the numbers depend on what came before.
    auto rest = [](const std::string& line) { return line.substr(line.find(' ') + 1); };
    CHECK(rest(follow.line()) == "ev0 mtu 1400 was 1500 (managed)");
    CHECK(rest(follow.line()) == "ev0 address-added inet 10.7.0.1/24 (managed)");
    CHECK(rest(follow.line()) == "ev0 address-removed inet 10.7.0.1/24 (managed)");
    CHECK(follow.wait() == 0);  // after three events, as -n said
}

TEST_CASE("run_with_queue: a program started with a queue of the TAP", "[examples]") {
    test::Daemon d;
    auto c = test::connect(d);
    proto::Interface made;
    REQUIRE(c->create("q0", {}, made) == 0);
    // The descriptor at 3 is the TUN device, attached to q0.
    test::Run r = test::exec({example("run_with_queue"), "q0", "3", "sh", "-c",
                              "readlink /proc/self/fd/3; grep '^iff:' /proc/self/fdinfo/3"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.out == "/dev/net/tun\niff:\tq0\n");
    // No queue of a TAP that does not exist: the daemon's answer, nothing run.
    r = test::exec({example("run_with_queue"), "nosuch0", "3", "echo", "ran"});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("nosuch0") != std::string::npos);
    r = test::exec({example("run_with_queue"), "q0", "1", "true"});
    CHECK(r.status == 2);
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
