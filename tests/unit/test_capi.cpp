// The C API against a scripted fake daemon: conversions between the C structs
// and the canonical records, messages, and that every request the library
// sends passes the daemon's validate_request().
#include <ifctl/ifctl.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "helpers.hpp"
#include "libifctl/protocol/event.hpp"

using namespace testutil;
using proto::Writer;

namespace {

constexpr uint16_t kOpSetDescription = 32;
constexpr uint16_t kAttrDescription = 91;

proto::Interface sample(uint32_t index, const std::string& name) {
    proto::Interface i;
    i.index = index;
    i.name = name;
    i.kind = "tun";
    i.hw_type = 1;
    i.flags = 0x1043;
    i.mtu = 1500;
    i.min_mtu = 68;
    i.max_mtu = 65521;
    i.metric = -2;
    i.txqlen = 1000;
    i.lladdr = {0x02, 0, 0, 0xaa, 0xbb, 0xcc};
    proto::Address a4 = inet(10, 0, 0, 1, 24);
    a4.broadcast = std::array<uint8_t, 4>{10, 0, 0, 255};
    a4.label = name + ":1";
    a4.flags = 0x80;
    proto::Address a6 = inet6_doc(1, 64);
    a6.peer = inet6_doc(2, 128).local;
    i.addresses = {a4, a6};
    i.multicast = {{0x01, 0x00, 0x5e, 0, 0, 1}};
    i.carrier = true;
    i.stats = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    i.managed = true;
    i.owner = 1234;
    i.unique_id = 99;
    i.unique_family = "ether";
    i.caps_supported = 0x6f;
    i.caps_enabled = 0x3;
    i.promisc_refs = 2;
    i.allmulti_refs = 1;
    return i;
}

// A daemon that answers from a script, one connection at a time.
class FakeDaemon {
public:
    FakeDaemon() {
        path_ = dir_.path + "/ifctld.sock";
        listen_fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        REQUIRE(listen_fd_ >= 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        REQUIRE(::listen(listen_fd_, 4) == 0);
        thread_ = std::thread([this] { run(); });
    }
    ~FakeDaemon() {
        ::shutdown(listen_fd_, SHUT_RDWR);
        thread_.join();
        ::close(listen_fd_);
    }
    const std::string& path() const { return path_; }

    // Every request received, as sent.
    std::vector<std::vector<uint8_t>> frames() {
        std::lock_guard<std::mutex> l(mu_);
        return frames_;
    }
    std::vector<uint8_t> last() {
        std::lock_guard<std::mutex> l(mu_);
        return frames_.empty() ? std::vector<uint8_t>{} : frames_.back();
    }
    int invalid() const { return invalid_; }

private:
    void run() {
        for (;;) {
            const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;
            serve(c);
            ::close(c);
        }
    }

    void serve(int c) {
        std::vector<uint8_t> buf(proto::kMaxFrame);
        for (;;) {
            const ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
            if (n <= 0) return;
            std::vector<uint8_t> f(buf.begin(), buf.begin() + n);
            {
                std::lock_guard<std::mutex> l(mu_);
                frames_.push_back(f);
            }
            proto::Header hd;
            if (proto::parse_header(f, hd, false).code == 0 && hd.op == kOpSetDescription) {
                answer_description(c, hd, f);
                continue;
            }
            proto::Request r;
            if (proto::Error e = proto::validate_request(f, r)) {
                ++invalid_;
                send(c, Writer(r.header.op, proto::kFlagReply, r.header.id, e.code).str(wire_type(AttrType::Message), e.message).finish());
                continue;
            }
            answer(c, r);
        }
    }

    // SetDescription, which this build's tables do not know: a daemon that
    // knows it (target "newer") accepts it, any other answers as the daemon's
    // validate_request() does for an operation it does not know.
    void answer_description(int c, const proto::Header& hd, const std::vector<uint8_t>& f) {
        proto::AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
        proto::Attr a;
        std::string target;
        while (it.next(a))
            if (a.type == wire_type(AttrType::Name)) target = std::string(a.as_str());
        if (target == "newer") send(c, Writer(hd.op, proto::kFlagReply, hd.id, 0).finish());
        else
            send(c, Writer(hd.op, proto::kFlagReply, hd.id, EOPNOTSUPP)
                        .str(wire_type(AttrType::Message), "unknown operation " + std::to_string(hd.op))
                        .finish());
    }

    // Subscribe: the reply (the last event so far: 41), then two events; for
    // "slow", the frame of a dropped subscription instead.
    void answer_subscribe(int c, const proto::Request& r) {
        const uint32_t id = r.header.id;
        const uint16_t op = r.header.op;
        const std::string name = r.has(AttrType::Name) ? std::string(r.get(AttrType::Name).as_str()) : "";
        send(c, Writer(op, proto::kFlagReply, id, 0).u64(wire_type(AttrType::EventSeq), 41).finish());
        if (name == "slow") {
            send(c, Writer(op, proto::kFlagEvent, id, ENOBUFS).str(wire_type(AttrType::Message), "subscription dropped").finish());
            return;
        }
        proto::Event mtu;
        mtu.seq = 42;
        mtu.kind = proto::kEvMtu;
        mtu.index = 3;
        mtu.name = "tap0";
        mtu.managed = true;
        mtu.time_ms = 1700000000123;
        mtu.mtu = 1400;
        mtu.old_mtu = 1500;
        proto::Event addr;
        addr.seq = 43;
        addr.kind = proto::kEvAddrAdded;
        addr.index = 3;
        addr.name = "tap0";
        addr.address = inet(10, 0, 0, 1, 24);
        for (const proto::Event& e : {mtu, addr}) {
            Writer w(op, proto::kFlagEvent, id, 0);
            proto::encode_event(w, e);
            send(c, w.finish());
        }
    }

    void answer(int c, const proto::Request& r) {
        const uint32_t id = r.header.id;
        const uint16_t op = r.header.op;
        auto ok = [&] { return Writer(op, proto::kFlagReply, id, 0); };
        auto err = [&](int e, const std::string& msg) {
            return Writer(op, proto::kFlagReply, id, e).str(wire_type(AttrType::Message), msg);
        };
        const std::string name = r.has(AttrType::Name) ? std::string(r.get(AttrType::Name).as_str()) : "";
        if (name == "missing") {
            send(c, err(ENODEV, "no interface named missing").finish());
            return;
        }
        if (name == "newer") {  // a newer daemon: attributes this build does not know (protocol.md §3)
            Writer w = ok();
            w.u32(300, 1);
            const size_t tok = w.begin_nested(wire_type(AttrType::Interface));
            w.u32(wire_type(AttrType::Index), 7).u64(300, 2).str(wire_type(AttrType::Name), "newer").u32(wire_type(AttrType::Mtu), 1400).str(65000, "later");
            w.end_nested(tok);
            w.str(301, "a later reply attribute");
            send(c, w.finish());
            return;
        }
        if (name == "eth0") {
            send(c, err(EPERM, "eth0 is not managed by ifctld").u8(wire_type(AttrType::Unmanaged), 1).finish());
            return;
        }
        switch (r.op()) {
            case Op::Hello:
                send(c, ok().u32(wire_type(AttrType::Version), 1).str(wire_type(AttrType::Software), "fake 0").finish());
                return;
            case Op::List: {
                Writer w = ok();
                proto::encode_interface(w, sample(3, "tap0"));
                proto::Interface lo;
                lo.index = 1;
                lo.name = "lo";
                lo.mtu = 65536;
                proto::encode_interface(w, lo);
                send(c, w.finish());
                return;
            }
            case Op::Get: {
                Writer w = ok();
                const uint32_t idx = r.has(AttrType::Index) ? r.get(AttrType::Index).as_u32() : 3;
                proto::encode_interface(w, sample(idx, name.empty() ? "tap" + std::to_string(idx) : name));
                send(c, w.finish());
                return;
            }
            case Op::Subscribe: answer_subscribe(c, r); return;
            case Op::Create: {
                Writer w = ok();
                proto::encode_interface(w, sample(9, "tap9"));
                send(c, w.finish());
                return;
            }
            case Op::OpenQueue: {
                int p[2];
                REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
                const auto f = ok().finish();
                iovec iov{const_cast<uint8_t*>(f.data()), f.size()};
                alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
                msghdr mh{};
                mh.msg_iov = &iov;
                mh.msg_iovlen = 1;
                mh.msg_control = cbuf;
                mh.msg_controllen = sizeof cbuf;
                cmsghdr* cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                std::memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
                ::sendmsg(c, &mh, MSG_NOSIGNAL);
                ::close(p[0]);
                ::close(p[1]);
                return;
            }
            default:
                send(c, ok().finish());
                return;
        }
    }

    static void send(int c, const std::vector<uint8_t>& f) { ::send(c, f.data(), f.size(), MSG_NOSIGNAL); }

    testutil::TempDir dir_{"ifctl-capi"};  // first: removed even if the constructor fails
    std::string path_;
    int listen_fd_ = -1;
    std::thread thread_;
    std::mutex mu_;
    std::vector<std::vector<uint8_t>> frames_;
    std::atomic<int> invalid_{0};
};

// A validated request together with the frame its attributes point into.
struct Parsed {
    std::shared_ptr<const std::vector<uint8_t>> frame;
    proto::Request req;
    const proto::Request* operator->() const { return &req; }
};

Parsed parse(std::vector<uint8_t> f) {
    Parsed p;
    p.frame = std::make_shared<const std::vector<uint8_t>>(std::move(f));
    const auto e = proto::validate_request(*p.frame, p.req);
    INFO(e.message);
    REQUIRE(e.code == 0);
    return p;
}

ifctl_addr_t c_inet(unsigned char a, unsigned char b, unsigned char c, unsigned char d, unsigned prefix) {
    ifctl_addr_t x;
    std::memset(&x, 0, sizeof x);
    x.family = AF_INET;
    x.local[0] = a; x.local[1] = b; x.local[2] = c; x.local[3] = d;
    x.prefixlen = prefix;
    return x;
}

}  // namespace

TEST_CASE("C API against a fake daemon", "[capi]") {
    FakeDaemon d;
    ifctl_t* h = nullptr;
    char why[256] = "";
    REQUIRE(ifctl_open(&h, d.path().c_str(), why, sizeof why) == 0);
    REQUIRE(h != nullptr);
    CHECK(why[0] == '\0');
    CHECK(ifctl_fd(h) >= 0);
    CHECK(std::string(ifctl_message(h)).empty());

    SECTION("list converts every field") {
        ifctl_iface_t* list = nullptr;
        size_t n = 0;
        REQUIRE(ifctl_list(h, &list, &n) == 0);
        REQUIRE(n == 2);
        const ifctl_iface_t& i = list[0];
        CHECK(i.index == 3);
        CHECK(std::string(i.name) == "tap0");
        CHECK(std::string(i.kind) == "tun");
        CHECK(i.hw_type == 1);
        CHECK(i.flags == 0x1043);
        CHECK(i.mtu == 1500);
        CHECK(i.min_mtu == 68);
        CHECK(i.max_mtu == 65521);
        CHECK(i.metric == -2);
        CHECK(i.txqlen == 1000);
        REQUIRE(i.lladdr_len == 6);
        CHECK(std::memcmp(i.lladdr, "\x02\x00\x00\xaa\xbb\xcc", 6) == 0);
        CHECK(i.carrier == 1);
        CHECK(i.managed == 1);
        CHECK(i.owner == 1234);
        CHECK(i.unique_id == 99);
        CHECK(std::string(i.unique_family) == "ether");
        CHECK(i.caps_supported == 0x6f);
        CHECK(i.caps_enabled == 0x3);
        CHECK(i.promisc_refs == 2);
        CHECK(i.allmulti_refs == 1);
        CHECK(i.stats.rx_packets == 1);
        CHECK(i.stats.tx_packets == 2);
        CHECK(i.stats.rx_bytes == 3);
        CHECK(i.stats.tx_bytes == 4);
        CHECK(i.stats.rx_errors == 5);
        CHECK(i.stats.tx_errors == 6);
        CHECK(i.stats.rx_dropped == 7);
        CHECK(i.stats.tx_dropped == 8);
        CHECK(i.stats.multicast == 9);
        CHECK(i.stats.collisions == 10);
        REQUIRE(i.naddrs == 2);
        CHECK(i.addrs[0].family == AF_INET);
        CHECK(std::memcmp(i.addrs[0].local, "\x0a\x00\x00\x01", 4) == 0);
        CHECK(i.addrs[0].prefixlen == 24);
        CHECK(i.addrs[0].has_broadcast == 1);
        CHECK(std::memcmp(i.addrs[0].broadcast, "\x0a\x00\x00\xff", 4) == 0);
        CHECK(i.addrs[0].has_peer == 0);
        CHECK(std::string(i.addrs[0].label) == "tap0:1");
        CHECK(i.addrs[0].flags == 0x80);
        CHECK(i.addrs[1].family == AF_INET6);
        CHECK(i.addrs[1].local[15] == 1);
        CHECK(i.addrs[1].prefixlen == 64);
        CHECK(i.addrs[1].has_broadcast == 0);
        CHECK(i.addrs[1].has_peer == 1);
        CHECK(i.addrs[1].peer[15] == 2);
        CHECK(std::string(i.addrs[1].label).empty());
        REQUIRE(i.nmulti == 1);
        CHECK(std::memcmp(i.multi[0], "\x01\x00\x5e\x00\x00\x01", 6) == 0);
        const ifctl_iface_t& lo = list[1];
        CHECK(std::string(lo.name) == "lo");
        CHECK(lo.naddrs == 0);
        CHECK(lo.addrs == nullptr);
        CHECK(lo.nmulti == 0);
        CHECK(lo.multi == nullptr);
        CHECK(lo.lladdr_len == 0);
        CHECK(lo.managed == 0);
        ifctl_list_free(list, n);
    }
    SECTION("get by name and index, and free") {
        ifctl_iface_t i;
        REQUIRE(ifctl_get(h, "tap5", &i) == 0);
        CHECK(std::string(i.name) == "tap5");
        CHECK(parse(d.last())->get(AttrType::Name).as_str() == "tap5");
        ifctl_iface_free(&i);
        CHECK(i.addrs == nullptr);
        CHECK(i.naddrs == 0);
        ifctl_iface_free(&i);  // twice is harmless
        REQUIRE(ifctl_get_by_index(h, 42, &i) == 0);
        CHECK(i.index == 42);
        CHECK(parse(d.last())->get(AttrType::Index).as_u32() == 42);
        ifctl_iface_free(&i);
    }
    SECTION("a newer daemon's attributes, in the reply and in its records, are skipped") {
        ifctl_iface_t i;
        const int rc = ifctl_get(h, "newer", &i);
        CHECK(rc == 0);  // not REQUIRE: the section must reach the end, where the handle is closed
        if (rc == 0) {
            CHECK(i.index == 7);
            CHECK(std::string(i.name) == "newer");
            CHECK(i.mtu == 1400);
            ifctl_iface_free(&i);
        }
    }
    SECTION("daemon errors come back as -errno with the daemon's message") {
        ifctl_iface_t i;
        CHECK(ifctl_get(h, "missing", &i) == -ENODEV);
        CHECK(std::string(ifctl_message(h)) == "no interface named missing");
        CHECK(ifctl_set_mtu(h, "eth0", 1400) == -EPERM);
        CHECK(std::string(ifctl_message(h)) == "eth0 is not managed by ifctld");
        CHECK(ifctl_set_mtu(h, "tap0", 1400) == 0);
        CHECK(std::string(ifctl_message(h)).empty());  // cleared by a success
    }
    SECTION("create writes the daemon's chosen name") {
        char created[16] = "";
        REQUIRE(ifctl_create(h, "tap%d", 2, created) == 0);
        CHECK(std::string(created) == "tap9");
        const auto r = parse(d.last());
        CHECK(r->get(AttrType::NewName).as_str() == "tap%d");
        CHECK(r->get(AttrType::Queues).as_u32() == 2);
        CHECK_FALSE(r->has(AttrType::Owner));
        REQUIRE(ifctl_create(h, "tap7", 0, nullptr) == 0);
        CHECK_FALSE(parse(d.last())->has(AttrType::Queues));
    }
    SECTION("setters send what they were given") {
        REQUIRE(ifctl_set_flags(h, "tap0", 0x1, 0x101) == 0);
        auto r = parse(d.last());
        CHECK(r->op() == Op::SetFlags);
        CHECK(r->get(AttrType::Flags).as_u32() == 0x1);
        CHECK(r->get(AttrType::FlagsMask).as_u32() == 0x101);
        REQUIRE(ifctl_set_mtu(h, "tap0", 9000) == 0);
        CHECK(parse(d.last())->get(AttrType::Mtu).as_u32() == 9000);
        REQUIRE(ifctl_set_metric(h, "tap0", -7) == 0);
        CHECK(parse(d.last())->get(AttrType::Metric).as_s32() == -7);
        REQUIRE(ifctl_set_txqlen(h, "tap0", 64) == 0);
        CHECK(parse(d.last())->get(AttrType::Txqlen).as_u32() == 64);
        const unsigned char mac[6] = {2, 1, 2, 3, 4, 5};
        REQUIRE(ifctl_set_lladdr(h, "tap0", mac, 6) == 0);
        CHECK(parse(d.last())->get(AttrType::Lladdr).payload.size() == 6);
        REQUIRE(ifctl_multi_add(h, "tap0", mac) == 0);
        CHECK(parse(d.last())->op() == Op::MultiAdd);
        REQUIRE(ifctl_multi_del(h, "tap0", mac) == 0);
        CHECK(parse(d.last())->op() == Op::MultiDel);
        REQUIRE(ifctl_rename(h, "tap0", "wan0") == 0);
        CHECK(parse(d.last())->get(AttrType::NewName).as_str() == "wan0");
        REQUIRE(ifctl_destroy(h, "wan0") == 0);
        CHECK(parse(d.last())->op() == Op::Destroy);
    }
    SECTION("per-client references, offloads, live rename, unique ids") {
        const unsigned char mac[6] = {1, 0, 0x5e, 0, 0, 1};
        REQUIRE(ifctl_multi_join(h, "tap0", mac) == 0);
        auto r = parse(d.last());
        CHECK(r->op() == Op::MultiAdd);
        CHECK(r->get(AttrType::PerClient).as_u8() == 1);
        REQUIRE(ifctl_multi_leave(h, "tap0", mac) == 0);
        CHECK(parse(d.last())->op() == Op::MultiDel);
        CHECK(parse(d.last())->get(AttrType::PerClient).as_u8() == 1);
        REQUIRE(ifctl_multi_add(h, "tap0", mac) == 0);
        CHECK_FALSE(parse(d.last())->has(AttrType::PerClient));
        REQUIRE(ifctl_flag_ref(h, "tap0", 0x100, 1) == 0);
        r = parse(d.last());
        CHECK(r->op() == Op::FlagRef);
        CHECK(r->get(AttrType::RefFlag).as_u32() == 0x100);
        CHECK(r->get(AttrType::RefOn).as_u8() == 1);
        REQUIRE(ifctl_flag_ref(h, "tap0", 0x200, 0) == 0);
        CHECK(parse(d.last())->get(AttrType::RefOn).as_u8() == 0);
        REQUIRE(ifctl_set_caps(h, "tap0", 0x7) == 0);
        CHECK(parse(d.last())->get(AttrType::CapsEnabled).as_u32() == 0x7);
        REQUIRE(ifctl_rename_live(h, "tap0", "wan0") == 0);
        CHECK(parse(d.last())->get(AttrType::LiveRename).as_u8() == 1);
        char created[16] = "";
        REQUIRE(ifctl_create_unique(h, "tap%d", 0, 42, "ether", created) == 0);
        r = parse(d.last());
        CHECK(r->get(AttrType::UniqueId).as_u64() == 42);
        CHECK(r->get(AttrType::UniqueFamily).as_str() == "ether");
        REQUIRE(ifctl_detach(h, "tap0") == 0);
        CHECK(parse(d.last())->op() == Op::Detach);
        REQUIRE(ifctl_forget(h, 42, "ether") == 0);
        r = parse(d.last());
        CHECK(r->op() == Op::Forget);
        CHECK(r->get(AttrType::UniqueId).as_u64() == 42);
        const size_t before = d.frames().size();
        CHECK(ifctl_create_unique(h, "tap%d", 0, 0, "ether", nullptr) == -EINVAL);
        CHECK(ifctl_create_unique(h, "tap%d", 0, 1, nullptr, nullptr) == -EINVAL);
        CHECK(ifctl_forget(h, 1, "") == -EINVAL);
        CHECK(ifctl_multi_join(h, "tap0", nullptr) == -EINVAL);
        CHECK(d.frames().size() == before);
    }
    SECTION("addresses are converted both ways") {
        ifctl_addr_t a = c_inet(192, 0, 2, 1, 24);
        a.has_broadcast = 1;
        a.broadcast[0] = 192; a.broadcast[1] = 0; a.broadcast[2] = 2; a.broadcast[3] = 255;
        std::strcpy(a.label, "tap0:web");
        a.flags = 0x80;
        REQUIRE(ifctl_addr_add(h, "tap0", &a) == 0);
        proto::Address got;
        auto r = parse(d.last());
        REQUIRE(proto::decode_address(r->get(AttrType::Address), got).code == 0);
        CHECK(got.family == 2);
        CHECK(proto::format_address(2, got.local.data()) == "192.0.2.1");
        CHECK(got.prefix == 24);
        REQUIRE(got.broadcast);
        CHECK((*got.broadcast)[3] == 255);
        CHECK_FALSE(got.peer);
        CHECK(got.label == "tap0:web");
        CHECK(got.flags == 0x80);

        ifctl_addr_t b6;
        std::memset(&b6, 0, sizeof b6);
        b6.family = AF_INET6;
        b6.local[0] = 0x20; b6.local[1] = 0x01; b6.local[15] = 5;
        b6.prefixlen = 128;
        b6.has_peer = 1;
        b6.peer[0] = 0x20; b6.peer[1] = 0x01; b6.peer[15] = 6;
        REQUIRE(ifctl_addr_del(h, "tap0", &b6) == 0);
        r = parse(d.last());
        REQUIRE(proto::decode_address(r->get(AttrType::Address), got).code == 0);
        CHECK(proto::format_address(10, got.local.data()) == "2001::5");
        REQUIRE(got.peer);
        CHECK(proto::format_address(10, got.peer->data()) == "2001::6");

        REQUIRE(ifctl_addr_replace(h, "tap0", &a, &b6) == 0);
        r = parse(d.last());
        proto::Address o, n;
        REQUIRE(proto::decode_address(r->get(AttrType::OldAddress), o).code == 0);
        REQUIRE(proto::decode_address(r->get(AttrType::Address), n).code == 0);
        CHECK(o.family == 2);
        CHECK(n.family == 10);
    }
    SECTION("bad arguments are refused before anything is sent") {
        const size_t before = d.frames().size();
        ifctl_addr_t a = c_inet(10, 0, 0, 1, 33);
        CHECK(ifctl_addr_add(h, "tap0", &a) == -EINVAL);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("prefix length 33"));
        a.prefixlen = 280;  // would wrap to 24 in a u8
        CHECK(ifctl_addr_add(h, "tap0", &a) == -EINVAL);
        a = c_inet(10, 0, 0, 1, 24);
        a.family = 7;
        CHECK(ifctl_addr_add(h, "tap0", &a) == -EAFNOSUPPORT);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("family 7"));
        a = c_inet(10, 0, 0, 1, 24);
        std::memset(a.label, 'x', sizeof a.label);
        CHECK(ifctl_addr_add(h, "tap0", &a) == -EINVAL);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("label"));
        CHECK(ifctl_addr_add(h, "tap0", nullptr) == -EINVAL);
        CHECK(ifctl_set_mtu(h, "abcdefghijklmnop", 1500) == -EINVAL);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("longer than 15"));
        CHECK(ifctl_set_mtu(h, nullptr, 1500) == -EINVAL);
        CHECK(ifctl_set_mtu(h, "", 1500) == -EINVAL);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("missing"));
        CHECK(ifctl_rename(h, "tap0", "abcdefghijklmnop") == -EINVAL);
        CHECK(ifctl_get(h, "tap0", nullptr) == -EINVAL);
        CHECK(ifctl_get_by_index(h, 0, nullptr) == -EINVAL);
        CHECK(ifctl_list(h, nullptr, nullptr) == -EINVAL);
        unsigned char big[33] = {};
        CHECK(ifctl_set_lladdr(h, "tap0", big, sizeof big) == -EINVAL);
        CHECK(ifctl_set_lladdr(h, "tap0", nullptr, 6) == -EINVAL);
        CHECK(ifctl_multi_add(h, "tap0", nullptr) == -EINVAL);
        CHECK(d.frames().size() == before);
    }
    SECTION("create with options sends each one it was given, and only those") {
        ifctl_create_opts_t o = IFCTL_CREATE_OPTS_INIT;
        char created[16] = "";
        REQUIRE(ifctl_create_with(h, "tap%d", &o, created) == 0);
        CHECK(std::string(created) == "tap9");
        auto r = parse(d.last());
        CHECK(r->op() == Op::Create);
        for (AttrType a : {AttrType::Queues, AttrType::Owner, AttrType::Group, AttrType::VnetHdr, AttrType::Persistent, AttrType::UniqueId, AttrType::UniqueFamily})
            CHECK_FALSE(r->has(a));
        o.flags = IFCTL_CREATE_OWNER | IFCTL_CREATE_GROUP | IFCTL_CREATE_PERSIST | IFCTL_CREATE_VNET_HDR;
        o.owner = 0;  // root, not "unset": the flag says it is set
        o.group = 1001;
        o.queues = 4;
        o.unique_id = 7;
        o.unique_family = "ether";
        REQUIRE(ifctl_create_with(h, "vm7", &o, nullptr) == 0);
        r = parse(d.last());
        CHECK(r->get(AttrType::NewName).as_str() == "vm7");
        CHECK(r->get(AttrType::Owner).as_u32() == 0);
        CHECK(r->get(AttrType::Group).as_u32() == 1001);
        CHECK(r->get(AttrType::Queues).as_u32() == 4);
        CHECK(r->get(AttrType::VnetHdr).as_u8() == 1);
        CHECK(r->get(AttrType::Persistent).as_u8() == 1);
        CHECK(r->get(AttrType::UniqueId).as_u64() == 7);
        CHECK(r->get(AttrType::UniqueFamily).as_str() == "ether");
        REQUIRE(ifctl_create_with(h, "tap%d", nullptr, nullptr) == 0);
        CHECK_FALSE(parse(d.last())->has(AttrType::Queues));
    }
    SECTION("the options struct's size: older accepted, newer only with zeros beyond") {
        struct Newer {
            ifctl_create_opts_t known;
            uint64_t later;
        } n{};
        n.known = IFCTL_CREATE_OPTS_INIT;
        n.known.size = sizeof n;
        n.known.flags = IFCTL_CREATE_PERSIST;
        REQUIRE(ifctl_create_with(h, "tap%d", &n.known, nullptr) == 0);
        CHECK(parse(d.last())->get(AttrType::Persistent).as_u8() == 1);
        const size_t before = d.frames().size();
        n.later = 1;
        CHECK(ifctl_create_with(h, "tap%d", &n.known, nullptr) == -E2BIG);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("does not know"));
        ifctl_create_opts_t o = IFCTL_CREATE_OPTS_INIT;
        o.size = sizeof o.size;
        CHECK(ifctl_create_with(h, "tap%d", &o, nullptr) == -EINVAL);
        o = IFCTL_CREATE_OPTS_INIT;
        o.flags = 0x100;
        CHECK(ifctl_create_with(h, "tap%d", &o, nullptr) == -EINVAL);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("IFCTL_CREATE_"));
        o = IFCTL_CREATE_OPTS_INIT;
        o.unique_family = "ether";
        CHECK(ifctl_create_with(h, "tap%d", &o, nullptr) == -EINVAL);
        o = IFCTL_CREATE_OPTS_INIT;
        o.unique_id = 5;
        CHECK(ifctl_create_with(h, "tap%d", &o, nullptr) == -EINVAL);
        CHECK(ifctl_create_with(h, "abcdefghijklmnop", nullptr, nullptr) == -EINVAL);
        CHECK(d.frames().size() == before);
    }
    SECTION("owner, persistence and namespace moves") {
        REQUIRE(ifctl_set_owner(h, "tap0", 1234) == 0);
        auto r = parse(d.last());
        CHECK(r->op() == Op::SetOwner);
        CHECK(r->get(AttrType::Owner).as_u32() == 1234);
        REQUIRE(ifctl_set_persistent(h, "tap0", 1) == 0);
        r = parse(d.last());
        CHECK(r->op() == Op::SetPersistent);
        CHECK(r->get(AttrType::Persistent).as_u8() == 1);
        REQUIRE(ifctl_set_persistent(h, "tap0", 0) == 0);
        CHECK(parse(d.last())->get(AttrType::Persistent).as_u8() == 0);
        REQUIRE(ifctl_move_netns_pid(h, "tap0", 4321) == 0);
        r = parse(d.last());
        CHECK(r->op() == Op::MoveNetns);
        CHECK(r->get(AttrType::NetnsPid).as_u32() == 4321);
        CHECK_FALSE(r->has(AttrType::NetnsPath));
        REQUIRE(ifctl_move_netns_path(h, "tap0", "/run/netns/vm") == 0);
        r = parse(d.last());
        CHECK(r->get(AttrType::NetnsPath).as_str() == "/run/netns/vm");
        CHECK_FALSE(r->has(AttrType::NetnsPid));
        CHECK(ifctl_set_owner(h, "eth0", 1) == -EPERM);
        CHECK(std::string(ifctl_message(h)) == "eth0 is not managed by ifctld");
        const size_t before = d.frames().size();
        CHECK(ifctl_move_netns_pid(h, "tap0", 0) == -EINVAL);
        CHECK(ifctl_move_netns_pid(h, "tap0", -1) == -EINVAL);
        CHECK(ifctl_move_netns_path(h, "tap0", nullptr) == -EINVAL);
        CHECK(ifctl_move_netns_path(h, "tap0", "") == -EINVAL);
        CHECK(ifctl_set_persistent(h, nullptr, 1) == -EINVAL);
        CHECK(d.frames().size() == before);
    }
    SECTION("description: its operation and attribute, and a daemon that does not know it") {
        REQUIRE(ifctl_set_description(h, "newer", "uplink to the lab") == 0);
        auto f = d.last();
        proto::Header hd;
        REQUIRE(proto::parse_header(f, hd, false).code == 0);
        CHECK(hd.op == kOpSetDescription);
        proto::AttrIter it(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
        proto::Attr a;
        std::string name, text = "(none)";
        while (it.next(a)) {
            if (a.type == wire_type(AttrType::Name)) name = std::string(a.as_str());
            if (a.type == kAttrDescription) text = std::string(a.as_str());
        }
        CHECK(name == "newer");
        CHECK(text == "uplink to the lab");
        REQUIRE(ifctl_set_description(h, "newer", nullptr) == 0);  // removes it: an empty description
        f = d.last();
        it = proto::AttrIter(std::span<const uint8_t>(f).subspan(proto::kHeaderSize));
        text = "(none)";
        while (it.next(a))
            if (a.type == kAttrDescription) text = std::string(a.as_str());
        CHECK(text.empty());
        CHECK(ifctl_set_description(h, "tap0", "x") == -EOPNOTSUPP);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("cannot set descriptions"));
        const size_t before = d.frames().size();
        CHECK(ifctl_set_description(h, "tap0", std::string(256, 'd').c_str()) == -EINVAL);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("255"));
        CHECK(d.frames().size() == before);
    }
    SECTION("events: subscribe with a filter, then each event decoded") {
        uint64_t last = 0;
        REQUIRE(ifctl_subscribe(h, "tap0", IFCTL_EV_MTU | IFCTL_EV_ADDR_ADDED, &last) == 0);
        CHECK(last == 41);
        auto r = parse(d.last());
        CHECK(r->op() == Op::Subscribe);
        CHECK(r->get(AttrType::Name).as_str() == "tap0");
        CHECK(r->get(AttrType::EventKinds).as_u32() == (IFCTL_EV_MTU | IFCTL_EV_ADDR_ADDED));
        ifctl_event_t ev;
        REQUIRE(ifctl_next_event(h, &ev, 2000) == 0);
        CHECK(ev.seq == 42);
        CHECK(ev.kind == IFCTL_EV_MTU);
        CHECK(std::string(ifctl_event_kind_name(ev.kind)) == "mtu");
        CHECK(ev.index == 3);
        CHECK(std::string(ev.name) == "tap0");
        CHECK(ev.managed == 1);
        CHECK(ev.time_ms == 1700000000123);
        CHECK(ev.mtu == 1400);
        CHECK(ev.old_mtu == 1500);
        CHECK(ev.has_addr == 0);
        REQUIRE(ifctl_next_event(h, &ev, 2000) == 0);
        CHECK(ev.seq == 43);
        CHECK(ev.kind == IFCTL_EV_ADDR_ADDED);
        CHECK(ev.managed == 0);
        REQUIRE(ev.has_addr == 1);
        CHECK(ev.addr.family == AF_INET);
        CHECK(std::memcmp(ev.addr.local, "\x0a\x00\x00\x01", 4) == 0);
        CHECK(ev.addr.prefixlen == 24);
        // Nothing more: a zero timeout answers at once, a short one after it.
        CHECK(ifctl_next_event(h, &ev, 0) == -ETIMEDOUT);
        CHECK(ifctl_next_event(h, &ev, 50) == -ETIMEDOUT);
        CHECK_THAT(std::string(ifctl_message(h)), Catch::Contains("no event"));
        CHECK(ifctl_next_event(h, nullptr, 0) == -EINVAL);
    }
    SECTION("events: all kinds about all interfaces, and a dropped subscription") {
        REQUIRE(ifctl_subscribe(h, nullptr, 0, nullptr) == 0);
        auto r = parse(d.last());
        CHECK_FALSE(r->has(AttrType::Name));
        // Named in full: a daemon sends kinds newer than the first nine only to those who ask.
        CHECK(r->get(AttrType::EventKinds).as_u32() == IFCTL_EV_ALL);
        ifctl_event_t ev;
        REQUIRE(ifctl_next_event(h, &ev, 2000) == 0);
        CHECK(ev.kind == IFCTL_EV_MTU);
        const size_t before = d.frames().size();
        CHECK(ifctl_subscribe(h, nullptr, 0x400, nullptr) == -EINVAL);
        CHECK(ifctl_subscribe(h, "abcdefghijklmnop", 0, nullptr) == -EINVAL);
        CHECK(d.frames().size() == before);
    }
    SECTION("events: the daemon drops a slow subscriber") {
        REQUIRE(ifctl_subscribe(h, "slow", 0, nullptr) == 0);
        ifctl_event_t ev;
        CHECK(ifctl_next_event(h, &ev, 2000) == -ENOBUFS);
        CHECK(std::string(ifctl_message(h)) == "subscription dropped");
    }
    SECTION("open_queue returns the passed descriptor") {
        const int fd = ifctl_open_queue(h, "tap0");
        REQUIRE(fd >= 0);
        CHECK(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
        ::close(fd);
        CHECK(ifctl_open_queue(h, "missing") == -ENODEV);
    }
    ifctl_close(h);
    CHECK(d.invalid() == 0);  // the library never sent a request the daemon rejects as malformed
}

TEST_CASE("C API event kinds: names and lists", "[capi]") {
    CHECK(std::string(ifctl_event_kind_name(IFCTL_EV_LINK_ADDED)) == "link-added");
    CHECK(std::string(ifctl_event_kind_name(IFCTL_EV_LLADDR)) == "lladdr");
    CHECK(std::string(ifctl_event_kind_name(0)).empty());
    CHECK(std::string(ifctl_event_kind_name(IFCTL_EV_MTU | IFCTL_EV_FLAGS)).empty());
    CHECK(std::string(ifctl_event_kind_name(IFCTL_EV_TAMPERED)) == "tampered");
    CHECK(std::string(ifctl_event_kind_name(0x400)).empty());
    uint32_t m = 0;
    REQUIRE(ifctl_event_kinds_parse("mtu,address", &m) == 0);
    CHECK(m == (IFCTL_EV_MTU | IFCTL_EV_ADDR_ADDED | IFCTL_EV_ADDR_REMOVED));
    REQUIRE(ifctl_event_kinds_parse("link", &m) == 0);
    CHECK(m == (IFCTL_EV_LINK_ADDED | IFCTL_EV_LINK_REMOVED | IFCTL_EV_RENAMED));
    m = 7;
    CHECK(ifctl_event_kinds_parse("mtu,bogus", &m) == -EINVAL);
    CHECK(m == 7);
    CHECK(ifctl_event_kinds_parse("", &m) == -EINVAL);
    CHECK(ifctl_event_kinds_parse(nullptr, &m) == -EINVAL);
    // The header's bits are the protocol's.
    CHECK(IFCTL_EV_ALL == proto::kAllEvents);
    CHECK(IFCTL_EV_LLADDR == proto::kEvLladdr);
    CHECK(IFCTL_EV_ADDR_ADDED == proto::kEvAddrAdded);
}
