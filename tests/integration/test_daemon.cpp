// ifctld end to end, over its socket: the version exchange, every way a frame
// can be bad, pipelining, TAP creation and ownership, queue descriptors, and
// what the kernel shows afterwards. Each refusal checks the errno and that the
// kernel's state did not change.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/send_fds.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using proto::AttrType;
using proto::Op;
using json = nlohmann::json;
using test::connect;
using test::eventually;
using test::kernel_view;
using test::steady;

namespace {

// A raw SEQPACKET connection, for frames the library would never send.
struct Raw {
    int fd = -1;
    explicit Raw(const std::string& path) {
        fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Raw() { ::close(fd); }
    void send(const std::vector<uint8_t>& f) { REQUIRE(::send(fd, f.data(), f.size(), 0) == static_cast<ssize_t>(f.size())); }
    void hello() {
        proto::Writer w(static_cast<uint16_t>(Op::Hello), 0, 1);
        w.u32(wire_type(AttrType::Version), proto::kVersion);
        send(w.finish());
        REQUIRE(reply().status == 0);
    }
    struct Reply {
        proto::Header h;
        int status = -1;
        std::string message;
        bool closed = false;
    };
    Reply reply() {
        Reply r;
        std::vector<uint8_t> buf(proto::kMaxFrame);
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) {
            r.closed = true;
            return r;
        }
        buf.resize(static_cast<size_t>(n));
        REQUIRE_FALSE(proto::parse_header(buf, r.h, true));
        r.status = r.h.status;
        proto::AttrIter it(std::span<const uint8_t>(buf).subspan(proto::kHeaderSize));
        proto::Attr a;
        while (it.next(a))
            if (a.type == wire_type(AttrType::Message)) r.message = a.as_str();
        return r;
    }
    bool peer_closed() {
        char b;
        return ::recv(fd, &b, 1, 0) == 0;
    }
};

std::vector<uint8_t> header_only(uint16_t op, uint32_t id, uint16_t flags = 0, int32_t status = 0) {
    std::vector<uint8_t> f(16);
    const uint32_t len = 16;
    std::memcpy(f.data(), &len, 4);
    std::memcpy(f.data() + 4, &op, 2);
    std::memcpy(f.data() + 6, &flags, 2);
    std::memcpy(f.data() + 8, &id, 4);
    std::memcpy(f.data() + 12, &status, 4);
    return f;
}

using test::v4;
using test::v6;

size_t open_fds(pid_t pid) {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) (void)e, ++n;
    return n;
}

}  // namespace

TEST_CASE("the daemon raises its open-file limit to the hard limit") {
    // Start it with a soft limit below the hard one, whatever the test was given.
    test::Daemon d("", 256, 4096);
    std::ifstream limits("/proc/" + std::to_string(d.pid()) + "/limits");
    std::string line;
    bool seen = false;
    while (std::getline(limits, line)) {
        if (line.rfind("Max open files", 0) != 0) continue;
        std::istringstream fields(line.substr(14));
        std::string soft, hard;
        fields >> soft >> hard;
        INFO(line);
        CHECK(soft == hard);
        seen = true;
    }
    CHECK(seen);
}

TEST_CASE("version exchange") {
    test::Daemon d;
    SECTION("a request before hello is refused and the connection closed") {
        Raw r(d.socket());
        r.send(header_only(static_cast<uint16_t>(Op::List), 7));
        const auto rep = r.reply();
        CHECK(rep.status == EPROTO);
        CHECK(rep.h.id == 7);
        CHECK_THAT(rep.message, Catch::Contains("hello"));
        CHECK(r.peer_closed());
    }
    SECTION("an unknown version is refused with the version the daemon speaks") {
        Raw r(d.socket());
        proto::Writer w(static_cast<uint16_t>(Op::Hello), 0, 3);
        w.u32(wire_type(AttrType::Version), 99);
        r.send(w.finish());
        const auto rep = r.reply();
        CHECK(rep.status == EPROTONOSUPPORT);
        CHECK_THAT(rep.message, Catch::Contains("version 1"));
        CHECK(r.peer_closed());
    }
    SECTION("a second hello is refused, the connection stays") {
        Raw r(d.socket());
        r.hello();
        proto::Writer w(static_cast<uint16_t>(Op::Hello), 0, 4);
        w.u32(wire_type(AttrType::Version), proto::kVersion);
        r.send(w.finish());
        CHECK(r.reply().status == EISCONN);
        r.send(header_only(static_cast<uint16_t>(Op::List), 5));
        CHECK(r.reply().status == 0);
    }
}

TEST_CASE("malformed frames get a clear error and the daemon serves on") {
    test::Daemon d;
    Raw r(d.socket());
    r.hello();
    struct Bad {
        const char* what;
        std::vector<uint8_t> frame;
        int err;
    };
    std::vector<Bad> bad;
    bad.push_back({"shorter than a header", std::vector<uint8_t>(8, 0), EBADMSG});
    {
        auto f = header_only(static_cast<uint16_t>(Op::List), 9);
        const uint32_t wrong = 32;
        std::memcpy(f.data(), &wrong, 4);
        bad.push_back({"length field disagrees", f, EBADMSG});
    }
    bad.push_back({"unknown operation", header_only(999, 10), EOPNOTSUPP});
    bad.push_back({"reply flag on a request", header_only(static_cast<uint16_t>(Op::List), 11, proto::kFlagReply), EBADMSG});
    bad.push_back({"status in a request", header_only(static_cast<uint16_t>(Op::List), 12, 0, 5), EINVAL});
    {
        proto::Writer w(static_cast<uint16_t>(Op::Get), 0, 13);
        w.u32(wire_type(AttrType::Index), 1).str(wire_type(AttrType::Name), "lo");
        bad.push_back({"both name and index", w.finish(), EINVAL});
    }
    {
        proto::Writer w(static_cast<uint16_t>(Op::SetMtu), 0, 14);
        w.str(wire_type(AttrType::Name), "lo");
        bad.push_back({"required attribute missing", w.finish(), EINVAL});
    }
    {
        proto::Writer w(static_cast<uint16_t>(Op::SetMtu), 0, 15);
        w.str(wire_type(AttrType::Name), "lo").u8(wire_type(AttrType::Mtu), 1);
        bad.push_back({"attribute of the wrong size", w.finish(), EINVAL});
    }
    {
        proto::Writer w(static_cast<uint16_t>(Op::List), 0, 16);
        w.u32(777, 1);
        bad.push_back({"unknown attribute", w.finish(), EINVAL});
    }
    {
        auto f = header_only(static_cast<uint16_t>(Op::Get), 17);
        const uint8_t attr[] = {200, 0, 3, 0};  // says 200 bytes, has 4
        f.insert(f.end(), attr, attr + 4);
        const uint32_t len = static_cast<uint32_t>(f.size());
        std::memcpy(f.data(), &len, 4);
        bad.push_back({"attribute runs past the frame", f, EBADMSG});
    }
    const json lo_before = steady(kernel_view("lo"));
    WARN(bad.size() << " malformed frames on one connection, each answered with its errno");
    for (const Bad& b : bad) {
        INFO(b.what);
        r.send(b.frame);
        const auto rep = r.reply();
        REQUIRE_FALSE(rep.closed);
        CHECK(rep.status == b.err);
        CHECK_FALSE(rep.message.empty());
    }
    SECTION("a frame longer than 64 KiB") {
        std::vector<uint8_t> huge(proto::kMaxFrame + 100, 0);
        r.send(huge);
        CHECK(r.reply().status == EMSGSIZE);
    }
    SECTION("descriptors passed with a request are closed and refused") {
        const size_t before = open_fds(d.pid());
        auto f = header_only(static_cast<uint16_t>(Op::List), 20);
        int pass[2];
        REQUIRE(::pipe(pass) == 0);
        REQUIRE(test::send_with_fds(r.fd, f, pass));
        const auto rep = r.reply();
        CHECK(rep.status == EBADMSG);
        CHECK_THAT(rep.message, Catch::Contains("descriptor"));
        CHECK(open_fds(d.pid()) == before);
        ::close(pass[0]);
        ::close(pass[1]);
    }
    CHECK(steady(kernel_view("lo")) == lo_before);
    r.send(header_only(static_cast<uint16_t>(Op::List), 30));
    CHECK(r.reply().status == 0);
}

// Runs the calling thread, and the daemon, on the one CPU the thread is on,
// until it goes out of scope.
class OneCpu {
public:
    explicit OneCpu(pid_t daemon) {
        REQUIRE(::sched_getaffinity(0, sizeof saved_, &saved_) == 0);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(::sched_getcpu(), &one);
        REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);
        REQUIRE(::sched_setaffinity(daemon, sizeof one, &one) == 0);
    }
    ~OneCpu() { ::sched_setaffinity(0, sizeof saved_, &saved_); }
    OneCpu(const OneCpu&) = delete;
    OneCpu& operator=(const OneCpu&) = delete;

private:
    cpu_set_t saved_;
};

TEST_CASE("an inet6 address added without DAD is in the answer and the next read, before the kernel announces it") {
    // The kernel announces such an address from its DAD work, queued on the
    // adding CPU: with the daemon held to one CPU that work cannot run before
    // the daemon has answered, so the record must come from the kernel's list.
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("nd0", {}, rec) == 0);
    const auto t = client::InterfaceRef::by_name("nd0");
    REQUIRE(c->set_inet6(t, true, false) == 0);
    REQUIRE(c->set_flags(t, IFF_UP, IFF_UP) == 0);
    const OneCpu pinned(d.pid());
    for (int i = 1; i <= 50; ++i) {
        const std::string ip = "fd00::" + std::to_string(i);
        INFO(ip);
        REQUIRE(c->addr_add(t, test::v6(ip.c_str())) == 0);
        proto::Interface now;
        REQUIRE(c->get(t, now) == 0);
        bool found = false;
        for (const proto::Address& a : now.addresses)
            if (a.family == AF_INET6 && a.local == test::v6(ip.c_str()).local) {
                found = true;
                CHECK((a.flags & IFA_F_NODAD) != 0);
                CHECK((a.flags & IFA_F_TENTATIVE) == 0);
            }
        CHECK(found);
    }
}

TEST_CASE("the socket has its name only once it listens") {
    // It is made under another name and renamed into place, so that a script
    // that waits for the file and then connects is never refused.
    const std::string dir = test::temp_dir("ifctl-socket-name");
    const int watch = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    REQUIRE(watch >= 0);
    REQUIRE(::inotify_add_watch(watch, dir.c_str(), IN_CREATE | IN_MOVED_TO) >= 0);
    test::Daemon d("--socket " + dir + "/ifctld.sock");
    std::vector<std::pair<std::string, uint32_t>> seen;  // name, event
    alignas(struct inotify_event) char buf[4096];
    for (ssize_t n; (n = ::read(watch, buf, sizeof buf)) > 0;)
        for (char* p = buf; p < buf + n;) {
            const auto* e = reinterpret_cast<const struct inotify_event*>(p);
            seen.emplace_back(e->len ? e->name : "", e->mask & (IN_CREATE | IN_MOVED_TO));
            p += sizeof(struct inotify_event) + e->len;
        }
    ::close(watch);
    const std::string staged = "ifctld.sock.new-" + std::to_string(d.pid());
    CHECK(seen == std::vector<std::pair<std::string, uint32_t>>{{staged, IN_CREATE}, {"ifctld.sock", IN_MOVED_TO}});
    CHECK_FALSE(std::filesystem::exists(dir + "/" + staged));
    CHECK(connect(d) != nullptr);
}

TEST_CASE("requests are pipelined and answered in order") {
    test::Daemon d;
    auto c = connect(d);
    std::vector<uint32_t> ids;
    for (int i = 0; i < 50; ++i) {
        proto::Writer w = c->request(Op::Get, nullptr);
        w.str(wire_type(AttrType::Name), i % 2 ? "lo" : "nosuch0");
        uint32_t id;
        REQUIRE(c->send(w, id) == 0);
        ids.push_back(id);
    }
    for (size_t i = 0; i < ids.size(); ++i) {
        client::DecodedReply rep;
        REQUIRE(c->receive(ids[i], rep) == 0);
        CHECK(rep.status == (i % 2 ? 0 : ENODEV));
    }
}

TEST_CASE("creating and destroying TAPs") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("vm7", {}, rec) == 0);
    CHECK(rec.name == "vm7");
    CHECK(rec.managed);
    CHECK(rec.kind == "tun");
    const json view = kernel_view("vm7");
    REQUIRE(view.is_object());
    CHECK(view["linkinfo"]["info_kind"] == "tun");
    CHECK(view["linkinfo"]["info_data"]["type"] == "tap");
    CHECK(view["linkinfo"]["info_data"]["multi_queue"] == true);

    SECTION("an existing name is refused, exclusively") {
        proto::Interface again;
        const client::Result r = c->create("vm7", {}, again);
        CHECK(r == -EEXIST);
        CHECK_THAT(r.message, Catch::Contains("already exists"));
        CHECK(c->create("lo", {}, again) == -EEXIST);
        CHECK(steady(kernel_view("vm7")) == steady(view));
    }
    SECTION("patterns pick the next free unit") {
        proto::Interface a, b;
        REQUIRE(c->create("vm%d", {}, a) == 0);
        REQUIRE(c->create("vm%d", {}, b) == 0);
        CHECK(a.name == "vm0");
        CHECK(b.name == "vm1");
    }
    SECTION("invalid names and queue counts change nothing") {
        const std::string before = test::run("ip -br link");
        proto::Interface x;
        for (const char* n : {"a/b", "a:b", "a b", ".", "..", "%d%d", "x%s"}) {
            INFO(n);
            CHECK(c->create(n, {}, x) == -EINVAL);
        }
        CHECK(c->create("ok0", {.queues = 17}, x) == -EINVAL);
        CHECK(test::run("ip -br link") == before);
    }
    SECTION("destroy removes it from the kernel") {
        REQUIRE(c->destroy(client::InterfaceRef::by_name("vm7")) == 0);
        CHECK(kernel_view("vm7").is_null());
        CHECK(c->destroy(client::InterfaceRef::by_name("vm7")) == -ENODEV);
    }
}

TEST_CASE("create options and ownership: vnet_hdr, group, owner, set-owner") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tv0", {.owner = 65534, .group = 100, .vnet_hdr = true}, rec) == 0);
    CHECK(rec.owner == 65534);
    json tun = kernel_view("tv0")["linkinfo"]["info_data"];
    CHECK(tun["vnet_hdr"] == true);
    // Owner and group are the daemon's; in the kernel the TAP is root's (docs/policy.md).
    CHECK(tun["user"] == "root");
    CHECK(tun["group"] == "root");
    REQUIRE(c->get(client::InterfaceRef::by_name("tv0"), rec) == 0);
    CHECK(rec.owner == 65534);
    // Queues handed out keep the virtio-net header (every attach sets the flag).
    int q = -1;
    REQUIRE(c->open_queue(client::InterfaceRef::by_name("tv0"), &q) == 0);
    CHECK(kernel_view("tv0")["linkinfo"]["info_data"]["vnet_hdr"] == true);
    ::close(q);

    REQUIRE(c->set_owner(client::InterfaceRef::by_name("tv0"), 0) == 0);
    REQUIRE(c->get(client::InterfaceRef::by_name("tv0"), rec) == 0);
    CHECK(rec.owner == 0);
    const client::Result r = c->set_owner(client::InterfaceRef::by_name("lo"), 0);
    CHECK(r == -EPERM);
    CHECK(r.unmanaged);
    CHECK(c->set_owner(client::InterfaceRef::by_name("nosuch0"), 0) == -ENODEV);
}

TEST_CASE("interfaces ifctld did not create are read-only through it") {
    test::loopback_up();
    test::Daemon d;
    auto c = connect(d);
    const json before = steady(kernel_view("lo"));
    proto::Interface lo;
    REQUIRE(c->get(client::InterfaceRef::by_name("lo"), lo) == 0);
    CHECK_FALSE(lo.managed);
    CHECK_FALSE(lo.may_change);
    const client::Result refused = c->set_mtu(client::InterfaceRef::by_name("lo"), 1400);
    CHECK(refused == -EPERM);
    CHECK(refused.unmanaged);
    CHECK_THAT(refused.message, Catch::Contains("not managed by ifctld"));
    CHECK(c->set_flags(client::InterfaceRef::by_name("lo"), 0, IFF_UP) == -EPERM);
    CHECK(c->destroy(client::InterfaceRef::by_name("lo")) == -EPERM);
    CHECK(c->rename(client::InterfaceRef::by_name("lo"), "lo2") == -EPERM);
    int fd = -1;
    CHECK(c->open_queue(client::InterfaceRef::by_name("lo"), &fd) == -EPERM);
    CHECK(steady(kernel_view("lo")) == before);
    CHECK(c->set_mtu(client::InterfaceRef::by_name("nosuch0"), 1400) == -ENODEV);
}

TEST_CASE("kernel refusals come back with the kernel's errno and change nothing") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tk0", {}, rec) == 0);
    const auto tk = client::InterfaceRef::by_name("tk0");
    const json before = steady(kernel_view("tk0"));
    const client::Result too_small = c->set_mtu(tk, 67);
    CHECK(too_small == -EINVAL);
    CHECK_THAT(too_small.message, Catch::Contains("68..65521"));
    CHECK(c->set_mtu(tk, 65522) == -EINVAL);
    CHECK(c->set_lladdr(tk, {0x01, 0, 0x5e, 0, 0, 1}) == -EADDRNOTAVAIL);
    CHECK(c->set_lladdr(tk, {0, 0, 0, 0, 0, 0}) == -EADDRNOTAVAIL);
    CHECK(c->rename(tk, "lo") == -EEXIST);
    // A multicast address of the wrong length never reaches the kernel.
    proto::Writer w = c->request(Op::MultiAdd, &tk);
    const uint8_t five[5] = {0x01, 0, 0x5e, 0, 1};
    w.raw(wire_type(AttrType::Lladdr), five, sizeof five);
    client::DecodedReply r;
    REQUIRE(c->call(w, r) == 0);
    CHECK(r.status == EINVAL);
    CHECK_THAT(r.message, Catch::Contains("6 bytes"));
    CHECK(steady(kernel_view("tk0")) == before);
}

TEST_CASE("address replace is all or nothing") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("ta0", {}, rec) == 0);
    const auto ta = client::InterfaceRef::by_name("ta0");
    REQUIRE(c->addr_add(ta, v4("10.0.0.1", 24)) == 0);
    REQUIRE(c->addr_add(ta, v4("10.0.0.2", 24)) == 0);
    CHECK(c->addr_add(ta, v4("10.0.0.1", 24)) == -EEXIST);
    const json before = steady(kernel_view("ta0"));

    // The old address must be there as the caller saw it.
    CHECK(c->addr_replace(ta, v4("10.0.0.9", 24), v4("10.0.0.3", 24)) == -EADDRNOTAVAIL);
    CHECK(steady(kernel_view("ta0")) == before);
    // A new address the kernel refuses: the old one is put back.
    CHECK(c->addr_replace(ta, v4("10.0.0.2", 24), v4("10.0.0.1", 24)) == -EEXIST);
    const json after = steady(kernel_view("ta0"));
    CHECK(after["addr_info"].size() == before["addr_info"].size());
    CHECK(after.dump().find("10.0.0.2") != std::string::npos);
    // A new address the kernel refuses only once the old is gone (an IPv6
    // multicast address): the old one is put back.
    REQUIRE(c->addr_add(ta, v6("2001:db8::1")) == 0);
    const json with_v6 = steady(kernel_view("ta0"));
    CHECK(c->addr_replace(ta, v6("2001:db8::1"), v6("ff02::1")) == -EADDRNOTAVAIL);
    CHECK(kernel_view("ta0").dump().find("2001:db8::1") != std::string::npos);
    CHECK(steady(kernel_view("ta0"))["addr_info"].size() == with_v6["addr_info"].size());
    // And a good one goes through.
    CHECK(c->addr_replace(ta, v4("10.0.0.2", 24), v4("10.0.0.5", 24)) == 0);
    const std::string now = kernel_view("ta0").dump();
    CHECK(now.find("10.0.0.5") != std::string::npos);
    CHECK(now.find("10.0.0.2") == std::string::npos);
}

TEST_CASE("deleting a primary address: its same-subnet aliases stay unless the kernel's cascade is asked for") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("ts0", {}, rec) == 0);
    const auto ts = client::InterfaceRef::by_name("ts0");
    auto inet_count = [&] {
        size_t n = 0;
        const json view = kernel_view("ts0");
        for (const json& a : view.at("addr_info")) n += a.at("family") == "inet";
        return n;
    };
    REQUIRE(c->addr_add(ts, v4("10.0.0.1")) == 0);
    REQUIRE(c->addr_add(ts, v4("10.0.0.2")) == 0);
    REQUIRE(c->addr_add(ts, v4("10.0.0.3")) == 0);
    REQUIRE(c->addr_del(ts, v4("10.0.0.1")) == 0);
    CHECK(inet_count() == 2);

    proto::Writer w = c->request(Op::AddrDel, &ts);
    proto::encode_address(w, AttrType::Address, v4("10.0.0.2"));
    w.u8(wire_type(AttrType::Cascade), 1);
    client::DecodedReply r;
    REQUIRE(c->call(w, r) == 0);
    CHECK(r.status == 0);
    CHECK(inet_count() == 0);
}

TEST_CASE("set-flags with an empty mask changes nothing") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tf0", {}, rec) == 0);
    const json before = steady(kernel_view("tf0"));
    CHECK(c->set_flags(client::InterfaceRef::by_name("tf0"), IFF_UP | IFF_PROMISC, 0) == 0);
    CHECK(steady(kernel_view("tf0")) == before);
}

TEST_CASE("one interface with more addresses than a frame holds does not break listing") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tbig0", {}, rec) == 0);
    REQUIRE(c->create("tsmall0", {}, rec) == 0);
    const auto big = client::InterfaceRef::by_name("tbig0");
    // The daemon itself stops at limits.max_addresses_per_interface (256), so
    // the crowd is added behind its back.
    const std::string batch = d.dir() + "/many.ip";
    {
        std::ofstream f(batch);
        for (int i = 1; i <= 1500; ++i) f << "addr add 2001:db8::" << std::hex << i << std::dec << "/64 dev tbig0 nodad\n";
    }
    test::run("ip -batch " + batch);
    CHECK(c->addr_add(big, v6("2001:db9::1")) == -ENOSPC);
    proto::Interface got;
    CHECK(c->get(big, got) == 0);  // with the addresses that fit in a frame
    CHECK(got.addresses.size() > 100);
    CHECK(got.addresses.size() < 1500);
    CHECK(c->get(big, got, true) == 0);  // brief: no addresses
    std::vector<proto::Interface> all;
    REQUIRE(c->list(all) == 0);
    bool small_has_record = false, big_listed = false;
    for (const auto& i : all) {
        small_has_record |= i.name == "tsmall0";
        big_listed |= i.name == "tbig0";
    }
    CHECK(small_has_record);
    CHECK(big_listed);
}

TEST_CASE("running out of descriptors makes the daemon wait, not spin") {
    // The daemon's own hard limit is low: it cannot accept everyone.
    // (Under UBSan this also proves that a connection which held nothing ends
    // without kernel work: the vptr check of a virtual call needs a pipe,
    // which a daemon out of descriptors cannot make.)
    auto d = std::make_unique<test::Daemon>("", 48);
    std::vector<int> clients;
    for (int i = 0; i < 80; ++i) {
        const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, d->socket().c_str(), sizeof sa.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) clients.push_back(fd);
        else ::close(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    // About ten back-offs a second, where a spinning accept loop logs hundreds of thousands.
    std::ifstream log(d->dir() + "/ifctld.log");
    size_t backoffs = 0;
    for (std::string line; std::getline(log, line);) backoffs += line.find("not accepting for 100 ms") != std::string::npos;
    CHECK(backoffs >= 1);
    CHECK(backoffs <= 30);
    // Once clients leave, it serves again.
    for (int fd : clients) ::close(fd);
    CHECK(eventually([&] {
        std::unique_ptr<client::Connection> c;
        std::string why;
        return client::Connection::open(d->socket(), c, why) == 0;
    }));
}

TEST_CASE("queue descriptors: frames reach the client, and the daemon's own queue steps aside") {
    test::loopback_up();
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tq0", {}, rec) == 0);
    const auto tq = client::InterfaceRef::by_name("tq0");
    REQUIRE(c->get(tq, rec) == 0);
    CHECK(rec.queues == 1);  // the daemon's own, attached
    CHECK(rec.queues_detached == 0);

    int q = -1;
    REQUIRE(c->open_queue(tq, &q) == 0);
    REQUIRE(q >= 0);
    CHECK((::fcntl(q, F_GETFD) & FD_CLOEXEC) != 0);
    REQUIRE(c->get(tq, rec) == 0);
    CHECK(rec.queues == 1);           // the client's
    CHECK(rec.queues_detached == 1);  // the daemon's, detached
    CHECK(rec.carrier);

    // Frames the kernel sends on tq0 arrive on the client's queue: an ARP
    // request for a neighbour on tq0's subnet.
    REQUIRE(c->addr_add(tq, v4("192.0.2.1")) == 0);
    REQUIRE(c->set_flags(tq, IFF_UP, IFF_UP) == 0);
    {
        const int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(9);
        inet_pton(AF_INET, "192.0.2.2", &to.sin_addr);
        (void)::sendto(u, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        ::close(u);
    }
    // IPv6 router solicitations or DAD may come first: read up to 16 frames
    // until the ARP request shows up.
    bool saw_arp = false;
    for (int i = 0; i < 16 && !saw_arp; ++i) {
        pollfd p{q, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 2000) == 1);
        uint8_t frame[2048];
        const ssize_t n = ::read(q, frame, sizeof frame);
        REQUIRE(n >= 14);
        saw_arp = frame[12] == 0x08 && frame[13] == 0x06;  // EtherType ARP
    }
    CHECK(saw_arp);

    // Frames the client writes arrive on the interface.
    const auto rx_before = kernel_view("tq0")["stats64"]["rx"]["packets"].get<uint64_t>();
    uint8_t out[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
    REQUIRE(::write(q, out, sizeof out) == sizeof out);
    CHECK(eventually([&] { return kernel_view("tq0")["stats64"]["rx"]["packets"].get<uint64_t>() > rx_before; }));

    // Once the client closes its queue, the daemon attaches its own again.
    ::close(q);
    CHECK(eventually([&] {
        return c->get(tq, rec) == 0 && rec.queues == 1 && rec.queues_detached == 0;
    }));
}

TEST_CASE("destroy detaches clients' queues") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tx0", {}, rec) == 0);
    int q = -1;
    REQUIRE(c->open_queue(client::InterfaceRef::by_name("tx0"), &q) == 0);
    REQUIRE(c->destroy(client::InterfaceRef::by_name("tx0")) == 0);
    CHECK(kernel_view("tx0").is_null());
    uint8_t b[64] = {};
    CHECK(::write(q, b, sizeof b) < 0);
    ::close(q);
}

TEST_CASE("ownership: a user may read, and may change only what it owns") {
    test::Daemon d;
    ::chmod(d.dir().c_str(), 0755);
    ::chmod(d.socket().c_str(), 0666);
    auto root = connect(d);
    proto::Interface rec;
    REQUIRE(root->create("to0", {}, rec) == 0);
    REQUIRE(root->create("to1", {.owner = 65534}, rec) == 0);
    CHECK(rec.owner == 65534);
    const json before = steady(kernel_view("to0"));

    int p[2];
    REQUIRE(::pipe(p) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        if (::setresgid(65534, 65534, 65534) < 0 || ::setresuid(65534, 65534, 65534) < 0) ::_exit(2);
        std::unique_ptr<client::Connection> u;
        std::string why;
        int results[7] = {99, 99, 99, 99, 99, 99, 99};
        if (client::Connection::open(d.socket(), u, why) == 0) {
            proto::Interface r;
            results[0] = u->get(client::InterfaceRef::by_name("to0"), r);
            const client::Result refused = u->set_mtu(client::InterfaceRef::by_name("to0"), 1400);  // root's
            results[1] = refused.error;
            results[2] = refused.unmanaged;
            results[3] = u->set_mtu(client::InterfaceRef::by_name("to1"), 1400);  // its own
            results[4] = u->create("to2", {}, r);
            results[5] = u->destroy(client::InterfaceRef::by_name("to0"));
            results[6] = u->set_owner(client::InterfaceRef::by_name("to1"), 65534);  // even its own
        }
        if (::write(p[1], results, sizeof results) < 0) ::_exit(3);
        ::_exit(0);
    }
    ::close(p[1]);
    int results[7] = {};
    REQUIRE(::read(p[0], results, sizeof results) == sizeof results);
    ::close(p[0]);
    int status;
    ::waitpid(pid, &status, 0);
    CHECK(results[0] == 0);
    CHECK(results[1] == -EPERM);
    CHECK(results[2] == 0);  // refused for ownership, not because it is unmanaged
    CHECK(results[3] == 0);
    CHECK(results[4] == -EPERM);
    CHECK(results[5] == -EPERM);
    CHECK(results[6] == -EPERM);
    CHECK(steady(kernel_view("to0")) == before);
    CHECK(kernel_view("to2").is_null());
    CHECK(kernel_view("to1")["mtu"] == 1400);
}

// Every header field and attribute shape at and just past its limits: a clear
// errno for each, the connection stays usable, and nothing changes.
TEST_CASE("every protocol field at its boundaries") {
    test::Daemon d;
    {
        auto c = connect(d);
        proto::Interface rec;
        REQUIRE(c->create("bd0", {}, rec) == 0);
    }
    const json before = steady(kernel_view("bd0"));
    Raw r(d.socket());
    r.hello();

    auto with_len = [](std::vector<uint8_t> f, uint32_t len) {
        std::memcpy(f.data(), &len, 4);
        return f;
    };
    // A request from raw attribute bytes (the header's length is set to fit).
    auto frame = [](uint16_t op, const std::vector<uint8_t>& attrs, uint32_t id = 1) {
        auto f = header_only(op, id);
        f.insert(f.end(), attrs.begin(), attrs.end());
        const uint32_t len = static_cast<uint32_t>(f.size());
        std::memcpy(f.data(), &len, 4);
        return f;
    };
    auto attr = [](uint16_t type, const std::vector<uint8_t>& payload, bool pad = true) {
        const uint16_t len = static_cast<uint16_t>(4 + payload.size());
        // Sized once and filled by memcpy (g++ 12 warns wrongly about insert here).
        std::vector<uint8_t> a(pad ? proto::align4(len) : len, 0);
        std::memcpy(a.data(), &len, 2);
        std::memcpy(a.data() + 2, &type, 2);
        if (!payload.empty()) std::memcpy(a.data() + 4, payload.data(), payload.size());
        return a;
    };
    auto str = [](const std::string& s) { return std::vector<uint8_t>(s.c_str(), s.c_str() + s.size() + 1); };
    auto cat = [](std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    auto addr = [&](uint8_t family, std::vector<uint8_t> local, uint8_t prefix) {
        return attr(wire_type(AttrType::Address), cat(cat(attr(wire_type(AttrType::AddrFamily), {family}), attr(wire_type(AttrType::AddrLocal), std::move(local))),
                                       attr(wire_type(AttrType::AddrPrefix), {prefix})));
    };
    const uint16_t list = static_cast<uint16_t>(Op::List), get = static_cast<uint16_t>(Op::Get),
                   mtu = static_cast<uint16_t>(Op::SetMtu), del = static_cast<uint16_t>(Op::AddrDel),
                   ll = static_cast<uint16_t>(Op::SetLladdr);
    const auto bd0 = attr(wire_type(AttrType::Name), str("bd0"));
    const std::vector<uint8_t> u32_1400 = {0x78, 0x05, 0, 0};

    struct Case {
        const char* what;
        std::vector<uint8_t> frame;
        int err;  // 0: accepted
    };
    const std::vector<Case> cases = {
        // header: size and length field
        {"15-byte datagram", std::vector<uint8_t>(15, 0), EBADMSG},
        {"16-byte request, no attributes", header_only(list, 2), 0},
        {"length field one more than the datagram", with_len(header_only(list, 3), 17), EBADMSG},
        {"length field one less than the datagram", with_len(header_only(list, 4), 15), EBADMSG},
        {"length field 0xffffffff", with_len(header_only(list, 5), 0xffffffffu), EBADMSG},
        // header: operation, flags, id, status
        {"operation 0", header_only(0, 6), EOPNOTSUPP},
        {"operation 0xffff", header_only(0xffff, 7), EOPNOTSUPP},
        {"unknown flag 0x8", header_only(list, 8, 0x8), EINVAL},
        {"unknown flag 0x8000", header_only(list, 9, 0x8000), EINVAL},
        {"more flag on a request", header_only(list, 10, proto::kFlagMore), EBADMSG},
        {"event flag on a request", header_only(list, 11, proto::kFlagEvent), EBADMSG},
        {"status -1", header_only(list, 12, 0, -1), EINVAL},
        {"status INT32_MAX", header_only(list, 13, 0, 0x7fffffff), EINVAL},
        {"id 0", header_only(list, 0), 0},
        {"id 0xffffffff", header_only(list, 0xffffffffu), 0},
        // attribute headers
        {"attribute length 0", frame(get, {0, 0, 3, 0}), EBADMSG},
        {"attribute length 3", frame(get, {3, 0, 3, 0}), EBADMSG},
        {"three bytes after the last attribute", frame(get, cat(bd0, {1, 2, 3})), EBADMSG},
        {"last attribute unpadded", frame(get, attr(wire_type(AttrType::Name), str("bd"), false)), ENODEV},
        {"attribute type 0", frame(list, attr(0, {})), EINVAL},
        {"attribute type 0xffff", frame(list, attr(0xffff, {})), EINVAL},
        // fixed-size attributes
        {"u32 with 3 bytes", frame(mtu, cat(bd0, attr(wire_type(AttrType::Mtu), {0x78, 0x05, 0}))), EINVAL},
        {"u32 with 5 bytes", frame(mtu, cat(bd0, attr(wire_type(AttrType::Mtu), {0x78, 0x05, 0, 0, 0}))), EINVAL},
        {"u32 with no bytes", frame(mtu, cat(bd0, attr(wire_type(AttrType::Mtu), {}))), EINVAL},
        {"required attribute twice", frame(mtu, cat(cat(bd0, attr(wire_type(AttrType::Mtu), u32_1400)), attr(wire_type(AttrType::Mtu), u32_1400))), EINVAL},
        // strings
        {"name of 15 characters", frame(get, attr(wire_type(AttrType::Name), str(std::string(15, 'n')))), ENODEV},
        {"name of 16 characters", frame(get, attr(wire_type(AttrType::Name), str(std::string(16, 'n')))), EINVAL},
        {"empty name", frame(get, attr(wire_type(AttrType::Name), str(""))), EINVAL},
        {"name without its NUL", frame(get, attr(wire_type(AttrType::Name), {'b', 'd', '0'})), EINVAL},
        {"name with an embedded NUL", frame(get, attr(wire_type(AttrType::Name), {'b', 'd', 0, '0', 0})), EINVAL},
        {"string with no bytes at all", frame(get, attr(wire_type(AttrType::Name), {})), EINVAL},
        // bytes
        {"link-level address of 33 bytes", frame(ll, cat(bd0, attr(wire_type(AttrType::Lladdr), std::vector<uint8_t>(33, 2)))), EINVAL},
        // nested addresses
        {"address family 3", frame(del, cat(bd0, addr(3, {10, 0, 0, 1}, 24))), EAFNOSUPPORT},
        {"inet address of 5 bytes", frame(del, cat(bd0, addr(AF_INET, {10, 0, 0, 1, 0}, 24))), EINVAL},
        {"inet prefix 33", frame(del, cat(bd0, addr(AF_INET, {10, 0, 0, 1}, 33))), EINVAL},
        {"inet prefix 32 (valid; no such address)", frame(del, cat(bd0, addr(AF_INET, {10, 0, 0, 1}, 32))), EADDRNOTAVAIL},
        {"inet6 prefix 129", frame(del, cat(bd0, addr(AF_INET6, std::vector<uint8_t>(16, 0x20), 129))), EINVAL},
        {"address without its prefix",
         frame(del, cat(bd0, attr(wire_type(AttrType::Address), cat(attr(wire_type(AttrType::AddrFamily), {AF_INET}), attr(wire_type(AttrType::AddrLocal), {10, 0, 0, 1}))))),
         EINVAL},
        {"nested attribute running past its parent",
         frame(del, cat(bd0, attr(wire_type(AttrType::Address), {40, 0, static_cast<uint8_t>(wire_type(AttrType::AddrFamily)), 0, AF_INET, 0, 0, 0}))),
         EBADMSG},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        r.send(c.frame);
        const auto rep = r.reply();
        REQUIRE_FALSE(rep.closed);
        CHECK(rep.status == c.err);
        if (c.err) CHECK_FALSE(rep.message.empty());
        if (c.frame.size() >= 12) {
            uint32_t id;
            std::memcpy(&id, c.frame.data() + 8, 4);
            CHECK(rep.h.id == id);  // even a refusal names the request it answers
        }
    }
    CHECK(steady(kernel_view("bd0")) == before);
    WARN(cases.size() << " frames with a field at or past its boundary: each refused with its errno, nothing changed");
    r.send(header_only(list, 99));
    CHECK(r.reply().status == 0);
}

TEST_CASE("a client that half-closes gets every answer before the daemon closes") {
    test::Daemon d;
    Raw r(d.socket());
    r.hello();
    for (uint32_t id = 10; id < 20; ++id) r.send(header_only(static_cast<uint16_t>(Op::List), id));
    REQUIRE(::shutdown(r.fd, SHUT_WR) == 0);
    for (uint32_t id = 10; id < 20; ++id) {
        Raw::Reply rep;
        do rep = r.reply();  // a long list may come in several frames
        while (!rep.closed && (rep.h.flags & proto::kFlagMore));
        REQUIRE_FALSE(rep.closed);
        CHECK(rep.status == 0);
        CHECK(rep.h.id == id);
    }
    CHECK(r.peer_closed());
    // A client that stops reading (SHUT_RD) and keeps sending: the daemon's
    // replies fail (EPIPE) and it drops the connection, so the client's later
    // sends may fail too; the daemon serves on.
    Raw q(d.socket());
    q.hello();
    REQUIRE(::shutdown(q.fd, SHUT_RD) == 0);
    for (uint32_t id = 30; id < 40; ++id) {
        const auto f = header_only(static_cast<uint16_t>(Op::List), id);
        if (::send(q.fd, f.data(), f.size(), MSG_NOSIGNAL) < 0) {
            CHECK((errno == EPIPE || errno == ECONNRESET));
            break;
        }
    }
    auto c = connect(d);
    std::vector<proto::Interface> all;
    CHECK(c->list(all) == 0);
}

// The kernel is not the daemon's alone: an interface can vanish between the
// daemon's look-up and its change. Each answer is then success or ENODEV (never
// an internal error), and the daemon forgets the interface.
TEST_CASE("an interface deleted by someone else while changes to it are under way") {
    test::Daemon d;
    auto c = connect(d);
    for (int round = 0; round < 10; ++round) {
        INFO("round " << round);
        proto::Interface rec;
        REQUIRE(c->create("rc0", {}, rec) == 0);
        std::vector<uint32_t> ids;
        for (int i = 0; i < 40; ++i) {
            if (i == 20 - round) {  // the deletion lands somewhere in the stream
                const pid_t pid = ::fork();
                REQUIRE(pid >= 0);
                if (pid == 0) {
                    ::execlp("ip", "ip", "link", "del", "rc0", static_cast<char*>(nullptr));
                    ::_exit(127);
                }
                int status = 0;
                REQUIRE(::waitpid(pid, &status, 0) == pid);
                REQUIRE(WIFEXITED(status));
                REQUIRE(WEXITSTATUS(status) == 0);
            }
            const client::InterfaceRef tgt = client::InterfaceRef::by_name("rc0");
            proto::Writer w = c->request(Op::SetMtu, &tgt);
            w.u32(wire_type(AttrType::Mtu), 1300 + static_cast<uint32_t>(i));
            uint32_t id;
            REQUIRE(c->send(w, id) == 0);
            ids.push_back(id);
        }
        int gone = 0;
        for (uint32_t id : ids) {
            client::DecodedReply rep;
            REQUIRE(c->receive(id, rep) == 0);
            INFO(rep.message);
            CHECK((rep.status == 0 || rep.status == ENODEV));
            gone += rep.status == ENODEV;
        }
        CHECK(gone > 0);  // the last requests were sent after the deletion had returned
        proto::Interface after;
        CHECK(c->get(client::InterfaceRef::by_name("rc0"), after) == -ENODEV);
        std::vector<proto::Interface> all;
        REQUIRE(c->list(all) == 0);
        for (const auto& i : all) CHECK(i.name != "rc0");
    }
    CHECK(kernel_view("rc0").is_null());
}

TEST_CASE("a batch whose first part is refused is refused whole: its later parts never run") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tfull0", {}, rec) == 0);
    REQUIRE(c->create("tother0", {}, rec) == 0);
    const auto full = client::InterfaceRef::by_name("tfull0"), other = client::InterfaceRef::by_name("tother0");
    // More addresses than one interface may carry (limits.max_addresses_per_interface,
    // 256), all in the first part; the later parts alone would be acceptable.
    std::vector<std::vector<uint8_t>> steps;
    c->start_recording(&steps);
    for (int i = 0; i < 300; ++i)
        c->addr_add(full, v4(("10.30." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)).c_str(), 32));
    for (int i = 0; i < 3000; ++i) c->set_mtu(other, 1300 + static_cast<uint32_t>(i % 100));
    c->stop_recording();
    const json before = test::kernel_state();
    CHECK(c->batch(steps) == -ENOSPC);
    CHECK(test::kernel_state() == before);
    // The connection serves the next batch as a new one.
    steps.clear();
    c->start_recording(&steps);
    c->set_mtu(other, 1280);
    c->stop_recording();
    CHECK(c->batch(steps) == 0);
    REQUIRE(c->get(other, rec) == 0);
    CHECK(rec.mtu == 1280);
}

TEST_CASE("a client that disappears mid-conversation does not disturb the daemon") {
    test::Daemon d;
    for (int i = 0; i < 20; ++i) {
        Raw r(d.socket());
        r.hello();
        for (int k = 0; k < 20; ++k) r.send(header_only(static_cast<uint16_t>(Op::List), 100 + k));
        // closes without reading a single reply
    }
    auto c = connect(d);
    std::vector<proto::Interface> all;
    CHECK(c->list(all) == 0);
}

TEST_CASE("lifecycle: one daemon per socket and state directory, clean stop") {
    test::Daemon d;
    auto c = connect(d);
    proto::Interface rec;
    REQUIRE(c->create("tl0", {}, rec) == 0);
    const char* exe = std::getenv("IFCTLD");

    SECTION("a second daemon on the same socket refuses to start") {
        const std::string out = test::run(std::string(exe) + " --foreground --socket " + d.socket() + " --state-dir " +
                                          d.dir() + "/other 2>&1; echo exit=$?");
        CHECK_THAT(out, Catch::Contains("another ifctld is already serving"));
        CHECK_THAT(out, Catch::Contains("exit=1"));
    }
    SECTION("a second daemon on the same state directory refuses to start") {
        const std::string out = test::run(std::string(exe) + " --foreground --socket " + d.dir() + "/s2.sock --state-dir " +
                                          d.dir() + "/state 2>&1; echo exit=$?");
        CHECK_THAT(out, Catch::Contains("is locked"));
        CHECK_THAT(out, Catch::Contains("exit=1"));
    }
    SECTION("a stop for good (--on-stop destroy) destroys the daemon's TAPs and removes the socket") {
        c.reset();
        const int st = d.stop();
        CHECK(WIFEXITED(st));
        CHECK(WEXITSTATUS(st) == 0);
        CHECK(kernel_view("tl0").is_null());
        CHECK_FALSE(std::filesystem::exists(d.socket()));
    }
}

TEST_CASE("without --foreground, ifctld detaches once it serves and stops on SIGTERM") {
    // The way a hand-run daemon starts outside systemd: the command returns 0
    // only when the detached process answers on its socket, which logs to syslog.
    const char* exe = std::getenv("IFCTLD");
    const std::string dir = test::temp_dir("ifctl-bg");
    const std::string sock = dir + "/s.sock";
    const std::string out = test::run("env -u NOTIFY_SOCKET " + std::string(exe) + " --socket " + sock +
                                      " --state-dir " + dir + "/state --on-stop destroy 2>&1; echo exit=$?");
    // Its pid (the connection's SO_PEERCRED would name the process that
    // listened: the parent, gone). Killed at the end whatever happens.
    const pid_t pid = static_cast<pid_t>(std::atoi(test::run("pgrep -f -- ' --socket " + sock + " '").c_str()));
    struct KillAtEnd {
        pid_t pid;
        ~KillAtEnd() {
            if (pid > 0) ::kill(pid, SIGKILL);
        }
    } guard{pid};
    REQUIRE_THAT(out, Catch::Contains("exit=0"));
    REQUIRE(pid > 0);
    CHECK(::getsid(pid) == pid);  // it leads a session of its own

    std::unique_ptr<client::Connection> c;
    std::string why;
    REQUIRE(client::Connection::open(sock, c, why) == 0);
    proto::Interface rec;
    REQUIRE(c->create("bg0", {}, rec) == 0);
    CHECK_FALSE(kernel_view("bg0").is_null());
    c.reset();

    REQUIRE(::kill(pid, SIGTERM) == 0);
    // Gone, or a zombie waiting for whoever adopted it (no init reaps in some containers).
    auto exited = [pid] {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return true;
        const auto paren = line.rfind(')');
        return paren != std::string::npos && line.compare(paren + 1, 2, " Z") == 0;
    };
    if (eventually(exited, 10000)) guard.pid = 0;  // its number may be reused
    CHECK(guard.pid == 0);
    CHECK(kernel_view("bg0").is_null());
    CHECK_FALSE(std::filesystem::exists(sock));
}

TEST_CASE("configuration files: errors name file, line and column; the defaults check clean") {
    const char* exe = std::getenv("IFCTLD");
    const std::string dir = test::temp_dir("ifctl-conf");
    auto check = [&](const std::string& text) {
        std::ofstream(dir + "/c.toml") << text;
        return test::run(std::string(exe) + " --check-config " + dir + "/c.toml 2>&1; echo exit=$?");
    };
    const std::string defaults = test::run(std::string(exe) + " --print-config");
    CHECK_THAT(check(defaults), Catch::Contains("c.toml: ok") && Catch::Contains("exit=0"));
    CHECK_THAT(check("[daemon]\nsocket = \n"), Catch::Contains("c.toml:2:") && Catch::Contains("exit=1"));
    CHECK_THAT(check("[daemon]\nsockt = \"/x\"\n"),
               Catch::Contains("c.toml:2:1: unknown key \"sockt\" in [daemon]") && Catch::Contains("exit=1"));
    CHECK_THAT(check("[limits]\nmax_queues = 0\n"), Catch::Contains("max_queues must be 1..256") && Catch::Contains("exit=1"));
    CHECK_THAT(check("[daemon]\nlog_level = \"loud\"\n"), Catch::Contains("unknown log level") && Catch::Contains("exit=1"));
    CHECK_THAT(check("[daemon]\non_stop = \"sometimes\"\n"),
               Catch::Contains("c.toml:2:11: on_stop must be \"auto\", \"keep\" or \"destroy\"") &&
                   Catch::Contains("exit=1"));
    CHECK_THAT(check("[daemon]\non_stop = \"keep\"\n"), Catch::Contains("c.toml: ok"));
    CHECK_THAT(check("[policy]\n"), Catch::Contains("c.toml: ok") && Catch::Contains("exit=0"));
    CHECK_THAT(check("[policy.default]\noperations = [\"fly\"]\n"),
               Catch::Contains("c.toml:2:15: unknown operation \"fly\"") && Catch::Contains("exit=1"));
    // A daemon given a bad file refuses to start, saying why.
    CHECK_THAT(test::run(std::string(exe) + " --foreground --config " + dir + "/c.toml --socket " + dir +
                         "/s.sock --state-dir " + dir + "/st 2>&1; echo exit=$?"),
               Catch::Contains("unknown operation \"fly\"") && Catch::Contains("exit=1"));
    CHECK_FALSE(std::filesystem::exists(dir + "/s.sock"));
}

TEST_CASE("a stale socket left by a killed daemon is replaced") {
    {
        test::Daemon d;
        d.kill_hard();
        REQUIRE(std::filesystem::exists(d.socket()));
        const char* exe = std::getenv("IFCTLD");
        const std::string out = test::run("timeout 2 " + std::string(exe) + " --foreground --log-level info --socket " +
                                          d.socket() + " --state-dir " + d.dir() + "/state2 2>&1; true");
        CHECK_THAT(out, Catch::Contains("removing stale socket"));
    }
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
