// Reconciliation, events, readiness and batches, end to end against a real
// ifctld in a private namespace: changes made with `ip` behind the daemon's
// back, subscribers with filters, a subscriber too slow to keep up, waiting
// for an interface to be up with carrier, and batches that fail half-way
// leaving the kernel exactly as it was.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "libifctl/protocol/event.hpp"
#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using proto::AttrType;
using proto::Op;
using test::connect;
using test::v4;
using json = nlohmann::json;
using client::InterfaceRef;

namespace {

// Every link with its addresses, without what moves on its own (counters,
// address lifetimes) and the queueing discipline, which the kernel attaches the
// first time an interface goes up and keeps (a rollback cannot take it back).
json kernel_state() {
    json all = test::kernel_state();
    for (json& l : all) l.erase("qdisc");
    return all;
}

json link(const std::string& name) {
    for (const json& l : kernel_state())
        if (l.value("ifname", "") == name) return l;
    return nullptr;
}


// The next event, waiting at most 10 s for it (a bound for a broken daemon,
// not a timing assertion).
proto::Event next(client::Connection& c) {
    pollfd p{c.fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    proto::Event e;
    const client::Result r = c.next_event(e);
    const int rc = r.error;
    INFO(r.message);
    REQUIRE(rc == 0);
    return e;
}

// Reads events until one matches (at most `limit`); checks that every event
// read carries the next sequence number after `seq`, which it advances.
proto::Event until(client::Connection& c, uint64_t& seq, const std::function<bool(const proto::Event&)>& want,
                   int limit = 100) {
    for (int i = 0; i < limit; ++i) {
        proto::Event e = next(c);
        INFO("event " << e.seq << " " << proto::event_kind_name(e.kind) << " " << e.name);
        CHECK(e.seq == seq + 1);
        seq = e.seq;
        if (want(e)) return e;
    }
    FAIL("no matching event among " << limit);
    return {};
}

auto kind_on(uint32_t kind, const std::string& name) {
    return [kind, name](const proto::Event& e) { return e.kind == kind && e.name == name; };
}

// Writes a daemon configuration file and returns the --config option for it.
std::string config(const std::string& dir, const std::string& text) {
    const std::string path = dir + "/ifctl.conf";
    std::ofstream(path) << text;
    return "--config " + path;
}

}  // namespace

// ============================================================================
// Reconciliation and events
// ============================================================================

TEST_CASE("changes made with ip behind the daemon's back reach the model and subscribers") {
    test::Daemon d;
    auto c = connect(d);
    auto sub = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("rc0", {}, rec) == 0);
    const uint32_t index = rec.index;
    uint64_t seq = 0;
    REQUIRE(sub->subscribe(nullptr, proto::kAllEvents, &seq) == 0);

    // No request is sent between the change and the event: the daemon reads
    // the kernel's events as they come.
    test::run("ip link set rc0 mtu 1400");
    proto::Event e = until(*sub, seq, kind_on(proto::kEvMtu, "rc0"));
    CHECK(e.mtu == 1400);
    CHECK(e.old_mtu == 1500);
    CHECK(e.index == index);
    CHECK(e.managed);

    test::run("ip addr add 10.9.0.1/24 dev rc0");
    e = until(*sub, seq, kind_on(proto::kEvAddrAdded, "rc0"));
    REQUIRE(e.address);
    CHECK(proto::format_address(e.address->family, e.address->local.data()) == "10.9.0.1");
    CHECK(e.address->prefix == 24);

    test::run("ip link set rc0 name rc1");
    e = until(*sub, seq, kind_on(proto::kEvRenamed, "rc1"));
    CHECK(e.old_name == "rc0");

    test::run("ip link set rc1 up");
    e = until(*sub, seq, kind_on(proto::kEvFlags, "rc1"));
    CHECK((e.flags & IFF_UP));
    CHECK_FALSE((e.old_flags & IFF_UP));

    test::run("ip addr del 10.9.0.1/24 dev rc1");
    e = until(*sub, seq, kind_on(proto::kEvAddrRemoved, "rc1"));
    CHECK(proto::format_address(e.address->family, e.address->local.data()) == "10.9.0.1");

    // The model follows: the daemon reports the interface as ip left it.
    REQUIRE(c->get(InterfaceRef::by_index(index), rec) == 0);
    CHECK(rec.name == "rc1");
    CHECK(rec.mtu == 1400);
    CHECK((rec.flags & IFF_UP));
    CHECK(rec.managed);

    // A managed interface deleted from outside: reported, and no longer managed.
    test::run("ip link del rc1");
    e = until(*sub, seq, kind_on(proto::kEvLinkRemoved, "rc1"));
    CHECK(e.managed);
    CHECK(c->get(InterfaceRef::by_index(index), rec) == -ENODEV);
    CHECK(c->create("rc1", {}, rec) == 0);  // the name is free and the daemon owns the new one
    e = until(*sub, seq, kind_on(proto::kEvLinkAdded, "rc1"));
    CHECK(e.managed);
}

TEST_CASE("interfaces made and removed by others are events too, not managed") {
    test::Daemon d;
    auto sub = connect(d);
    uint64_t seq = 0;
    REQUIRE(sub->subscribe(nullptr, proto::kEvLinkAdded | proto::kEvLinkRemoved, &seq) == 0);
    test::run("ip tuntap add dm0 mode tap");
    proto::Event e = next(*sub);
    CHECK(e.kind == proto::kEvLinkAdded);
    CHECK(e.name == "dm0");
    CHECK_FALSE(e.managed);
    test::run("ip link del dm0");
    e = next(*sub);
    CHECK(e.kind == proto::kEvLinkRemoved);
    CHECK(e.name == "dm0");
    CHECK_FALSE(e.managed);
}

TEST_CASE("a subscription filters by interface and by kind") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface a, b;
    REQUIRE(c->create("fa0", {}, a) == 0);
    REQUIRE(c->create("fb0", {}, b) == 0);
    auto only_b_mtu = connect(d);
    const InterfaceRef tb = InterfaceRef::by_name("fb0");
    REQUIRE(only_b_mtu->subscribe(&tb, proto::kEvMtu) == 0);
    auto all = connect(d);
    uint64_t seq = 0;
    REQUIRE(all->subscribe(nullptr, proto::kAllEvents, &seq) == 0);

    REQUIRE(c->set_mtu(InterfaceRef::by_name("fa0"), 1300) == 0);   // other interface
    REQUIRE(c->set_flags(tb, IFF_UP, IFF_UP) == 0);           // other kind
    REQUIRE(c->set_mtu(tb, 1301) == 0);
    REQUIRE(c->rename(tb, "fb1") == 0);                        // the filter follows the index
    REQUIRE(c->set_mtu(InterfaceRef::by_name("fb1"), 1302) == 0);

    proto::Event e = next(*only_b_mtu);
    CHECK(e.kind == proto::kEvMtu);
    CHECK(e.mtu == 1301);
    CHECK(e.index == b.index);
    const uint64_t first = e.seq;
    e = next(*only_b_mtu);  // nothing in between: fa0's MTU, the flags and the rename were filtered out
    CHECK(e.kind == proto::kEvMtu);
    CHECK(e.name == "fb1");
    CHECK(e.mtu == 1302);
    CHECK(e.seq > first + 1);  // numbers are daemon-wide: the filtered events used some

    // The unfiltered subscriber saw all of them, numbered one by one.
    until(*all, seq, kind_on(proto::kEvMtu, "fa0"));
    until(*all, seq, kind_on(proto::kEvFlags, "fb0"));
    until(*all, seq, kind_on(proto::kEvMtu, "fb0"));
    until(*all, seq, kind_on(proto::kEvRenamed, "fb1"));
    until(*all, seq, kind_on(proto::kEvMtu, "fb1"));
}

TEST_CASE("subscribe refuses an unknown interface, an empty or unknown kind set, and a second subscription") {
    test::Daemon d;
    auto c = connect(d);
    const InterfaceRef nope = InterfaceRef::by_name("nope0");
    const client::Result no_such = c->subscribe(&nope, proto::kAllEvents);
    CHECK(no_such == -ENODEV);
    CHECK(no_such.message == "no interface named nope0");
    proto::Writer w = c->request(Op::Subscribe);
    w.u32(wire_type(AttrType::EventKinds), 0);
    client::DecodedReply r;
    REQUIRE(c->call(w, r) == 0);
    CHECK(r.status == EINVAL);
    proto::Writer w2 = c->request(Op::Subscribe);
    w2.u32(wire_type(AttrType::EventKinds), 1u << 20);
    REQUIRE(c->call(w2, r) == 0);
    CHECK(r.status == EINVAL);
    REQUIRE(c->subscribe(nullptr, proto::kAllEvents) == 0);
    CHECK(c->subscribe(nullptr, proto::kAllEvents) == -EBUSY);
    // Requests still work on a subscribed connection; replies skip the events.
    proto::Interface rec;
    CHECK(c->create("sb0", {}, rec) == 0);
    CHECK(c->get(InterfaceRef::by_name("sb0"), rec) == 0);
}

TEST_CASE("a subscriber that does not read is dropped with a reason; others are served meanwhile") {
    const std::string dir = test::temp_dir("ifctl-events");
    test::Daemon d(config(dir, "[limits]\nmax_queued_events = 8\n"));
    auto c = connect(d);
    proto::Interface busy, quiet;
    REQUIRE(c->create("sl0", {}, busy) == 0);
    REQUIRE(c->create("sl1", {}, quiet) == 0);
    auto slow = connect(d);
    uint64_t seq = 0;
    REQUIRE(slow->subscribe(nullptr, proto::kAllEvents, &seq) == 0);
    auto other = connect(d);
    const InterfaceRef q = InterfaceRef::by_name("sl1");
    REQUIRE(other->subscribe(&q, proto::kAllEvents) == 0);

    // Far more events than the slow subscriber's socket and queue hold; the
    // daemon answers every request meanwhile.
    const InterfaceRef b = InterfaceRef::by_name("sl0");
    for (int i = 0; i < 4000; ++i) REQUIRE(c->set_mtu(b, i % 2 ? 1500 : 1400) == 0);
    REQUIRE(c->set_mtu(q, 1280) == 0);
    proto::Event e = next(*other);
    CHECK(e.kind == proto::kEvMtu);
    CHECK(e.mtu == 1280);

    // The slow one finds its events in order, then the reason it was dropped.
    int events = 0;
    std::string dropped_because;
    for (;;) {
        pollfd p{slow->fd(), POLLIN, 0};
        REQUIRE(::poll(&p, 1, 10000) == 1);
        proto::Event x;
        const client::Result r = slow->next_event(x);
        if (r == -ENOBUFS) {
            dropped_because = r.message;
            break;
        }
        REQUIRE(r == 0);
        CHECK(x.seq == seq + 1);
        seq = x.seq;
        REQUIRE(++events < 4000);
    }
    CHECK(events > 8);
    CHECK(dropped_because.find("subscription dropped: more than 8 events were waiting") == 0);
    // Its connection still answers requests, and a new subscription works.
    CHECK(slow->get(b, busy) == 0);
    CHECK(slow->subscribe(nullptr, proto::kAllEvents) == 0);
}

// ============================================================================
// Readiness
// ============================================================================

TEST_CASE("wait-ready answers once the interface is up with carrier") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("wr0", {}, rec) == 0);
    const InterfaceRef tg = InterfaceRef::by_name("wr0");
    // Down: not ready; a timeout of 0 answers at once.
    CHECK(c->wait_ready(tg, 0) == -ETIMEDOUT);
    const client::Result not_ready = c->wait_ready(tg, 100);
    CHECK(not_ready == -ETIMEDOUT);
    CHECK(not_ready.message == "not up with carrier after 100 ms");

    // The waiter's reply comes when someone else brings it up.
    auto waiter = connect(d);
    proto::Writer w = waiter->request(Op::WaitReady, &tg);
    w.u32(wire_type(AttrType::TimeoutMs), 30000);
    uint32_t id;
    REQUIRE(waiter->send(w, id) == 0);
    test::run("ip link set wr0 up");
    client::DecodedReply r;
    REQUIRE(waiter->receive(id, r) == 0);
    CHECK(r.status == 0);
    // Ready now: answered at once, without a timeout.
    CHECK(waiter->wait_ready(tg, std::nullopt) == 0);
}

TEST_CASE("wait-ready needs carrier: a TAP up without a queue is not ready until one attaches") {
    test::Daemon d;
    test::run("ip tuntap add wq0 mode tap && ip link set wq0 up");  // persistent, no queue: no carrier
    auto c = connect(d);
    const InterfaceRef tg = InterfaceRef::by_name("wq0");
    CHECK(c->wait_ready(tg, 100) == -ETIMEDOUT);  // up, but no carrier (and not managed: waiting is a read)

    proto::Writer w = c->request(Op::WaitReady, &tg);
    w.u32(wire_type(AttrType::TimeoutMs), 30000);
    uint32_t id;
    REQUIRE(c->send(w, id) == 0);
    // Attaching a queue gives the TAP carrier (tun_attach / netif_carrier_on).
    const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "wq0");
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    REQUIRE(::ioctl(fd, TUNSETIFF, &ifr) == 0);
    client::DecodedReply r;
    REQUIRE(c->receive(id, r) == 0);
    CHECK(r.status == 0);
    ::close(fd);
    test::run("ip link del wq0");
}

TEST_CASE("wait-ready on an interface deleted meanwhile fails with ENODEV; unknown ones at once") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("wd0", {}, rec) == 0);
    const InterfaceRef tg = InterfaceRef::by_name("wd0");
    CHECK(c->wait_ready(InterfaceRef::by_name("nope0"), 100) == -ENODEV);
    proto::Writer w = c->request(Op::WaitReady, &tg);
    uint32_t id;
    REQUIRE(c->send(w, id) == 0);
    test::run("ip link del wd0");
    client::DecodedReply r;
    REQUIRE(c->receive(id, r) == 0);
    CHECK(r.status == ENODEV);
    CHECK(r.message == "wd0 was deleted while waiting for it");
}

// ============================================================================
// Batches
// ============================================================================

namespace {

// Request frames, as Connection records them for a batch.
struct Steps {
    client::Connection& c;
    std::vector<std::vector<uint8_t>> frames;
    explicit Steps(client::Connection& conn) : c(conn) { c.start_recording(&frames); }
    ~Steps() { c.stop_recording(); }
    client::Result run(std::optional<uint32_t>* failed = nullptr) {
        c.stop_recording();
        return c.batch(frames, failed);
    }
};

}  // namespace

TEST_CASE("a batch applies every step") {
    test::Daemon d;
    auto c = connect(d);
    Steps s(*c);
    proto::Interface rec;
    REQUIRE(c->create("ba0", {}, rec) == 0);
    REQUIRE(c->addr_add(InterfaceRef::by_name("ba0"), v4("10.3.0.1")) == 0);
    REQUIRE(c->set_mtu(InterfaceRef::by_name("ba0"), 1400) == 0);
    REQUIRE(c->rename(InterfaceRef::by_name("ba0"), "ba1") == 0);
    REQUIRE(c->set_flags(InterfaceRef::by_name("ba1"), IFF_UP, IFF_UP) == 0);
    REQUIRE(s.frames.size() == 5);
    CHECK(link("ba0").is_null());  // recording sends nothing
    REQUIRE(s.run() == 0);
    const json l = link("ba1");
    REQUIRE_FALSE(l.is_null());
    CHECK(l["mtu"] == 1400);
    CHECK(l["addr_info"][0]["local"] == "10.3.0.1");
    CHECK(l["flags"].dump().find("\"UP\"") != std::string::npos);
    REQUIRE(c->get(InterfaceRef::by_name("ba1"), rec) == 0);
    CHECK(rec.managed);
}

TEST_CASE("a batch failing in the middle is rolled back: the kernel is as before, the step is named") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("rb0", {}, rec) == 0);
    REQUIRE(c->addr_add(InterfaceRef::by_name("rb0"), v4("10.4.0.1")) == 0);
    REQUIRE(c->addr_add(InterfaceRef::by_name("rb0"), v4("10.4.0.2")) == 0);  // a secondary
    REQUIRE(c->set_metric(InterfaceRef::by_name("rb0"), 7) == 0);
    const json before = kernel_state();
    REQUIRE(c->get(InterfaceRef::by_name("rb0"), rec) == 0);
    const proto::Interface daemon_before = rec;

    Steps s(*c);
    REQUIRE(c->create("rb1", {}, rec) == 0);                                  // 0
    REQUIRE(c->addr_add(InterfaceRef::by_name("rb1"), v4("10.5.0.1")) == 0);        // 1
    REQUIRE(c->set_mtu(InterfaceRef::by_name("rb0"), 1400) == 0);                   // 2
    REQUIRE(c->addr_replace(InterfaceRef::by_name("rb0"), v4("10.4.0.2"), v4("10.4.0.3")) == 0);  // 3
    REQUIRE(c->set_flags(InterfaceRef::by_name("rb0"), IFF_UP | IFF_PROMISC, IFF_UP | IFF_PROMISC) == 0);  // 4
    REQUIRE(c->set_metric(InterfaceRef::by_name("rb0"), 9) == 0);                   // 5
    REQUIRE(c->set_lladdr(InterfaceRef::by_name("rb0"), {0x02, 0, 0, 0, 0, 0x42}) == 0);  // 6
    REQUIRE(c->rename(InterfaceRef::by_name("rb0"), "rb2") == 0);                   // 7
    REQUIRE(c->set_txqlen(InterfaceRef::by_name("rb2"), 77) == 0);                  // 8
    REQUIRE(c->multi_add(InterfaceRef::by_name("rb2"), {0x01, 0, 0x5e, 0, 0, 9}) == 0);  // 9
    REQUIRE(c->set_mtu(InterfaceRef::by_name("rb2"), 99999) == 0);                  // 10: the kernel refuses
    REQUIRE(c->set_mtu(InterfaceRef::by_name("rb2"), 1300) == 0);                   // 11: never reached
    std::optional<uint32_t> failed;
    const client::Result r = s.run(&failed);
    CHECK(r == -EINVAL);
    CHECK(failed == 10u);
    CHECK(r.message.rfind("step 11 of 12: setting MTU 99999 on rb2: Invalid argument", 0) == 0);

    CHECK(json::diff(before, kernel_state()).dump() == "[]");
    REQUIRE(c->get(InterfaceRef::by_name("rb0"), rec) == 0);
    CHECK(rec.metric == 7);
    CHECK(rec.multicast == daemon_before.multicast);
    CHECK(c->get(InterfaceRef::by_name("rb1"), rec) == -ENODEV);
}

TEST_CASE("a batch is judged whole before anything is applied") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("jd0", {}, rec) == 0);
    const json before = kernel_state();
    struct Case {
        const char* what;
        std::function<void(client::Connection&)> record;
        int err;
        uint32_t step;
        bool unmanaged = false;
    };
    const Case cases[] = {
        {"an unknown interface",
         [](client::Connection& k) {
             proto::Interface r;
             k.create("jd1", {}, r);
             k.set_mtu(InterfaceRef::by_name("nope0"), 1400);
         },
         ENODEV, 1},
        {"an interface ifctld does not manage",
         [](client::Connection& k) {
             k.set_mtu(InterfaceRef::by_name("jd0"), 1400);
             k.set_mtu(InterfaceRef::by_name("lo"), 1400);
         },
         EPERM, 1, true},
        {"a name an earlier step renamed away",
         [](client::Connection& k) {
             k.rename(InterfaceRef::by_name("jd0"), "jd9");
             k.set_mtu(InterfaceRef::by_name("jd0"), 1400);
         },
         ENODEV, 1},
        {"an interface an earlier step destroys",
         [](client::Connection& k) {
             k.destroy(InterfaceRef::by_name("jd0"));
             k.set_mtu(InterfaceRef::by_name("jd0"), 1400);
         },
         ENODEV, 1},
    };
    for (const Case& k : cases) {
        INFO(k.what);
        Steps s(*c);
        k.record(*c);
        std::optional<uint32_t> failed;
        const client::Result r = s.run(&failed);
        CHECK(r == -k.err);
        CHECK(failed == k.step);
        CHECK(r.unmanaged == k.unmanaged);
        CHECK(json::diff(before, kernel_state()).dump() == "[]");
    }
    // A step that is not a change, and a malformed step.
    std::vector<std::vector<uint8_t>> frames;
    proto::Writer get = c->request(Op::Get, nullptr);
    get.str(wire_type(AttrType::Name), "jd0");
    frames.push_back(get.finish());
    std::optional<uint32_t> failed;
    const client::Result r = c->batch(frames, &failed);
    CHECK(r == -EINVAL);
    CHECK(r.message == "step 1 of 1: get cannot be a step of a batch");
    frames = {std::vector<uint8_t>(16, 0)};
    frames[0][0] = 16;
    CHECK(c->batch(frames, &failed) == -EOPNOTSUPP);
    CHECK(failed == 0u);
    CHECK(c->batch({}, &failed) == -EINVAL);
    CHECK(json::diff(before, kernel_state()).dump() == "[]");
}

TEST_CASE("destroys in a batch run last, so a failure after them keeps the interface") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("dz0", {}, rec) == 0);
    REQUIRE(c->create("dz1", {}, rec) == 0);
    const json before = kernel_state();
    {
        Steps s(*c);
        c->destroy(InterfaceRef::by_name("dz0"));
        c->set_mtu(InterfaceRef::by_name("dz1"), 99999);
        std::optional<uint32_t> failed;
        CHECK(s.run(&failed) == -EINVAL);
        CHECK(failed == 1u);
    }
    CHECK(json::diff(before, kernel_state()).dump() == "[]");
    Steps s(*c);
    c->destroy(InterfaceRef::by_name("dz0"));
    c->set_mtu(InterfaceRef::by_name("dz1"), 1400);
    REQUIRE(s.run() == 0);
    CHECK(link("dz0").is_null());
    CHECK(link("dz1")["mtu"] == 1400);
}

TEST_CASE("a batch larger than a frame travels in several requests and still rolls back whole") {
    test::Daemon d;
    auto c = connect(d);
    const json before = kernel_state();
    Steps s(*c);
    proto::Interface rec;
    const int n = 600;
    for (int i = 0; i < n; ++i) {
        const std::string name = "bg" + std::to_string(i);
        c->create(name, {}, rec);
        const std::string ip = "10." + std::to_string(6 + i / 200) + ".0." + std::to_string(i % 200 + 1);
        c->addr_add(InterfaceRef::by_name(name), v4(ip.c_str()));
        c->set_flags(InterfaceRef::by_name(name), IFF_UP, IFF_UP);
    }
    c->set_mtu(InterfaceRef::by_name("bg0"), 99999);
    size_t bytes = 0;
    for (const auto& f : s.frames) bytes += f.size();
    REQUIRE(bytes > proto::kMaxFrame);
    std::optional<uint32_t> failed;
    CHECK(s.run(&failed) == -EINVAL);
    CHECK(failed == static_cast<uint32_t>(3 * n));
    CHECK(json::diff(before, kernel_state()).dump() == "[]");
}

TEST_CASE("another request in the middle of a batch discards it") {
    test::Daemon d;
    auto c = connect(d);
    proto::Writer w = c->request(Op::Batch);
    proto::Writer step(static_cast<uint16_t>(Op::Create), 0, 0);
    step.str(wire_type(AttrType::NewName), "mx0");
    w.bytes(wire_type(AttrType::Step), step.finish()).u8(wire_type(AttrType::BatchContinues), 1);
    client::DecodedReply r;
    REQUIRE(c->call(w, r) == 0);
    CHECK(r.status == 0);
    std::vector<proto::Interface> all;
    CHECK(c->list(all) == -EINPROGRESS);
    CHECK(link("mx0").is_null());
    CHECK(c->list(all) == 0);  // and the connection goes on
}

// ============================================================================
// The TAPs' queueing discipline
// ============================================================================

TEST_CASE("new TAPs get the noqueue root qdisc unless tap_qdisc = \"kernel\"") {
    const std::string dir = test::temp_dir("ifctl-events");
    for (const char* setting : {"", "kernel"}) {
        INFO("tap_qdisc " << setting);
        const std::string opts = *setting ? config(dir, std::string("[daemon]\ntap_qdisc = \"") + setting + "\"\n") : "";
        test::Daemon d(opts);
        auto c = connect(d);
        proto::Interface rec;
        REQUIRE(c->create("nq0", {}, rec) == 0);
        REQUIRE(c->set_flags(InterfaceRef::by_name("nq0"), IFF_UP, IFF_UP) == 0);
        // noqueue: no per-queue pfifo_fast for the 256 queues of a multi-queue TAP;
        // the kernel's default for such a device is mq.
        CHECK(json::parse(test::run("ip -j link show nq0"))[0]["qdisc"] == (*setting ? "mq" : "noqueue"));
        REQUIRE(c->destroy(InterfaceRef::by_name("nq0")) == 0);
    }
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
