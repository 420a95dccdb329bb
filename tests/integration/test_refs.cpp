// The daemon's per-client state, end to end: per-connection references on IFF_PROMISC /
// IFF_ALLMULTI and on multicast memberships (and what a closing connection
// drops), the TAP frame filter checked with real frames, offloads against the
// kernel's ethtool view, live rename, and unique-id slots (detach, reuse with
// the same name and index, forget). Every refusal checks its errno and that
// nothing changed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "libifctl/protocol/model.hpp"
#include "libifctl/src/connection.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using proto::AttrType;
using proto::Op;
using json = nlohmann::json;
using test::connect;
using test::eventually;
using test::has_flag;
using test::kernel_view;
using test::link_groups;
using test::steady;
using Mac = std::array<uint8_t, 6>;

namespace {

constexpr Mac kG1{0x01, 0x00, 0x5e, 0x00, 0x00, 0x51};
constexpr Mac kG2{0x01, 0x00, 0x5e, 0x00, 0x00, 0x52};
constexpr Mac kG3{0x01, 0x00, 0x5e, 0x00, 0x00, 0x53};

std::string hex(const Mac& m) {
    char b[13];
    std::snprintf(b, sizeof b, "%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return b;
}

proto::Interface record(client::Connection& c, const std::string& name) {
    proto::Interface r;
    REQUIRE(c.get(client::InterfaceRef::by_name(name), r) == 0);
    return r;
}

// A request the library would not build, answered with its status.
int raw_status(client::Connection& c, proto::Writer& w, std::string* message = nullptr) {
    client::DecodedReply r;
    REQUIRE(c.call(w, r) == 0);
    if (message) *message = r.message;
    return r.status;
}

}  // namespace

TEST_CASE("promiscuous and all-multicast references are counted per connection") {
    test::Daemon d;
    auto c1 = connect(d);
    auto c2 = connect(d);
    proto::Interface rec;
    REQUIRE(c1->create("tr0", {}, rec) == 0);
    const auto tr = client::InterfaceRef::by_name("tr0");

    REQUIRE(c1->flag_ref(tr, IFF_PROMISC, true) == 0);
    CHECK(has_flag(kernel_view("tr0"), "PROMISC"));
    CHECK(record(*c1, "tr0").promisc_refs == 1);
    CHECK(c1->flag_ref(tr, IFF_PROMISC, true) == 0);  // at most one per connection
    CHECK(record(*c1, "tr0").promisc_refs == 1);
    REQUIRE(c2->flag_ref(tr, IFF_PROMISC, true) == 0);
    CHECK(record(*c1, "tr0").promisc_refs == 2);
    REQUIRE(c1->flag_ref(tr, IFF_PROMISC, false) == 0);
    CHECK(has_flag(kernel_view("tr0"), "PROMISC"));  // c2 still holds it
    CHECK(c1->flag_ref(tr, IFF_PROMISC, false) == 0);  // not held: nothing happens
    CHECK(record(*c1, "tr0").promisc_refs == 1);
    REQUIRE(c2->flag_ref(tr, IFF_PROMISC, false) == 0);
    CHECK_FALSE(has_flag(kernel_view("tr0"), "PROMISC"));
    CHECK(record(*c1, "tr0").promisc_refs == 0);

    SECTION("a plain set-flags is one more holder") {
        REQUIRE(c1->set_flags(tr, IFF_PROMISC, IFF_PROMISC) == 0);
        REQUIRE(c2->flag_ref(tr, IFF_PROMISC, true) == 0);
        REQUIRE(c1->set_flags(tr, 0, IFF_PROMISC) == 0);
        CHECK(has_flag(kernel_view("tr0"), "PROMISC"));  // c2's reference keeps it
        REQUIRE(c2->flag_ref(tr, IFF_PROMISC, false) == 0);
        CHECK_FALSE(has_flag(kernel_view("tr0"), "PROMISC"));
        // Set outside ifctld before anyone held it: kept when the last reference goes.
        test::run("ip link set tr0 promisc on");
        REQUIRE(c2->flag_ref(tr, IFF_PROMISC, true) == 0);
        REQUIRE(c2->flag_ref(tr, IFF_PROMISC, false) == 0);
        CHECK(has_flag(kernel_view("tr0"), "PROMISC"));
    }
    SECTION("all-multicast the same way") {
        REQUIRE(c1->flag_ref(tr, IFF_ALLMULTI, true) == 0);
        REQUIRE(c2->flag_ref(tr, IFF_ALLMULTI, true) == 0);
        CHECK(record(*c1, "tr0").allmulti_refs == 2);
        REQUIRE(c1->flag_ref(tr, IFF_ALLMULTI, false) == 0);
        CHECK(has_flag(kernel_view("tr0"), "ALLMULTI"));
        REQUIRE(c2->flag_ref(tr, IFF_ALLMULTI, false) == 0);
        CHECK_FALSE(has_flag(kernel_view("tr0"), "ALLMULTI"));
    }
    SECTION("a connection that closes drops its references") {
        {
            auto c3 = connect(d);
            REQUIRE(c3->flag_ref(tr, IFF_PROMISC, true) == 0);
            REQUIRE(c3->flag_ref(tr, IFF_ALLMULTI, true) == 0);
            REQUIRE(c2->flag_ref(tr, IFF_ALLMULTI, true) == 0);
        }
        CHECK(eventually([&] { return !has_flag(kernel_view("tr0"), "PROMISC"); }));
        const proto::Interface r = record(*c1, "tr0");
        CHECK(r.promisc_refs == 0);
        CHECK(r.allmulti_refs == 1);  // c2's
        CHECK(has_flag(kernel_view("tr0"), "ALLMULTI"));
    }
    SECTION("refusals: exact errno, nothing changed") {
        const json before = steady(kernel_view("tr0"));
        const client::Result bad_flag = c1->flag_ref(tr, IFF_UP, true);
        CHECK(bad_flag == -EINVAL);
        CHECK_THAT(bad_flag.message, Catch::Contains("IFF_PROMISC"));
        CHECK(c1->flag_ref(tr, IFF_PROMISC | IFF_ALLMULTI, true) == -EINVAL);
        proto::Writer w = c1->request(Op::FlagRef, &tr);
        w.u32(wire_type(AttrType::RefFlag), IFF_PROMISC).u8(wire_type(AttrType::RefOn), 2);
        CHECK(raw_status(*c1, w) == EINVAL);
        proto::Writer w2 = c1->request(Op::FlagRef, &tr);
        w2.u32(wire_type(AttrType::RefFlag), IFF_PROMISC);
        CHECK(raw_status(*c1, w2) == EINVAL);  // RefOn is required
        CHECK(c1->flag_ref(client::InterfaceRef::by_name("nosuch0"), IFF_PROMISC, true) == -ENODEV);
        test::loopback_up();
        const client::Result on_lo = c1->flag_ref(client::InterfaceRef::by_name("lo"), IFF_PROMISC, true);
        CHECK(on_lo == -EPERM);
        CHECK(on_lo.unmanaged);
        CHECK(steady(kernel_view("tr0")) == before);
        CHECK(record(*c1, "tr0").promisc_refs == 0);
    }
}

TEST_CASE("multicast memberships per connection: EADDRINUSE, ENOENT, the union, and close") {
    test::Daemon d;
    auto c1 = connect(d);
    auto c2 = connect(d);
    proto::Interface rec;
    REQUIRE(c1->create("tm0", {}, rec) == 0);
    const auto tm = client::InterfaceRef::by_name("tm0");

    REQUIRE(c1->multi_add(tm, kG1, true) == 0);
    CHECK(link_groups("tm0").count(hex(kG1)));
    const auto groups_before = link_groups("tm0");
    CHECK(c1->multi_add(tm, kG1, true) == -EADDRINUSE);
    CHECK(link_groups("tm0") == groups_before);
    REQUIRE(c2->multi_add(tm, kG1, true) == 0);
    CHECK(record(*c1, "tm0").multicast == std::vector<Mac>{kG1});  // the union: once
    REQUIRE(c1->multi_del(tm, kG1, true) == 0);
    CHECK(link_groups("tm0").count(hex(kG1)));  // c2 still holds it
    CHECK(c1->multi_del(tm, kG1, true) == -ENOENT);
    CHECK(c1->multi_del(tm, kG3, true) == -ENOENT);  // never joined
    CHECK(link_groups("tm0") == groups_before);
    REQUIRE(c2->multi_del(tm, kG1, true) == 0);
    CHECK_FALSE(link_groups("tm0").count(hex(kG1)));
    CHECK(record(*c1, "tm0").multicast.empty());

    SECTION("plain joins are one shared holder, as before") {
        REQUIRE(c1->multi_add(tm, kG2) == 0);
        CHECK(c1->multi_add(tm, kG2) == 0);  // the kernel's answer to a repeated add
        REQUIRE(c2->multi_add(tm, kG2, true) == 0);
        REQUIRE(c1->multi_del(tm, kG2) == 0);
        CHECK(link_groups("tm0").count(hex(kG2)));  // c2's membership stays
        CHECK(c1->multi_del(tm, kG2) == -ENOENT);      // no plain join left
        CHECK(c1->multi_del(tm, kG3) == -ENOENT);      // nobody holds it: the kernel's ENOENT
        REQUIRE(c2->multi_del(tm, kG2, true) == 0);
        CHECK_FALSE(link_groups("tm0").count(hex(kG2)));
    }
    SECTION("a connection that closes leaves its groups") {
        {
            auto c3 = connect(d);
            REQUIRE(c3->multi_add(tm, kG2, true) == 0);
            REQUIRE(c3->multi_add(tm, kG3, true) == 0);
            REQUIRE(c2->multi_add(tm, kG3, true) == 0);
        }
        CHECK(eventually([&] { return !link_groups("tm0").count(hex(kG2)); }));
        CHECK(link_groups("tm0").count(hex(kG3)));  // c2's
        CHECK(record(*c1, "tm0").multicast == std::vector<Mac>{kG3});
    }
}

namespace {

// Sends frames out of `ifname` through a packet socket, as the kernel's stack
// would send them to the TAP's readers. The last byte of the payload marks
// which frame it is.
struct Sender {
    int fd;
    int ifindex;
    Mac src{0x02, 0x00, 0x00, 0x00, 0x00, 0x42};
    explicit Sender(const std::string& ifname) {
        fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
        REQUIRE(ifindex > 0);
    }
    ~Sender() { ::close(fd); }
    void send(const Mac& dst, uint8_t marker) {
        uint8_t f[60] = {};
        std::memcpy(f, dst.data(), 6);
        std::memcpy(f + 6, src.data(), 6);
        f[12] = 0x88;  // EtherType 0x88b5: local experimental, nothing else sends it
        f[13] = 0xb5;
        f[59] = marker;
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = ifindex;
        to.sll_halen = 6;
        std::memcpy(to.sll_addr, dst.data(), 6);
        const ssize_t n = ::sendto(fd, f, sizeof f, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        // Under the noqueue qdisc (ifctld's default, tap_qdisc) the TAP's drop of a
        // frame its filter refuses reaches the sender at once, as ENOBUFS.
        const int e = errno;
        INFO("sendto: " << std::strerror(e));
        REQUIRE((n == static_cast<ssize_t>(sizeof f) || (n < 0 && e == ENOBUFS)));
    }
};

// Sends one frame to each destination, then a broadcast end mark, and returns
// the markers of the test frames that reached the queue before the end mark
// (frames are queued in order; other traffic is ignored).
std::set<uint8_t> received(Sender& s, int q, const std::vector<std::pair<Mac, uint8_t>>& frames) {
    for (const auto& [dst, marker] : frames) s.send(dst, marker);
    s.send({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0xee);
    std::set<uint8_t> got;
    for (int n = 0; n < 200; ++n) {  // bounded: the end mark always passes the filter
        pollfd p{q, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1) break;
        uint8_t f[2048];
        const ssize_t len = ::read(q, f, sizeof f);
        if (len < 60 || f[12] != 0x88 || f[13] != 0xb5) continue;
        if (f[59] == 0xee) return got;
        got.insert(f[59]);
    }
    FAIL("the end mark never arrived");
    return got;
}

}  // namespace

TEST_CASE("the TAP's frame filter follows memberships and flag references") {
    test::Daemon d;
    auto c1 = connect(d);
    auto c2 = connect(d);
    proto::Interface rec;
    REQUIRE(c1->create("tf0", {}, rec) == 0);
    const auto tf = client::InterfaceRef::by_name("tf0");
    REQUIRE(c1->set_flags(tf, IFF_UP, IFF_UP) == 0);
    Mac own{};
    std::copy(rec.lladdr.begin(), rec.lladdr.end(), own.begin());
    int q = -1;
    REQUIRE(c1->open_queue(tf, &q) == 0);  // the daemon's own queue steps aside: filter on a detached queue
    Sender s("tf0");
    const Mac other{0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
    const Mac bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const std::vector<std::pair<Mac, uint8_t>> frames = {{kG1, 1}, {kG2, 2}, {own, 3}, {bcast, 4}, {other, 5}};
    const std::set<uint8_t> all{1, 2, 3, 4, 5};

    // Nothing asked for: the kernel's default, every frame.
    CHECK(received(s, q, frames) == all);
    REQUIRE(c1->multi_add(tf, kG1, true) == 0);
    CHECK(received(s, q, frames) == std::set<uint8_t>{1, 3, 4});
    REQUIRE(c2->flag_ref(tf, IFF_ALLMULTI, true) == 0);
    CHECK(received(s, q, frames) == std::set<uint8_t>{1, 2, 3, 4});
    REQUIRE(c2->flag_ref(tf, IFF_PROMISC, true) == 0);
    CHECK(received(s, q, frames) == all);
    REQUIRE(c2->flag_ref(tf, IFF_PROMISC, false) == 0);
    REQUIRE(c2->flag_ref(tf, IFF_ALLMULTI, false) == 0);
    CHECK(received(s, q, frames) == std::set<uint8_t>{1, 3, 4});
    // A new own address: the filter follows it.
    const Mac own2{0x02, 0x00, 0x00, 0x00, 0x00, 0x77};
    REQUIRE(c1->set_lladdr(tf, {own2.begin(), own2.end()}) == 0);
    CHECK(received(s, q, {{own, 3}, {own2, 6}}) == std::set<uint8_t>{6});
    // The last membership goes with its connection: every frame again.
    c1.reset();
    CHECK(eventually([&] { return record(*c2, "tf0").multicast.empty(); }));
    CHECK(received(s, q, frames) == all);
    ::close(q);
}

namespace {

// The kernel's view of one offload (legacy ethtool get: the feature group is
// on in dev->features).
bool ethtool_on(const std::string& dev, uint32_t cmd) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ethtool_value v{};
    v.cmd = cmd;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, dev.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = reinterpret_cast<char*>(&v);
    const int rc = ::ioctl(s, SIOCETHTOOL, &ifr);
    ::close(s);
    REQUIRE(rc == 0);
    return v.data != 0;
}

}  // namespace

TEST_CASE("offloads: supported only with vnet_hdr, set with TUNSETOFFLOAD, seen by the kernel") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tc0", {}, rec) == 0);
    CHECK(rec.caps_supported == 0);
    CHECK(rec.caps_enabled == 0);
    const auto tc0 = client::InterfaceRef::by_name("tc0");
    const client::Result no_vnet = c->set_caps(tc0, TUN_F_CSUM);
    CHECK(no_vnet == -EINVAL);
    CHECK_THAT(no_vnet.message, Catch::Contains("without vnet_hdr"));
    CHECK(c->set_caps(tc0, 0) == 0);

    client::CreateOptions o;
    o.vnet_hdr = true;
    REQUIRE(c->create("tc1", o, rec) == 0);
    const uint32_t kAll = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | 0x20 | 0x40;  // USO4, USO6
    CHECK(rec.caps_supported == kAll);
    CHECK(rec.caps_enabled == 0);
    const auto tc1 = client::InterfaceRef::by_name("tc1");
    CHECK_FALSE(ethtool_on("tc1", ETHTOOL_GTXCSUM));

    REQUIRE(c->set_caps(tc1, TUN_F_CSUM) == 0);
    CHECK(record(*c, "tc1").caps_enabled == TUN_F_CSUM);
    CHECK(ethtool_on("tc1", ETHTOOL_GTXCSUM));
    CHECK_FALSE(ethtool_on("tc1", ETHTOOL_GTSO));
    REQUIRE(c->set_caps(tc1, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0);
    CHECK(ethtool_on("tc1", ETHTOOL_GTSO));

    // Refusals change nothing: bits outside the supported set (UFO, unknown),
    // and combinations the kernel refuses (TSO without checksum, USO4 alone).
    const json before = steady(kernel_view("tc1"));
    for (uint32_t bad : {uint32_t{TUN_F_UFO}, uint32_t{0x80}, uint32_t{TUN_F_TSO4}, uint32_t{TUN_F_CSUM | 0x20}}) {
        CAPTURE(bad);
        CHECK(c->set_caps(tc1, bad) == -EINVAL);
        CHECK(record(*c, "tc1").caps_enabled == (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
        CHECK(ethtool_on("tc1", ETHTOOL_GTSO));
    }
    CHECK(steady(kernel_view("tc1")) == before);
    REQUIRE(c->set_caps(tc1, 0) == 0);
    CHECK_FALSE(ethtool_on("tc1", ETHTOOL_GTXCSUM));
    CHECK_FALSE(ethtool_on("tc1", ETHTOOL_GTSO));
}

TEST_CASE("live rename: an interface that is up is renamed and stays up") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tl0", {}, rec) == 0);
    const uint32_t index = rec.index;
    REQUIRE(c->set_flags(client::InterfaceRef::by_name("tl0"), IFF_UP, IFF_UP) == 0);
    REQUIRE(c->rename(client::InterfaceRef::by_name("tl0"), "tl1", true) == 0);
    const json v = kernel_view("tl1");
    REQUIRE(v.is_object());
    CHECK(v["ifindex"] == index);
    CHECK(has_flag(v, "UP"));
    CHECK(kernel_view("tl0").is_null());

    const json before = steady(kernel_view("tl1"));
    CHECK(c->rename(client::InterfaceRef::by_name("tl1"), "lo", true) == -EEXIST);
    CHECK(c->rename(client::InterfaceRef::by_name("tl1"), "a/b", true) == -EINVAL);
    const auto tl1 = client::InterfaceRef::by_name("tl1");
    proto::Writer w = c->request(Op::Rename, &tl1);
    w.str(wire_type(AttrType::NewName), "tl2").u8(wire_type(AttrType::LiveRename), 2);
    CHECK(raw_status(*c, w) == EINVAL);
    CHECK(steady(kernel_view("tl1")) == before);
}

TEST_CASE("unique ids: detach keeps the slot; the same id comes back with its name and index") {
    test::Daemon d;
    auto c = connect(d);
    client::CreateOptions ether;
    ether.unique_id = 42;
    ether.unique_family = "ether";
    proto::Interface rec;
    REQUIRE(c->create("tu0", ether, rec) == 0);
    CHECK(rec.unique_id == 42);
    CHECK(rec.unique_family == "ether");
    const uint32_t index = rec.index;
    const auto tu = client::InterfaceRef::by_name("tu0");
    REQUIRE(c->set_lladdr(tu, {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}) == 0);
    REQUIRE(c->set_mtu(tu, 1400) == 0);

    // In use: EEXIST, and nothing new appears.
    const std::string links_before = test::run("ip -j link show | cat");
    const client::Result in_use = c->create("tu9", ether, rec);
    CHECK(in_use == -EEXIST);
    CHECK_THAT(in_use.message, Catch::Contains("in use by tu0"));
    CHECK(c->forget(42, "ether") == -EBUSY);
    CHECK(test::run("ip -j link show | cat") == links_before);

    // Detach: gone from the system; an interface made meanwhile takes the next index.
    REQUIRE(c->detach(tu) == 0);
    CHECK(kernel_view("tu0").is_null());
    REQUIRE(c->create("tv0", {}, rec) == 0);
    CHECK(c->create("other0", ether, rec) == -EINVAL);  // the slot's name is tu0
    CHECK(kernel_view("other0").is_null());

    REQUIRE(c->create("tap%d", ether, rec) == 0);
    CHECK(rec.name == "tu0");
    CHECK(rec.index == index);
    const json v = kernel_view("tu0");
    CHECK(v["ifindex"] == index);
    CHECK(v["address"] == "02:11:22:33:44:55");
    CHECK(v["mtu"] == 1400);
    CHECK(rec.unique_id == 42);

    SECTION("the index comes back only while free; the name must be free") {
        REQUIRE(c->detach(tu) == 0);
        test::run("ip link add tu0 type bridge");
        const std::string links = test::run("ip -j link show | cat");
        CHECK(c->create("tu0", ether, rec) == -EEXIST);
        CHECK(test::run("ip -j link show | cat") == links);
        test::run("ip link del tu0");
        test::run("ip link add name dm0 index " + std::to_string(index) + " type bridge");
        REQUIRE(c->create("tu0", ether, rec) == 0);
        CHECK(rec.name == "tu0");
        CHECK(rec.index != index);
        test::run("ip link del dm0");
    }
    SECTION("refusals and forgetting") {
        const std::string links = test::run("ip -j link show | cat");
        CHECK(c->detach(client::InterfaceRef::by_name("tv0")) == -EINVAL);  // no unique id
        CHECK(c->forget(7, "ether") == -ENOENT);
        proto::Writer w = c->request(Op::Create);
        w.str(wire_type(AttrType::NewName), "tw0").u64(wire_type(AttrType::UniqueId), 5);
        CHECK(raw_status(*c, w) == EINVAL);  // an id without its family
        proto::Writer w0 = c->request(Op::Create);
        w0.str(wire_type(AttrType::NewName), "tw0").u64(wire_type(AttrType::UniqueId), 0).str(wire_type(AttrType::UniqueFamily), "ether");
        CHECK(raw_status(*c, w0) == EINVAL);  // 0 means none
        CHECK(test::run("ip -j link show | cat") == links);
        // The same id in another family is another slot.
        client::CreateOptions other = ether;
        other.unique_family = "ieee1394";
        REQUIRE(c->create("tw0", other, rec) == 0);
        CHECK(rec.unique_family == "ieee1394");
        REQUIRE(c->destroy(client::InterfaceRef::by_name("tw0")) == 0);
        CHECK(c->forget(42, "ieee1394") == -ENOENT);  // destroy forgets the slot
        REQUIRE(c->detach(tu) == 0);
        REQUIRE(c->forget(42, "ether") == 0);
        REQUIRE(c->create("tw1", ether, rec) == 0);  // a new slot, under the name asked for
        CHECK(rec.name == "tw1");
    }
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
