// The state directory and restarts: records on disk before the reply, group
// commit of kernel configuration, changes made behind the daemon's back,
// damaged records, clean stop, kill -9, re-adoption, recreation after a
// "reboot" (a fresh network namespace over the same state directory), and
// moving a TAP into another namespace. All against the real kernel.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "daemon/store/record.hpp"
#include "libifctl/protocol/model.hpp"
#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using json = nlohmann::json;
using proto::AttrType;
using proto::Op;
using test::connect;
using test::slurp;
using test::v4;
using test::v6;
namespace fs = std::filesystem;

using test::has_flag;

namespace {

// A state directory that outlives one daemon, removed when the test case
// passes (kept, its path printed, when it fails: netns_daemon.hpp).
struct StateDir {
    std::string path = test::temp_dir("ifctl-state");
    std::string arg() const { return "--state-dir " + path; }
    std::string record_path(uint64_t id) const { return path + "/interfaces/" + std::to_string(id) + ".json"; }
    bool has_record(uint64_t id) const { return fs::exists(record_path(id)); }
    json record(uint64_t id) const {
        std::ifstream f(record_path(id));
        REQUIRE(f.good());
        return json::parse(f);
    }
};

client::InterfaceRef by(const std::string& n) { return client::InterfaceRef::by_name(n); }

bool has_addr(const json& link, const std::string& local, int prefix) {
    for (const json& a : link.at("addr_info"))
        if (a.value("local", "") == local && a.value("prefixlen", -1) == prefix) return true;
    return false;
}

// Waits (bounded, about 5 s) until `pred` holds; group commit is asynchronous.
template <typename Pred>
bool eventually(Pred pred) {
    return test::eventually(pred, 5000);
}

void ip(const std::string& args) { test::run("ip " + args); }

// A named network namespace (`ip netns add`), deleted when the test case ends,
// passed or failed; the TAPs in it go with it.
struct NamedNetns {
    std::string name = "ifctl-mv-" + std::to_string(::getpid()) + "-" + std::to_string(++made);
    NamedNetns() { ip("netns add " + name); }
    ~NamedNetns() {
        try {
            ip("netns del " + name);
        } catch (...) {
        }
    }
    NamedNetns(const NamedNetns&) = delete;
    NamedNetns& operator=(const NamedNetns&) = delete;
    std::string path() const { return "/run/netns/" + name; }
    // The `ip -j -d addr show` entry of a link in it, or null.
    json link(const std::string& dev) const {
        for (const json& l : json::parse(test::run("ip -n " + name + " -j -d addr show")))
            if (l.value("ifname", "") == dev) return l;
        return nullptr;
    }
    static inline int made = 0;
};

// Links arriving in this namespace (the daemon's) refuse inet6 addresses
// (EACCES) until the end of the scope.
struct NoInet6Here {
    NoInet6Here() { test::run("sysctl -qw net.ipv6.conf.default.disable_ipv6=1"); }
    ~NoInet6Here() {
        try {
            test::run("sysctl -qw net.ipv6.conf.default.disable_ipv6=0");
        } catch (...) {
        }
    }
    NoInet6Here(const NoInet6Here&) = delete;
    NoInet6Here& operator=(const NoInet6Here&) = delete;
};

}  // namespace

TEST_CASE("a create is on disk before its reply, in a versioned record with a checksum") {
    StateDir sd;
    test::Daemon d(sd.arg());
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("pr0", {.owner = 65534, .group = 100, .persistent = true}, rec) == 0);
    CHECK(rec.persistent);
    REQUIRE(sd.has_record(rec.unique_id));
    const json f = sd.record(rec.unique_id);
    CHECK(f["format"] == "ifctld-interface");
    CHECK(f["version"] == 1);
    CHECK(f["checksum"].get<std::string>().rfind("fnv1a64:", 0) == 0);
    CHECK(f["record"]["owner"] == 65534);
    CHECK(f["record"]["group"] == 100);
    CHECK(f["record"]["persistent"] == true);
    CHECK(f["record"]["unique_id"] == rec.unique_id);
    CHECK(f["record"]["kernel"]["name"] == "pr0");
    CHECK(f["record"]["kernel"]["index"] == rec.index);
    // The kernel keeps every managed TAP alive by itself (IFF_PERSIST).
    CHECK(test::link("pr0")["linkinfo"]["info_data"]["persist"] == true);

    SECTION("metric, owner and persistence are written before the reply") {
        REQUIRE(c->set_metric(by("pr0"), 7) == 0);
        CHECK(sd.record(rec.unique_id)["record"]["metric"] == 7);
        REQUIRE(c->set_owner(by("pr0"), 0) == 0);
        CHECK(sd.record(rec.unique_id)["record"]["owner"] == 0);
        REQUIRE(c->set_persistent(by("pr0"), false) == 0);
        CHECK(sd.record(rec.unique_id)["record"]["persistent"] == false);
        proto::Interface now;
        REQUIRE(c->get(by("pr0"), now) == 0);
        CHECK_FALSE(now.persistent);
        CHECK(now.metric == 7);
    }
    SECTION("a request with Durable is answered once its kernel configuration is on disk") {
        auto target = by("pr0");
        proto::Writer w = c->request(Op::SetMtu, &target);
        w.u32(wire_type(AttrType::Mtu), 1300).u8(wire_type(AttrType::Durable), 1);
        client::DecodedReply r;
        REQUIRE(c->call(w, r) == 0);
        REQUIRE(r.status == 0);
        CHECK(sd.record(rec.unique_id)["record"]["kernel"]["mtu"] == 1300);
    }
    SECTION("kernel configuration follows by group commit, also when changed behind the daemon's back") {
        REQUIRE(c->addr_add(by("pr0"), v4("192.0.2.9")) == 0);
        ip("link set pr0 mtu 1280");
        ip("link set pr0 name pr0x");
        CHECK(eventually([&] {
            const json k = sd.record(rec.unique_id)["record"]["kernel"];
            return k["mtu"] == 1280 && k["name"] == "pr0x" && k["addresses"].size() == 1;
        }));
        const json a = sd.record(rec.unique_id)["record"]["kernel"]["addresses"][0];
        CHECK(a["local"] == "192.0.2.9");
        CHECK(a["prefix"] == 24);
        ip("link set pr0x name pr0");
    }
    SECTION("destroy removes the record") {
        REQUIRE(c->destroy(by("pr0")) == 0);
        CHECK_FALSE(sd.has_record(rec.unique_id));
        CHECK(test::link("pr0") == nullptr);
    }
    SECTION("deleted behind the daemon's back: a persistent record stays, a non-persistent one goes") {
        proto::Interface other;
        REQUIRE(c->create("pr1", {}, other) == 0);
        ip("link del pr1");
        ip("link del pr0");
        CHECK(eventually([&] { return !sd.has_record(other.unique_id); }));
        CHECK(sd.has_record(rec.unique_id));
    }
    c->destroy(by("pr0"));
}

TEST_CASE("a clean stop leaves persistent TAPs, destroys the rest; a restart re-adopts") {
    StateDir sd;
    proto::Interface p, n;
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("ps0", {.owner = 65534, .persistent = true}, p) == 0);
        REQUIRE(c->create("ns0", {}, n) == 0);
        REQUIRE(c->set_mtu(by("ps0"), 1400) == 0);
        REQUIRE(c->addr_add(by("ps0"), v4("198.51.100.1")) == 0);
        REQUIRE(c->set_flags(by("ps0"), 1, 1) == 0);
        REQUIRE(c->set_metric(by("ps0"), 5) == 0);
        CHECK(d.stop() == 0);
    }
    CHECK(test::link("ns0") == nullptr);
    CHECK_FALSE(sd.has_record(n.unique_id));
    const json k = test::link("ps0");
    REQUIRE(k != nullptr);
    CHECK(k["mtu"] == 1400);
    CHECK(has_addr(k, "198.51.100.1", 24));

    test::Daemon d(sd.arg());
    auto c = connect(d);
    // The link-local address the kernel added when ps0 came up is no change
    // made while the daemon was away, whether the record saw it or not.
    CHECK(slurp(d.log()).find("changed while ifctld was not running") == std::string::npos);
    CHECK(slurp(d.log()).find(" 0 problem(s)") != std::string::npos);
    proto::Interface again;
    REQUIRE(c->get(by("ps0"), again) == 0);
    CHECK(again.managed);
    CHECK(again.index == p.index);
    CHECK(again.unique_id == p.unique_id);
    CHECK(again.owner == 65534);
    CHECK(again.metric == 5);
    CHECK(again.persistent);
    CHECK(again.mtu == 1400);
    CHECK((again.flags & 1) == 1);
    // It is managed again: changes work, and new ids do not reuse old ones.
    REQUIRE(c->set_mtu(by("ps0"), 1450) == 0);
    proto::Interface fresh;
    REQUIRE(c->create("ns1", {}, fresh) == 0);
    CHECK(fresh.unique_id > n.unique_id);
    CHECK(c->destroy(by("ns1")) == 0);
    CHECK(c->destroy(by("ps0")) == 0);
}

// A restart must not be seen on the wire: a stop that is not for good (every
// SIGTERM outside systemd, unless on_stop says otherwise; under systemd, one
// that is not a stop job) destroys nothing. A stop for good spares a TAP whose
// queue a client holds. Every TAP is in the managed link group, whatever its name.
TEST_CASE("a stop for a restart leaves every TAP; a stop for good spares TAPs a client holds a queue of") {
    StateDir sd;
    proto::Interface held, idle;
    int vm_queue = -1;
    {
        test::Daemon d(sd.arg() + " --on-stop auto");
        auto c = connect(d);
        REQUIRE(c->create("vm%d", {.owner = 65534}, held) == 0);
        REQUIRE(c->create("rs0", {}, idle) == 0);
        REQUIRE(c->set_flags(by(held.name), 1, 1) == 0);
        REQUIRE(c->open_queue(by(held.name), &vm_queue) == 0);
        CHECK(test::link(held.name)["group"] == "26982");
        CHECK(test::link("rs0")["group"] == "26982");
        CHECK(d.stop() == 0);
        CHECK(slurp(d.log()).find("leaving 2 TAP(s) in place for the next start") != std::string::npos);
    }
    REQUIRE(test::link(held.name) != nullptr);
    REQUIRE(test::link("rs0") != nullptr);
    CHECK(has_flag(test::link(held.name), "LOWER_UP"));  // the client's queue kept the carrier
    CHECK(sd.has_record(idle.unique_id));
    {
        test::Daemon d(sd.arg());  // --on-stop destroy: the next stop is for good
        auto c = connect(d);
        proto::Interface a, b;
        REQUIRE(c->get(by(held.name), a) == 0);
        REQUIRE(c->get(by("rs0"), b) == 0);
        CHECK(a.managed);
        CHECK(a.index == held.index);
        CHECK(a.owner == 65534);
        CHECK(b.index == idle.index);
        CHECK(b.unique_id == idle.unique_id);
        CHECK(d.stop() == 0);
        CHECK(slurp(d.log()).find("leaving " + held.name + " in place: a client holds a queue of it") !=
              std::string::npos);
    }
    CHECK(test::link("rs0") == nullptr);
    CHECK_FALSE(sd.has_record(idle.unique_id));
    REQUIRE(test::link(held.name) != nullptr);
    CHECK(has_flag(test::link(held.name), "LOWER_UP"));
    CHECK(sd.has_record(held.unique_id));
    // --on-stop keep: no stop destroys anything.
    {
        test::Daemon d(sd.arg() + " --on-stop keep");
        auto c = connect(d);
        proto::Interface a;
        REQUIRE(c->get(by(held.name), a) == 0);  // serving: its signal handlers are in place
        ::close(vm_queue);
        CHECK(d.stop() == 0);
    }
    REQUIRE(test::link(held.name) != nullptr);
    test::Daemon d(sd.arg());
    auto c = connect(d);
    CHECK(c->destroy(by(held.name)) == 0);
    CHECK_FALSE(sd.has_record(held.unique_id));
}

// Deleting TAPs one by one costs the kernel an RCU grace period each (36 s for
// 1000 on a loaded machine, past systemd's stop timeout at 4096): a clean stop
// puts them in one link group and deletes the group (docs/persistence.md).
TEST_CASE("a clean stop destroys its TAPs at once, and no other link, whatever its group") {
    StateDir sd;
    // Links the daemon does not manage: one in a group of its own, one in the default group.
    ip("tuntap add dev fx0 mode tap");
    ip("link set fx0 group 77");
    ip("tuntap add dev fx1 mode tap");
    constexpr int kTaps = 40;
    std::vector<proto::Interface> made(kTaps);
    {
        test::Daemon d(sd.arg() + " --log-level info");
        auto c = connect(d);
        for (int i = 0; i < kTaps; ++i) REQUIRE(c->create("bs" + std::to_string(i), {}, made[i]) == 0);
        proto::Interface kept;
        REQUIRE(c->create("bp0", {.persistent = true}, kept) == 0);
        c.reset();
        CHECK(d.stop() == 0);
        CHECK(slurp(d.log()).find("destroyed " + std::to_string(kTaps) + " TAPs at once") != std::string::npos);
    }
    for (int i = 0; i < kTaps; ++i) {
        INFO("bs" << i);
        CHECK(test::link("bs" + std::to_string(i)) == nullptr);
        CHECK_FALSE(sd.has_record(made[i].unique_id));
    }
    CHECK(test::link("bp0") != nullptr);  // persistent: left in place
    REQUIRE(test::link("fx0") != nullptr);
    CHECK(test::link("fx0")["group"] == "77");
    CHECK(test::link("fx1") != nullptr);
    ip("link del bp0");
    ip("link del fx0");
    ip("link del fx1");
}

TEST_CASE("kill -9 leaves every TAP in the kernel; the next daemon re-adopts them with their queues") {
    StateDir sd;
    proto::Interface a, b;
    int client_queue = -1;
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("kq0", {.queues = 2}, a) == 0);
        REQUIRE(c->create("kq1", {.owner = 65534, .persistent = true}, b) == 0);
        REQUIRE(c->addr_add(by("kq0"), v6("2001:db8::5")) == 0);
        REQUIRE(c->set_flags(by("kq0"), 1, 1) == 0);
        REQUIRE(c->open_queue(by("kq0"), &client_queue) == 0);
        d.kill_hard();
    }
    // Nothing went with the daemon, and the client's queue still works.
    REQUIRE(test::link("kq0") != nullptr);
    REQUIRE(test::link("kq1") != nullptr);
    CHECK(has_addr(test::link("kq0"), "2001:db8::5", 64));
    CHECK(has_flag(test::link("kq0"), "LOWER_UP"));  // the client's queue keeps the carrier

    test::Daemon d(sd.arg());
    auto c = connect(d);
    proto::Interface ra, rb;
    REQUIRE(c->get(by("kq0"), ra) == 0);
    REQUIRE(c->get(by("kq1"), rb) == 0);
    CHECK(ra.managed);
    CHECK(ra.unique_id == a.unique_id);
    CHECK_FALSE(ra.persistent);
    CHECK(rb.unique_id == b.unique_id);
    CHECK(rb.owner == 65534);
    // The daemon's new queue stepped aside for the client's: one attached, one detached.
    CHECK(ra.queues == 1);
    CHECK(ra.queues_detached == 1);
    // The queue limit still counts the client's queue: one more, then EBUSY.
    int second = -1;
    REQUIRE(c->open_queue(by("kq0"), &second) == 0);
    int third = -1;
    CHECK(c->open_queue(by("kq0"), &third) == -EBUSY);
    ::close(second);
    ::close(client_queue);
    CHECK(c->destroy(by("kq0")) == 0);
    CHECK(c->destroy(by("kq1")) == 0);
}

// A name is no proof: while the daemon was away an administrator may have
// deleted a user's TAP and made another with its name. Only the recorded index
// with the recorded MAC (or the queue systemd kept) is the same device.
TEST_CASE("after kill -9, another TAP with a recorded name is reported and left unmanaged") {
    StateDir sd;
    proto::Interface gone, kept;
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("fz0", {.owner = 65534}, gone) == 0);
        REQUIRE(c->create("fp0", {.owner = 65534, .persistent = true}, kept) == 0);
        d.kill_hard();
    }
    for (const char* n : {"fz0", "fp0"}) {
        ip(std::string("link del ") + n);
        ip(std::string("tuntap add dev ") + n + " mode tap");
        ip(std::string("link set ") + n + " mtu 9000");
    }
    const json fz_before = test::link("fz0"), fp_before = test::link("fp0");

    test::Daemon d(sd.arg());
    auto c = connect(d);
    for (const char* n : {"fz0", "fp0"}) {
        INFO(n);
        proto::Interface now;
        REQUIRE(c->get(by(n), now) == 0);
        CHECK_FALSE(now.managed);
        CHECK(c->set_mtu(by(n), 1400) == -EPERM);  // not handed to the user, nor to anyone
    }
    // The kernel's TAPs are as the administrator made them.
    CHECK(test::link("fz0") == fz_before);
    CHECK(test::link("fp0") == fp_before);
    const std::string log = slurp(d.log());
    CHECK(log.find("changed while ifctld was not running") == std::string::npos);
    auto stranger = [&](const json& k, const proto::Interface& r) {
        return k["ifname"].get<std::string>() + " (index " + std::to_string(k["ifindex"].get<int>()) + ", ether " +
               k["address"].get<std::string>() + ") is not the TAP unique id " + std::to_string(r.unique_id) +
               " recorded (" + r.name + ", index " + std::to_string(r.index) + ", ether " +
               proto::format_lladdr(r.lladdr) + "): left unmanaged";
    };
    CHECK(log.find(stranger(fz_before, gone)) != std::string::npos);
    CHECK(log.find(stranger(fp_before, kept)) != std::string::npos);
    // The non-persistent record is forgotten (its TAP is gone); the persistent
    // one is kept, and every problem the summary counts is described.
    CHECK_FALSE(sd.has_record(gone.unique_id));
    CHECK(sd.has_record(kept.unique_id));
    CHECK(log.find("cannot recreate fp0 (unique id " + std::to_string(kept.unique_id) +
                   "): another interface has that name") != std::string::npos);
    CHECK(log.find(" 3 problem(s)") != std::string::npos);
    ip("link del fz0");
    ip("link del fp0");
}

TEST_CASE("after kill -9, a restart rewrites only the records of TAPs changed while it was away") {
    StateDir sd;
    proto::Interface a, b;
    auto inode = [&](uint64_t id) {
        struct stat st {};
        REQUIRE(::stat(sd.record_path(id).c_str(), &st) == 0);
        return st.st_ino;  // every write renames a new file into place
    };
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("ku0", {}, a) == 0);
        REQUIRE(c->create("ku1", {}, b) == 0);
        REQUIRE(c->addr_add(by("ku0"), v4("192.0.2.1", 24)) == 0);
        REQUIRE(eventually([&] { return sd.record(a.unique_id)["record"]["kernel"]["addresses"].size() == 1; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // past any group commit
        d.kill_hard();
    }
    const auto ino_a = inode(a.unique_id), ino_b = inode(b.unique_id);
    ip("link set ku1 mtu 1400");

    test::Daemon d(sd.arg());
    auto c = connect(d);
    proto::Interface ra;
    REQUIRE(c->get(by("ku0"), ra) == 0);
    CHECK(ra.managed);
    // The changed one is reported and rewritten by the restore pass itself.
    CHECK(sd.record(b.unique_id)["record"]["kernel"]["mtu"] == 1400);
    CHECK(inode(b.unique_id) != ino_b);
    const std::string log = slurp(d.log());
    CHECK(log.find("ku1 changed while ifctld was not running (the kernel's state is kept): mtu 1500 -> 1400") !=
          std::string::npos);
    CHECK(log.find("ku0 changed") == std::string::npos);
    // The other is left alone, also by the group commits that the restart's
    // own kernel events (its queues attached again) set off.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(inode(a.unique_id) == ino_a);
}

TEST_CASE("damaged and newer records are reported and never half-read; older ones load") {
    StateDir sd;
    fs::create_directories(sd.path + "/interfaces");
    auto write = [&](const std::string& name, const std::string& bytes) {
        std::ofstream(sd.path + "/interfaces/" + name) << bytes;
    };
    daemon::StoredInterface good;
    good.unique_id = 6;
    good.name = "dmg6";
    good.index = 60;
    good.persistent = true;
    std::string six = daemon::encode_record(good);
    six.replace(six.find("dmg6"), 4, "dmgX");  // a damaged byte: the checksum no longer matches
    write("6.json", six);
    daemon::StoredInterface torn = good;
    torn.unique_id = 5;
    const std::string five = daemon::encode_record(torn);
    write("5.json", five.substr(0, five.size() / 2));
    json newer = json::parse(daemon::encode_record(torn));
    newer["version"] = 99;
    write("7.json", newer.dump());
    // A minimal version-1 record, as an older daemon would have written it:
    // only the fields version 1 requires.
    const json old_rec{{"unique_id", 8}, {"owner", 0}, {"persistent", true}, {"kernel", {{"index", 0}, {"name", "old8"}}}};
    char sum[17];
    std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(daemon::fnv1a64(old_rec.dump())));
    write("8.json", json{{"format", "ifctld-interface"}, {"version", 1}, {"checksum", std::string("fnv1a64:") + sum},
                         {"record", old_rec}}
                        .dump());

    test::Daemon d(sd.arg());
    auto c = connect(d);  // answered only once the start-up restore is done
    const std::string log = slurp(d.log());
    CHECK(log.find("5.json: unreadable (torn or corrupt)") != std::string::npos);
    CHECK(log.find("6.json: checksum mismatch") != std::string::npos);
    CHECK(log.find("7.json: written by a newer ifctld (format version 99") != std::string::npos);
    CHECK(fs::exists(sd.path + "/interfaces/5.json.corrupt"));
    CHECK(fs::exists(sd.path + "/interfaces/6.json.corrupt"));
    CHECK(fs::exists(sd.path + "/interfaces/7.json"));  // not ours to move
    // Nothing of the damaged records was acted on.
    CHECK(test::link("dmg6") == nullptr);
    CHECK(test::link("dmgX") == nullptr);
    // The older record was read and its persistent TAP made.
    proto::Interface old;
    REQUIRE(c->get(by("old8"), old) == 0);
    CHECK(old.managed);
    CHECK(old.unique_id == 8);
    // New ids start above every id on disk, readable or not.
    proto::Interface fresh;
    REQUIRE(c->create("dmgnew", {}, fresh) == 0);
    CHECK(fresh.unique_id == 9);
    c->destroy(by("dmgnew"));
    c->destroy(by("old8"));
}

// The addresses of a link as "local/prefix", without the kernel's link-local ones.
static std::set<std::string> configured_addresses(const json& link) {
    std::set<std::string> out;
    for (const json& a : link.at("addr_info"))
        if (a.value("scope", "") != "link") out.insert(a["local"].get<std::string>() + "/" + std::to_string(a["prefixlen"].get<int>()));
    return out;
}

// kill -9 in the middle of a long batch: its client is not told it applied,
// and the next start puts back what its steps had done (the batch's intent,
// batch.json, was on disk before the first step).
TEST_CASE("a batch interrupted by kill -9 is rolled back at the next start") {
    StateDir sd;
    // Long enough to be killed half-way: 8000 addresses over 8 TAPs, within
    // the limits this daemon is given (a batch's steps, addresses per interface).
    constexpr int kTaps = 8, kPerTap = 990, kSteps = kTaps * kPerTap;
    const std::string conf = sd.path + "/../" + fs::path(sd.path).filename().string() + ".conf";
    std::ofstream(conf) << "[limits]\nmax_addresses_per_interface = 1000\nmax_addresses_per_owner = 100000\n";
    const std::string args = sd.arg() + " --config " + conf + " --log-level info";
    auto tap = [](int i) { return "bt" + std::to_string(i); };
    proto::Interface bt;
    json before;
    pid_t client = -1;
    {
        test::Daemon d(args);
        auto c = connect(d);
        for (int i = kTaps - 1; i >= 0; --i) REQUIRE(c->create(tap(i), {.owner = 65534}, bt) == 0);  // bt: bt0's
        REQUIRE(c->addr_add(by("bt0"), v4("10.20.0.1", 16)) == 0);
        REQUIRE(c->set_mtu(by("bt0"), 1400) == 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // past any group commit
        before = test::link("bt0");
        client = ::fork();
        if (client == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            std::unique_ptr<client::Connection> b;
            std::string why;
            if (client::Connection::open(d.socket(), b, why) < 0) ::_exit(2);
            std::vector<std::vector<uint8_t>> steps;
            b->start_recording(&steps);
            b->set_mtu(by("bt0"), 1300);
            for (int i = 0; i < kSteps; ++i) {
                const std::string ip = "10.21." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
                b->addr_add(by(tap(i / kPerTap)), v4(ip.c_str(), 32));
            }
            b->stop_recording();
            ::_exit(b->batch(steps) == 0 ? 0 : 1);
        }
        // Killed once the batch is well under way (bounded: 60 s).
        REQUIRE(test::eventually([&] { return test::link("bt0")["addr_info"].size() > 20; }, 60000));
        d.kill_hard();
    }
    int st = 0;
    REQUIRE(::waitpid(client, &st, 0) == client);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 1);  // not told that it applied
    size_t at_kill = 0;
    for (int i = 0; i < kTaps; ++i) at_kill += configured_addresses(test::link(tap(i))).size();
    CHECK(at_kill > 20);
    CHECK(at_kill < kSteps + 1);  // interrupted, not finished
    CHECK(test::link("bt0")["mtu"] == 1300);
    CHECK(fs::exists(sd.path + "/interfaces/batch.json"));

    test::Daemon d(args);
    auto c = connect(d);
    const json after = test::link("bt0");
    CHECK(after["mtu"] == 1400);
    for (int i = 1; i < kTaps; ++i) CHECK(configured_addresses(test::link(tap(i))).empty());
    CHECK(configured_addresses(after) == configured_addresses(before));
    CHECK(after["address"] == before["address"]);
    const json rec = sd.record(bt.unique_id)["record"];
    CHECK(rec["kernel"]["mtu"] == 1400);
    CHECK(rec["owner"] == 65534);
    CHECK_FALSE(fs::exists(sd.path + "/interfaces/batch.json"));
    const std::string log = slurp(d.log());
    CHECK(log.find("a batch of " + std::to_string(kSteps + 1) +
                   " step(s) was interrupted before it committed: rolling back its changes to " +
                   std::to_string(kTaps) + " interface(s)") != std::string::npos);
    CHECK(log.find("changed while ifctld was not running") == std::string::npos);
    proto::Interface now;
    REQUIRE(c->get(by("bt0"), now) == 0);
    CHECK(now.managed);
    CHECK(now.owner == 65534);
    CHECK(now.mtu == 1400);
    // A batch that commits leaves no intent behind.
    std::vector<std::vector<uint8_t>> steps;
    c->start_recording(&steps);
    c->set_mtu(by("bt0"), 1420);
    c->stop_recording();
    REQUIRE(c->batch(steps) == 0);
    CHECK_FALSE(fs::exists(sd.path + "/interfaces/batch.json"));
    for (int i = 0; i < kTaps; ++i) CHECK(c->destroy(by(tap(i))) == 0);
    fs::remove(conf);
}

TEST_CASE("a TAP moves into another network namespace with its owner and configuration") {
    StateDir sd;
    test::Daemon d(sd.arg());
    auto c = connect(d);
    // A child in a namespace of its own, as a container would be.
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::unshare(CLONE_NEWNET) < 0) ::_exit(1);
        char ok = 1;
        if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
        ::pause();
        ::_exit(0);
    }
    char ok = 0;
    REQUIRE(::read(ready[0], &ok, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
    const std::string in_child = "nsenter --net=/proc/" + std::to_string(child) + "/ns/net ";
    auto child_link = [&](const std::string& name) -> json {
        for (const json& l : json::parse(test::run(in_child + "ip -j -d addr show 2>/dev/null | cat")))
            if (l.value("ifname", "") == name) return l;
        return nullptr;
    };

    proto::Interface mv;
    REQUIRE(c->create("mv0", {.owner = 65534}, mv) == 0);
    REQUIRE(c->set_mtu(by("mv0"), 1420) == 0);
    REQUIRE(c->addr_add(by("mv0"), v4("10.9.0.1")) == 0);
    REQUIRE(c->addr_add(by("mv0"), v6("2001:db8:9::1")) == 0);
    REQUIRE(c->set_flags(by("mv0"), 1, 1) == 0);
    const json before = test::link("mv0");

    SECTION("by process") {
        REQUIRE(c->move_netns(by("mv0"), {.pid = static_cast<uint32_t>(child)}) == 0);
        CHECK(test::link("mv0") == nullptr);
        const json there = child_link("mv0");
        REQUIRE(there != nullptr);
        CHECK(there["mtu"] == 1420);
        CHECK(there["address"] == before["address"]);
        CHECK(has_flag(there, "UP"));
        CHECK(has_addr(there, "10.9.0.1", 24));
        CHECK(has_addr(there, "2001:db8:9::1", 64));
        CHECK(there["linkinfo"]["info_data"]["user"] == before["linkinfo"]["info_data"]["user"]);
        CHECK(there["linkinfo"]["info_data"]["persist"] == true);
        const json r = sd.record(mv.unique_id)["record"];
        CHECK(r["netns"] == "pid " + std::to_string(child));
        CHECK(r["owner"] == 65534);
    }
    SECTION("by namespace file") {
        const std::string path = "/proc/" + std::to_string(child) + "/ns/net";
        REQUIRE(c->move_netns(by("mv0"), {.path = path}) == 0);
        CHECK(test::link("mv0") == nullptr);
        const json there = child_link("mv0");
        REQUIRE(there != nullptr);
        CHECK(has_addr(there, "10.9.0.1", 24));
        CHECK(sd.record(mv.unique_id)["record"]["netns"] == path);
    }
    SECTION("a move whose configuration the namespace refuses is undone; the TAP stays managed here") {
        test::run(in_child + "sh -c 'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'");  // inet6 refused there
        const std::string where = "pid " + std::to_string(child);
        const client::Result r = c->move_netns(by("mv0"), {.pid = static_cast<uint32_t>(child)});
        CHECK(r == -EACCES);
        CHECK(r.message == "could not re-apply the configuration of mv0 in the network namespace of " + where +
                                  " (address 2001:db8:9::1/64: Permission denied): the move was undone, mv0 is here "
                                  "and managed");
        CHECK(child_link("mv0") == nullptr);
        const json here = test::link("mv0");
        REQUIRE(here != nullptr);
        CHECK(has_addr(here, "10.9.0.1", 24));
        CHECK(has_addr(here, "2001:db8:9::1", 64));
        CHECK(has_flag(here, "UP"));
        CHECK(here["mtu"] == 1420);
        CHECK(here["address"] == before["address"]);
        CHECK(sd.record(mv.unique_id)["record"]["netns"] == "");
        proto::Interface now;
        REQUIRE(c->get(by("mv0"), now) == 0);
        CHECK(now.managed);
        CHECK(now.owner == 65534);
        CHECK(c->set_mtu(by("mv0"), 1400) == 0);
        CHECK(c->destroy(by("mv0")) == 0);
    }
    SECTION("refusals change nothing") {
        CHECK(c->move_netns(by("mv0"), {.path = "/nonexistent/ns"}) == -ENOENT);
        CHECK(c->move_netns(by("mv0"), {.path = "/etc/hostname"}) == -EINVAL);
        CHECK(c->move_netns(by("mv0"), {.pid = 0x3fffffff}) == -ESRCH);
        CHECK(c->move_netns(by("lo"), {.pid = static_cast<uint32_t>(child)}) == -EPERM);  // not managed
        const json after = test::link("mv0");
        REQUIRE(after != nullptr);
        CHECK(after["addr_info"] == before["addr_info"]);
        CHECK(sd.record(mv.unique_id)["record"]["netns"] == "");
        CHECK(child_link("mv0") == nullptr);
        c->destroy(by("mv0"));
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
}

TEST_CASE("a move home whose configuration is refused here is undone: the TAP is back where it was, as it was") {
    StateDir sd;
    NamedNetns ns;
    test::Daemon d(sd.arg());
    auto c = connect(d);
    proto::Interface mv;
    REQUIRE(c->create("mh0", {.owner = 65534}, mv) == 0);
    REQUIRE(c->set_mtu(by("mh0"), 1420) == 0);
    REQUIRE(c->addr_add(by("mh0"), v4("10.7.0.1")) == 0);
    REQUIRE(c->addr_add(by("mh0"), v6("2001:db8:7::1")) == 0);
    REQUIRE(c->set_flags(by("mh0"), IFF_UP, IFF_UP) == 0);
    REQUIRE(c->move_netns(by("mh0"), {.path = ns.path()}) == 0);
    const json there_before = ns.link("mh0");
    REQUIRE(there_before != nullptr);
    REQUIRE(has_addr(there_before, "2001:db8:7::1", 64));
    {
        NoInet6Here refused;
        const client::Result r = c->move_home("mh0");
        CHECK(r == -EACCES);
        CHECK(r.message.rfind("could not re-apply the configuration of mh0 here (address ", 0) == 0);
        const std::string undone = "Permission denied): the move home was undone, mh0 is back in the network "
                                   "namespace of " + ns.path();
        CHECK(r.message.size() > undone.size());
        CHECK(r.message.substr(r.message.size() - std::min(undone.size(), r.message.size())) == undone);
    }
    // Nothing here; there, as it was.
    CHECK(test::link("mh0") == nullptr);
    proto::Interface got;
    CHECK(c->get(by("mh0"), got) == -ENODEV);
    const json there = ns.link("mh0");
    REQUIRE(there != nullptr);
    CHECK(has_addr(there, "10.7.0.1", 24));
    CHECK(has_addr(there, "2001:db8:7::1", 64));
    CHECK(has_flag(there, "UP"));
    CHECK(there["mtu"] == 1420);
    CHECK(there["address"] == there_before["address"]);
    const json rec = sd.record(mv.unique_id)["record"];
    CHECK(rec["netns"] == ns.path());
    CHECK(rec["kernel"]["name"] == "mh0");
    // Still moved away: it comes home once it can be configured here.
    REQUIRE(c->move_home("mh0") == 0);
    CHECK(ns.link("mh0") == nullptr);
    const json here = test::link("mh0");
    REQUIRE(here != nullptr);
    CHECK(has_addr(here, "10.7.0.1", 24));
    CHECK(has_addr(here, "2001:db8:7::1", 64));
    CHECK(has_flag(here, "UP"));
    CHECK(sd.record(mv.unique_id)["record"]["netns"] == "");
    REQUIRE(c->get(by("mh0"), got) == 0);
    CHECK(got.managed);
    CHECK(got.owner == 65534);
    // The audit lines say where it was before and after each move.
    const std::string log = slurp(d.log());
    const std::string present = "\"present index=" + std::to_string(got.index) + " owner=65534\"";
    CHECK(log.find("op=move-netns interface=mh0 before=\"present index=" + std::to_string(mv.index) +
                   " owner=65534\" after=absent") != std::string::npos);
    CHECK(log.find("op=move-home interface=mh0 before=absent after=absent errno=EACCES") != std::string::npos);
    CHECK(log.find("op=move-home interface=mh0 before=absent after=" + present) != std::string::npos);
    CHECK(c->destroy(by("mh0")) == 0);
}

TEST_CASE("a TAP renamed in the namespace it was moved to is known by its new name: record, move home, log") {
    StateDir sd;
    NamedNetns ns;
    proto::Interface a, b;
    test::Daemon d(sd.arg());
    auto c = connect(d);
    REQUIRE(c->create("rn0", {.persistent = true}, a) == 0);
    REQUIRE(c->create("rm0", {.persistent = true}, b) == 0);
    REQUIRE(c->addr_add(by("rn0"), v4("10.6.0.1")) == 0);
    REQUIRE(c->set_flags(by("rn0"), IFF_UP, IFF_UP) == 0);
    auto rename_there = [&](const std::string& from, const std::string& to) {
        ip("-n " + ns.name + " link set " + from + " down");
        ip("-n " + ns.name + " link set " + from + " name " + to);
        ip("-n " + ns.name + " link set " + to + " up");
    };
    auto recorded_name = [&](uint64_t id) { return sd.record(id)["record"]["kernel"]["name"].get<std::string>(); };

    REQUIRE(c->move_netns(by("rn0"), {.path = ns.path()}) == 0);
    rename_there("rn0", "rn5");
    // The record follows (the maintenance pass asks every second).
    CHECK(eventually([&] { return recorded_name(a.unique_id) == "rn5"; }));
    CHECK(c->move_home("rn0") == -ENODEV);
    REQUIRE(c->move_home("rn5") == 0);
    const json here = test::link("rn5");
    REQUIRE(here != nullptr);
    CHECK(has_addr(here, "10.6.0.1", 24));
    CHECK(has_flag(here, "UP"));
    CHECK(recorded_name(a.unique_id) == "rn5");
    CHECK(sd.record(a.unique_id)["record"]["netns"] == "");
    proto::Interface got;
    REQUIRE(c->get(by("rn5"), got) == 0);
    CHECK(got.managed);

    // Renamed just before a stop: the record the next start reads has the new name.
    REQUIRE(c->move_netns(by("rm0"), {.path = ns.path()}) == 0);
    rename_there("rm0", "rm5");
    REQUIRE(d.stop() == 0);
    CHECK(recorded_name(b.unique_id) == "rm5");
    CHECK(sd.record(b.unique_id)["record"]["netns"] == ns.path());
    const std::string log = slurp(d.log());
    CHECK(log.find("rm0 (unique id " + std::to_string(b.unique_id) + ") was renamed rm5 in the network namespace of " +
                   ns.path()) != std::string::npos);
    // The daemon's lines name the TAP that came home by the name it has.
    CHECK(log.find("leaving persistent rn5 in place") != std::string::npos);
    CHECK(log.find("leaving persistent rn0 in place") == std::string::npos);
    ip("link del rn5");
}

TEST_CASE("a TAP deleted where it was moved to is no longer moved; a persistent one is made again at the next start") {
    StateDir sd;
    proto::Interface gone, kept;
    {
        auto ns = std::make_unique<NamedNetns>();
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("gn0", {}, gone) == 0);
        REQUIRE(c->create("gp0", {.persistent = true}, kept) == 0);
        REQUIRE(c->addr_add(by("gp0"), v4("10.5.0.1")) == 0);
        REQUIRE(c->set_flags(by("gp0"), IFF_UP, IFF_UP) == 0);
        REQUIRE(c->move_netns(by("gn0"), {.path = ns->path()}) == 0);
        REQUIRE(c->move_netns(by("gp0"), {.path = ns->path()}) == 0);
        // Deleted there: move-home says it is gone, and it is forgotten.
        ip("-n " + ns->name + " link del gn0");
        const client::Result r = c->move_home("gn0");
        CHECK(r == -ENODEV);
        INFO(r.message);
        CHECK(eventually([&] { return !sd.has_record(gone.unique_id); }));
        CHECK(c->move_home("gn0") == -ENODEV);
        // Gone with its namespace: persistent, so its record says "here" again.
        const std::string where = ns->path();
        ns.reset();
        CHECK(eventually([&] { return sd.record(kept.unique_id)["record"]["netns"] == ""; }));
        CHECK(c->move_home("gp0") == -ENODEV);
        REQUIRE(d.stop() == 0);
        CHECK(slurp(d.log()).find("gp0 (unique id " + std::to_string(kept.unique_id) + "), moved to the network namespace of " +
                                  where + ", is gone (deleted there, or with its namespace): persistent, made again at "
                                  "the next start") != std::string::npos);
    }
    test::Daemon d(sd.arg());
    auto c = connect(d);
    const json here = test::link("gp0");
    REQUIRE(here != nullptr);
    CHECK(has_addr(here, "10.5.0.1", 24));
    CHECK(has_flag(here, "UP"));
    proto::Interface got;
    REQUIRE(c->get(by("gp0"), got) == 0);
    CHECK(got.managed);
    CHECK(got.unique_id == kept.unique_id);
    CHECK(c->destroy(by("gp0")) == 0);
}

// Last: it leaves this process in a fresh network namespace.
TEST_CASE("after a reboot (a fresh namespace, the same state) persistent TAPs are made again") {
    StateDir sd;
    proto::Interface p, n;
    const std::vector<uint8_t> mac{0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        // A few TAPs first, so the index is not the next free one after a reboot.
        REQUIRE(c->create("rb-n0", {}, n) == 0);
        for (int i = 0; i < 3; ++i) {
            proto::Interface x;
            REQUIRE(c->create("rbx%d", {}, x) == 0);
        }
        REQUIRE(c->create("rb0", {.owner = 65534, .group = 100, .vnet_hdr = true, .persistent = true}, p) == 0);
        REQUIRE(c->set_lladdr(by("rb0"), mac) == 0);
        REQUIRE(c->set_mtu(by("rb0"), 1400) == 0);
        REQUIRE(c->set_metric(by("rb0"), 3) == 0);
        REQUIRE(c->addr_add(by("rb0"), v4("203.0.113.7", 25)) == 0);
        REQUIRE(c->addr_add(by("rb0"), v4("203.0.113.8", 25)) == 0);  // a secondary, kept second
        REQUIRE(c->addr_add(by("rb0"), v6("2001:db8:7::7")) == 0);
        REQUIRE(c->set_flags(by("rb0"), 1, 1) == 0);
        REQUIRE(d.stop() == 0);
    }
    const json before = test::link("rb0");
    REQUIRE(before != nullptr);

    // The "reboot": a new, empty network namespace; the old one and its TAPs go.
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    REQUIRE(test::link("rb0") == nullptr);

    test::Daemon d(sd.arg());
    auto c = connect(d);  // answered only once the start-up restore is done
    const json k = test::link("rb0");
    REQUIRE(k != nullptr);
    CHECK(k["ifindex"] == p.index);
    CHECK(k["address"] == "02:00:5e:10:20:30");
    CHECK(k["mtu"] == 1400);
    CHECK(has_flag(k, "UP"));
    CHECK(k["linkinfo"]["info_data"]["user"] == before["linkinfo"]["info_data"]["user"]);
    CHECK(k["linkinfo"]["info_data"]["group"] == before["linkinfo"]["info_data"]["group"]);
    CHECK(k["linkinfo"]["info_data"]["vnet_hdr"] == true);
    REQUIRE(k["addr_info"].size() >= 3);
    CHECK(k["addr_info"][0]["local"] == "203.0.113.7");
    CHECK(k["addr_info"][1]["local"] == "203.0.113.8");
    CHECK(k["addr_info"][1].value("secondary", false));
    CHECK(has_addr(k, "2001:db8:7::7", 64));
    CHECK(test::link("rb-n0") == nullptr);
    CHECK_FALSE(sd.has_record(n.unique_id));

    proto::Interface again;
    REQUIRE(c->get(by("rb0"), again) == 0);
    CHECK(again.managed);
    CHECK(again.unique_id == p.unique_id);
    CHECK(again.owner == 65534);
    CHECK(again.metric == 3);
    CHECK(again.persistent);
    CHECK(c->destroy(by("rb0")) == 0);
}

int main(int argc, char** argv) {
    return test::run_catch_as_root(argc, argv, [] {
        test::loopback_up();
        return 0;
    });
}

// Unique-id slots (ifnet_allocate's recycling) are daemon-only state:
// a detached slot is written before its interface goes and outlives restarts.
TEST_CASE("a detached unique-id slot outlives kill -9 and clean stops; reuse gives back name, index, MAC, MTU") {
    StateDir sd;
    auto detached_records = [&] {
        int n = 0;
        for (const auto& e : fs::directory_iterator(sd.path + "/interfaces")) {
            // Records only: not the id counter, not a group commit's temporary file.
            const std::string f = e.path().filename().string();
            if (f.size() <= 5 || f.substr(f.size() - 5) != ".json" || f == "ids.json") continue;
            const json r = json::parse(slurp(e.path()));
            if (r.at("record").value("attached", true) == false) ++n;
        }
        return n;
    };
    const client::CreateOptions id77{.unique_id = 77, .unique_family = "ether"};
    const client::CreateOptions id78{.unique_id = 78, .unique_family = "ether"};
    proto::Interface first, held;
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("us0", id77, first) == 0);
        REQUIRE(c->set_mtu(by("us0"), 1300) == 0);
        REQUIRE(c->get(by("us0"), first) == 0);
        REQUIRE(c->detach(by("us0")) == 0);
        CHECK(test::link("us0") == nullptr);
        CHECK(detached_records() == 1);  // on disk before the reply
        REQUIRE(c->create("us1", id78, held) == 0);
        d.kill_hard();
    }
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        // The slot came back from the state directory: a pattern gets its name.
        proto::Interface again;
        REQUIRE(c->create("us%d", id77, again) == 0);
        CHECK(again.name == "us0");
        CHECK(again.index == first.index);
        CHECK(again.lladdr == first.lladdr);
        CHECK(again.mtu == 1300);
        CHECK(again.unique_id == 77);
        CHECK(again.unique_family == "ether");
        CHECK(detached_records() == 0);
        // us1 was re-adopted with its id: the id is in use.
        proto::Interface dup;
        CHECK(c->create("us9", id78, dup) == -EEXIST);
        CHECK(test::link("us9") == nullptr);
        REQUIRE(c->detach(by("us0")) == 0);
        CHECK(d.stop() == 0);  // a clean stop keeps detached slots
    }
    CHECK(test::link("us1") == nullptr);  // not persistent: destroyed with its slot
    test::Daemon d(sd.arg());
    auto c = connect(d);
    CHECK(detached_records() == 1);
    REQUIRE(c->forget(77, "ether") == 0);
    CHECK(detached_records() == 0);
    CHECK(c->forget(77, "ether") == -ENOENT);
    CHECK(c->forget(78, "ether") == -ENOENT);
    // Without its slot the id starts afresh, under any name.
    proto::Interface fresh;
    REQUIRE(c->create("uz0", id77, fresh) == 0);
    CHECK(fresh.unique_id == 77);
    CHECK(c->destroy(by("uz0")) == 0);
}

TEST_CASE("a persistent TAP deleted from outside is made again at once; not twice in a row; not when configured off") {
    StateDir sd;
    proto::Interface p, n;
    auto logged = [](const test::Daemon& d, const std::string& what) {
        return eventually([&] { return slurp(d.log()).find(what) != std::string::npos; });
    };
    {
        test::Daemon d(sd.arg());
        auto c = connect(d);
        REQUIRE(c->create("pr0", {.persistent = true}, p) == 0);
        REQUIRE(c->create("np0", {}, n) == 0);
        REQUIRE(c->set_mtu(by("pr0"), 1400) == 0);
        REQUIRE(c->addr_add(by("pr0"), v4("198.51.100.9")) == 0);
        REQUIRE(c->set_flags(by("pr0"), 1, 1) == 0);
        // The kernel's configuration reaches the record by group commit: the
        // last change too (the flags), which may be a commit later than the MTU.
        REQUIRE(eventually([&] {
            const json k = sd.record(p.unique_id)["record"]["kernel"];
            return k["mtu"] == 1400 && (k["flags"].get<uint32_t>() & 1);
        }));

        ip("link del pr0");
        REQUIRE(eventually([] { return test::link("pr0") != nullptr; }));
        const json k = test::link("pr0");
        CHECK(k["mtu"] == 1400);
        CHECK(has_addr(k, "198.51.100.9", 24));
        CHECK(has_flag(k, "UP"));
        proto::Interface again;
        REQUIRE(eventually([&] { return c->get(by("pr0"), again) == 0 && again.managed; }));
        CHECK(again.unique_id == p.unique_id);
        CHECK(again.persistent);

        // Deleted again at once: someone insists; the daemon does not fight.
        ip("link del pr0");
        REQUIRE(logged(d, "stays deleted until ifctld next starts"));
        proto::Interface r;
        CHECK(c->get(by("np0"), r) == 0);  // a round trip through the loop: nothing queued behind it
        CHECK(test::link("pr0") == nullptr);
        CHECK(sd.has_record(p.unique_id));

        // A non-persistent one is forgotten.
        ip("link del np0");
        REQUIRE(eventually([&] { return !sd.has_record(n.unique_id); }));
        CHECK(test::link("np0") == nullptr);
        CHECK(d.stop() == 0);
    }
    // The next start recreates it; with recreate_deleted = false a deletion stands.
    const std::string conf = sd.path + "/off.toml";
    std::ofstream(conf) << "[daemon]\nrecreate_deleted = false\n";
    test::Daemon d(sd.arg() + " --config " + conf);
    auto c = connect(d);
    REQUIRE(test::link("pr0") != nullptr);
    ip("link del pr0");
    REQUIRE(logged(d, "was deleted outside ifctld; its record is kept"));
    proto::Interface r;
    CHECK(c->get(by("lo"), r) == 0);
    CHECK(test::link("pr0") == nullptr);
    CHECK(sd.has_record(p.unique_id));
}

// A batch's records are made durable together, before its reply (one flush,
// not two per record); its new TAPs become IFF_PERSIST only then.
TEST_CASE("a batch's records are on disk before its reply; a failed batch leaves no record and no TAP") {
    StateDir sd;
    test::Daemon d(sd.arg());
    auto c = connect(d);
    auto records_named = [&](const std::string& name) {
        int n = 0;
        for (const auto& e : fs::directory_iterator(sd.path + "/interfaces")) {
            const std::string f = e.path().filename().string();
            // Temporary files come and go with the group commit running beside
            // this scan; that a commit leaves none is test-store's check.
            if (f.size() > 5 && f.substr(f.size() - 5) == ".json" && f != "ids.json" &&
                json::parse(slurp(e.path()))["record"]["kernel"]["name"] == name)
                ++n;
        }
        return n;
    };
    std::vector<std::vector<uint8_t>> steps;
    proto::Interface r;
    c->start_recording(&steps);
    REQUIRE(c->create("bt0", {}, r) == 0);
    REQUIRE(c->set_mtu(by("bt0"), 1400) == 0);
    REQUIRE(c->create("bt1", {.persistent = true}, r) == 0);
    c->stop_recording();
    REQUIRE(c->batch(steps) == 0);
    CHECK(records_named("bt0") == 1);
    CHECK(records_named("bt1") == 1);
    for (const char* n : {"bt0", "bt1"}) {
        const json k = test::ip({"-d", "link", "show", n}).at(0);
        CHECK(k["linkinfo"]["info_data"]["persist"] == true);
    }

    steps.clear();
    c->start_recording(&steps);
    REQUIRE(c->create("bt2", {}, r) == 0);
    REQUIRE(c->set_mtu(by("bt2"), 99999) == 0);
    c->stop_recording();
    std::optional<uint32_t> failed;
    CHECK(c->batch(steps, &failed) == -EINVAL);
    CHECK(failed == 1u);
    CHECK(test::link("bt2") == nullptr);
    CHECK(records_named("bt2") == 0);
    CHECK(records_named("bt0") == 1);
}

TEST_CASE("a batch that outlasts the group commit's delay commits, and its records end with its last steps") {
    // The batch yields to other clients and its interfaces' later steps mark
    // them for the group commit, which then runs while the batch's own records
    // wait to be committed under the same names.
    StateDir sd;
    test::Daemon d(sd.arg());
    auto c = connect(d);
    constexpr int kTaps = 40;  // each create, MTU and up: well over the 20 ms delay in all
    std::vector<std::vector<uint8_t>> steps;
    proto::Interface r;
    c->start_recording(&steps);
    for (int i = 0; i < kTaps; ++i) {
        const std::string name = "gc" + std::to_string(i);
        REQUIRE(c->create(name, {}, r) == 0);
        REQUIRE(c->set_mtu(by(name), 1400) == 0);
        REQUIRE(c->set_flags(by(name), IFF_UP, IFF_UP) == 0);
    }
    c->stop_recording();
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(c->batch(steps) == 0);
    INFO("the batch took " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count() << " ms");
    auto current = [&] {
        int n = 0;
        for (const auto& e : fs::directory_iterator(sd.path + "/interfaces")) {
            const std::string f = e.path().filename().string();
            if (f.size() <= 5 || f.substr(f.size() - 5) != ".json" || f == "ids.json") continue;
            const json k = json::parse(slurp(e.path()))["record"]["kernel"];
            if (k["mtu"] == 1400 && (k["flags"].get<uint32_t>() & IFF_UP)) ++n;
        }
        return n;
    };
    REQUIRE(test::eventually([&] { return current() == kTaps; }, 5000));
    // The link-local addresses the kernel adds once the links are up are not
    // written: the records stay as the batch's end wrote them.
    auto inode = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;  // every write renames a new file into place
    };
    std::map<std::string, ino_t> written;
    for (const auto& e : fs::directory_iterator(sd.path + "/interfaces"))
        if (e.path().extension() == ".json" && e.path().filename() != "ids.json") written[e.path()] = inode(e.path());
    REQUIRE(written.size() == kTaps);
    const std::string last = "gc" + std::to_string(kTaps - 1);
    REQUIRE(test::eventually([&] {  // added, and past its duplicate address detection
        const std::string shown = test::run("ip -6 -o addr show dev " + last);
        return shown.find("fe80::") != std::string::npos && shown.find("tentative") == std::string::npos;
    }, 10000));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten group commit delays
    for (const auto& [path, ino] : written) {
        INFO(path);
        CHECK(inode(path) == ino);
        CHECK(slurp(path).find("fe80::") == std::string::npos);
    }
}
