// The C API's configuration and event calls against a real ifctld in a
// private namespace: what each call changed, read back from the daemon and
// the kernel, and the exact errno of a refusal with nothing changed.
#include <ifctl/ifctl.h>
#include <linux/if.h>
#include <poll.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using json = nlohmann::json;

namespace {

struct Handle {
    ifctl_t* h = nullptr;
    explicit Handle(const test::Daemon& d) {
        char why[256];
        REQUIRE(ifctl_open(&h, d.socket().c_str(), why, sizeof why) == 0);
    }
    ~Handle() { ifctl_close(h); }
    operator ifctl_t*() const { return h; }
};

ifctl_iface_t get(ifctl_t* h, const char* name) {
    ifctl_iface_t i;
    REQUIRE(ifctl_get(h, name, &i) == 0);
    ifctl_iface_free(&i);  // the scalar fields stay
    return i;
}

bool persistent(const test::Daemon& d, const std::string& name) {
    auto c = test::connect(d);
    proto::Interface i;
    REQUIRE(c->get(client::InterfaceRef::by_name(name), i) == 0);
    return i.persistent;
}

}  // namespace

TEST_CASE("C API: create with options, owner and persistence", "[capi]") {
    test::Daemon d;
    Handle h(d);
    ifctl_create_opts_t o = IFCTL_CREATE_OPTS_INIT;
    o.flags = IFCTL_CREATE_OWNER | IFCTL_CREATE_PERSIST;
    o.owner = 1234;
    o.unique_id = 77;
    o.unique_family = "ether";
    char name[16] = "";
    REQUIRE(ifctl_create_with(h, "co%d", &o, name) == 0);
    CHECK(std::string(name) == "co0");
    ifctl_iface_t i = get(h, name);
    CHECK(i.owner == 1234);
    CHECK(i.unique_id == 77);
    CHECK(std::string(i.unique_family) == "ether");
    CHECK(i.caps_supported == 0);  // no vnet_hdr: no offloads
    CHECK(persistent(d, name));

    REQUIRE(ifctl_set_owner(h, name, 4321) == 0);
    CHECK(get(h, name).owner == 4321);
    REQUIRE(ifctl_set_persistent(h, name, 0) == 0);
    CHECK_FALSE(persistent(d, name));
    REQUIRE(ifctl_set_persistent(h, name, 1) == 0);
    CHECK(persistent(d, name));

    // The same unique id again: EEXIST, and no second interface.
    CHECK(ifctl_create_with(h, "co%d", &o, nullptr) == -EEXIST);
    CHECK(test::kernel_view("co1").is_null());
    // Not managed by ifctld: EPERM, lo unchanged.
    const json lo = test::steady(test::kernel_view("lo"));
    CHECK(ifctl_set_owner(h, "lo", 1) == -EPERM);
    CHECK(ifctl_set_persistent(h, "lo", 1) == -EPERM);
    CHECK(test::steady(test::kernel_view("lo")) == lo);
}

TEST_CASE("C API: a move to a namespace that does not exist is refused, the TAP stays", "[capi]") {
    test::Daemon d;
    Handle h(d);
    REQUIRE(ifctl_create(h, "mv0", 0, nullptr) == 0);
    const json before = test::steady(test::kernel_view("mv0"));
    // A pid no process has (pid_max is at most 2^22).
    CHECK(ifctl_move_netns_pid(h, "mv0", 4194304 + 1) == -ESRCH);
    CHECK(std::string(ifctl_message(h)).find("pid") != std::string::npos);
    CHECK(ifctl_move_netns_path(h, "mv0", "/nonexistent/netns") == -ENOENT);
    CHECK(ifctl_move_netns_path(h, "mv0", "/proc/self/status") == -EINVAL);
    CHECK(test::steady(test::kernel_view("mv0")) == before);
}

TEST_CASE("C API: description, or a clear refusal from a daemon without it", "[capi]") {
    test::Daemon d;
    Handle h(d);
    REQUIRE(ifctl_create(h, "ds0", 0, nullptr) == 0);
    const int rc = ifctl_set_description(h, "ds0", "uplink to the lab");
    const json k = test::kernel_view("ds0");
    if (rc == 0) {
        CHECK(k.value("ifalias", "") == "uplink to the lab");
        REQUIRE(ifctl_set_description(h, "ds0", "") == 0);
        CHECK_FALSE(test::kernel_view("ds0").contains("ifalias"));
    } else {
        CHECK(rc == -EOPNOTSUPP);
        CHECK(std::string(ifctl_message(h)).find("newer ifctld") != std::string::npos);
        CHECK_FALSE(k.contains("ifalias"));
    }
}

TEST_CASE("C API: events, filtered, through the caller's poll loop", "[capi]") {
    test::Daemon d;
    Handle changer(d), watcher(d);
    REQUIRE(ifctl_create(changer, "ev0", 0, nullptr) == 0);
    uint64_t last = 0;
    REQUIRE(ifctl_subscribe(watcher, "ev0", IFCTL_EV_MTU, &last) == 0);
    CHECK(last > 0);  // ev0's creation came before
    CHECK(ifctl_subscribe(watcher, nullptr, 0, nullptr) == -EBUSY);
    ifctl_event_t ev;
    CHECK(ifctl_next_event(watcher, &ev, 0) == -ETIMEDOUT);

    REQUIRE(ifctl_set_flags(changer, "ev0", IFF_UP, IFF_UP) == 0);  // not an MTU event: filtered out
    REQUIRE(ifctl_set_mtu(changer, "ev0", 1400) == 0);
    pollfd p{ifctl_fd(watcher), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    REQUIRE(ifctl_next_event(watcher, &ev, 0) == 0);
    CHECK(ev.kind == IFCTL_EV_MTU);
    CHECK(ev.seq > last);
    CHECK(std::string(ev.name) == "ev0");
    CHECK(ev.managed == 1);
    CHECK(ev.mtu == 1400);
    CHECK(ev.old_mtu == 1500);
    CHECK(ifctl_next_event(watcher, &ev, 200) == -ETIMEDOUT);

    // The daemon going away ends the subscription with ECONNRESET.
    d.stop();
    CHECK(ifctl_next_event(watcher, &ev, 10000) == -ECONNRESET);
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }

TEST_CASE("C API: description and interface groups read back; refusals change nothing", "[capi]") {
    test::Daemon d;
    Handle h(d);
    REQUIRE(ifctl_create(h, "lb0", 0, nullptr) == 0);
    char* text = nullptr;
    REQUIRE(ifctl_get_description(h, "lb0", &text) == 0);
    REQUIRE(text != nullptr);
    CHECK(std::string(text).empty());
    ifctl_description_free(text);
    char** groups = reinterpret_cast<char**>(&text);  // not NULL: the call must clear it
    size_t count = 9;
    REQUIRE(ifctl_get_groups(h, "lb0", &groups, &count) == 0);
    CHECK(groups == nullptr);
    CHECK(count == 0);

    REQUIRE(ifctl_set_description(h, "lb0", "uplink to vm1") == 0);
    REQUIRE(ifctl_group_add(h, "lb0", "vms") == 0);
    REQUIRE(ifctl_group_add(h, "lb0", "lab") == 0);
    REQUIRE(ifctl_get_description(h, "lb0", &text) == 0);
    CHECK(std::string(text) == "uplink to vm1");
    ifctl_description_free(text);
    CHECK(test::kernel_view("lb0").value("ifalias", "") == "uplink to vm1");
    REQUIRE(ifctl_get_groups(h, "lb0", &groups, &count) == 0);
    REQUIRE(count == 2);
    CHECK(std::string(groups[0]) == "vms");
    CHECK(std::string(groups[1]) == "lab");
    ifctl_groups_free(groups, count);
    ifctl_groups_free(nullptr, 0);
    ifctl_description_free(nullptr);

    // Each refusal: its errno, the daemon's word, and the groups as they were.
    auto groups_now = [&] {
        auto c = test::connect(d);
        proto::Interface i;
        REQUIRE(c->get(client::InterfaceRef::by_name("lb0"), i) == 0);
        return i.groups;
    };
    const std::vector<std::string> both{"vms", "lab"};
    CHECK(ifctl_group_add(h, "lb0", "vms") == -EEXIST);
    CHECK(std::string(ifctl_message(h)) == "lb0 is in group vms already");
    CHECK(ifctl_group_del(h, "lb0", "nothere") == -ENOENT);
    CHECK(std::string(ifctl_message(h)) == "lb0 is not in group nothere");
    CHECK(ifctl_group_add(h, "lb0", "") == -EINVAL);
    CHECK(ifctl_group_add(h, "lb0", "a-group-name-too-long") == -EINVAL);
    CHECK(ifctl_group_add(h, "lb0", nullptr) == -EINVAL);
    CHECK(ifctl_group_add(h, "lo", "vms") == -EPERM);
    CHECK(ifctl_group_add(h, "nope0", "vms") == -ENODEV);
    CHECK(groups_now() == both);
    CHECK(ifctl_get_groups(h, "lb0", nullptr, &count) == -EINVAL);
    CHECK(ifctl_get_description(h, "lb0", nullptr) == -EINVAL);
    text = reinterpret_cast<char*>(&count);
    CHECK(ifctl_get_description(h, "nope0", &text) == -ENODEV);
    CHECK(text == nullptr);
    CHECK(ifctl_get_groups(h, "nope0", &groups, &count) == -ENODEV);
    CHECK(groups == nullptr);
    CHECK(count == 0);

    REQUIRE(ifctl_group_del(h, "lb0", "vms") == 0);
    REQUIRE(ifctl_get_groups(h, "lb0", &groups, &count) == 0);
    REQUIRE(count == 1);
    CHECK(std::string(groups[0]) == "lab");
    ifctl_groups_free(groups, count);
}

TEST_CASE("C API: move_home refusals, with nothing changed", "[capi]") {
    test::Daemon d;
    Handle h(d);
    REQUIRE(ifctl_create(h, "mh0", 0, nullptr) == 0);
    const json mh0 = test::steady(test::kernel_view("mh0"));
    const json lo = test::steady(test::kernel_view("lo"));
    CHECK(ifctl_move_home(h, "mh0") == -EEXIST);  // here already, as FreeBSD answers
    CHECK(std::string(ifctl_message(h)) == "mh0 is already in ifctld's network namespace");
    CHECK(ifctl_move_home(h, "lo") == -EPERM);  // not managed
    CHECK(ifctl_move_home(h, "nope0") == -ENODEV);
    CHECK(std::string(ifctl_message(h)) == "no interface named nope0 here, nor moved away by ifctld");
    CHECK(ifctl_move_home(h, nullptr) == -EINVAL);
    CHECK(ifctl_move_home(h, "") == -EINVAL);
    CHECK(test::steady(test::kernel_view("mh0")) == mh0);
    CHECK(test::steady(test::kernel_view("lo")) == lo);
    // Each refusal's audit line names the interface asked for.
    const std::string log = test::slurp(d.log());
    CHECK(log.find("op=move-home interface=mh0") != std::string::npos);
    CHECK(log.find("op=move-home interface=nope0") != std::string::npos);
}
