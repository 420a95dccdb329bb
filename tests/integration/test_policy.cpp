// Access control with real users: a [policy] in the configuration file, clients
// running as system users made for the test, and an access matrix of refused
// attempts, each checked for its errno, its message, and an unchanged kernel.
// Also: the socket's group and mode, per-client limits, reloads, the audit log.
#include <arpa/inet.h>
#include <linux/if.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ifctl/ifctl.h"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/wire.hpp"
#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/test_users.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using proto::AttrType;
using proto::Op;
using test::kernel_state;
using test::v4;
using test::v6;
using json = nlohmann::json;
using client::InterfaceRef;

namespace {

test::TestUsers* g_users = nullptr;
// a, b: in the "lab" rule's group; c: no rule; d: not even in the socket's group.
test::TestUser ua, ub, uc, ud;


json link(const std::string& name) {
    for (const json& l : kernel_state())
        if (l.value("ifname", "") == name) return l;
    return nullptr;
}


// "RC MESSAGE": what one client call returned, as a child process reports it.
std::string outcome(int rc, const std::string& message) { return std::to_string(rc) + " " + message; }
std::string outcome(const client::Result& r) { return outcome(r.error, r.message); }

// Connects as the user (in a child) and runs `fn` on the connection.
std::string as(const test::TestUser& u, const std::string& socket,
               const std::function<std::string(client::Connection&)>& fn) {
    return test::run_as(u, [&] {
        std::unique_ptr<client::Connection> c;
        std::string why;
        if (int rc = client::Connection::open(socket, c, why); rc < 0) return outcome(rc, why);
        return fn(*c);
    });
}

struct Outcome {
    int rc = 1;
    std::string message;
};
Outcome parse(const std::string& s) {
    Outcome o;
    const auto sp = s.find(' ');
    o.rc = std::atoi(s.substr(0, sp).c_str());
    o.message = sp == std::string::npos ? "" : s.substr(sp + 1);
    return o;
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
}

// A directory for the test's configuration files, open to the test users;
// removed when the test case passes (netns_daemon.hpp).
std::string temp_dir() {
    const std::string dir = test::temp_dir("ifctl-policy");
    ::chmod(dir.c_str(), 0755);
    return dir;
}

// The policy of the access matrix. Users are named by the test's prefix.
std::string lab_policy(const std::string& extra_limits = "") {
    std::ostringstream s;
    s << "[daemon]\nsocket_group = \"" << g_users->full("sock") << "\"\n\n"
      << "[limits]\nmax_connections_per_uid = 4\nmax_request_bytes = 4096\n" << extra_limits << "\n"
      << "[[policy.rule]]\n"
      << "name = \"lab\"\n"
      << "groups = [\"" << g_users->full("lab") << "\"]\n"
      << "create = true\n"
      << "names = [\"lab*\"]\n"
      << "max_interfaces = 2\n"
      << "max_queues = 2\n"
      << "operations = [\"address\", \"mtu\", \"flags\", \"rename\", \"queue\", \"destroy\", \"multicast\"]\n"
      << "address_prefixes = [\"10.9.0.0/16\", \"fd09::/16\"]\n"
      << "mtu = [1280, 1500]\n"
      << "rename_to = [\"lab*\"]\n";
    return s.str();
}

// A daemon with `config`, its directory open to the test users.
std::unique_ptr<test::Daemon> start(const std::string& config_path, const std::string& extra = "") {
    auto d = std::make_unique<test::Daemon>("--config " + config_path + " " + extra);
    ::chmod(d->dir().c_str(), 0755);
    return d;
}

proto::Address with_peer(proto::Address a, int family, const char* peer) {
    std::array<uint8_t, 16> p{};
    ::inet_pton(family, peer, p.data());
    a.peer = p;
    return a;
}

struct Row {
    const char* what;
    const test::TestUser* user;
    std::function<client::Result(client::Connection&)> call;
    int err;
    const char* message;
};

}  // namespace

TEST_CASE("the socket is 0660 and belongs to the configured group; others cannot connect") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", lab_policy()));
    struct stat st {};
    REQUIRE(::stat(d->socket().c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0660);
    CHECK(st.st_gid == g_users->gid("sock"));
    const Outcome o = parse(as(ud, d->socket(), [](client::Connection&) { return outcome(0, "connected"); }));
    CHECK(o.rc == -EACCES);
    CHECK_THAT(o.message, Catch::Contains("permission denied"));
    // The advice names the group that owns the socket (socket_group), not the default "ifctl".
    CHECK_THAT(o.message, Catch::Contains("add you to group " + g_users->full("sock") + ", which owns it"));
    CHECK(parse(as(uc, d->socket(), [](client::Connection&) { return outcome(0, "connected"); })).rc == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("without the group the socket stays 0600 and the log says how to create it") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", "[daemon]\nsocket_group = \"ifct-nosuchgroup\"\n"));
    struct stat st {};
    REQUIRE(::stat(d->socket().c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    std::ifstream log(d->dir() + "/ifctld.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Contains("groupadd --system ifct-nosuchgroup"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a socket directory writable by others is refused") {
    const std::string dir = temp_dir();
    ::mkdir((dir + "/open").c_str(), 0777);
    ::chmod((dir + "/open").c_str(), 0777);
    const char* exe = std::getenv("IFCTLD");
    const std::string out = test::run(std::string(exe) + " --foreground --socket " + dir + "/open/s.sock --state-dir " +
                                      dir + "/st 2>&1; echo exit=$?");
    CHECK_THAT(out, Catch::Contains("is writable by group or others (mode 0777)") && Catch::Contains("chmod go-w"));
    CHECK_THAT(out, Catch::Contains("exit=1"));
    CHECK_FALSE(std::filesystem::exists(dir + "/open/s.sock"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("access matrix: non-owners and users outside the policy are refused and nothing changes") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", lab_policy()));
    const std::string sock = d->socket();
    std::unique_ptr<client::Connection> root;
    std::string why;
    REQUIRE(client::Connection::open(sock, root, why) == 0);
    proto::Interface rec;
    REQUIRE(root->create("rootx0", {}, rec) == 0);

    // What the lab rule allows works, as its members.
    CHECK(parse(as(ua, sock, [](client::Connection& c) {
              proto::Interface r;
              return outcome(c.create("labA0", {}, r));
          })).rc == 0);
    CHECK(parse(as(ub, sock, [](client::Connection& c) {
              proto::Interface r;
              client::Result rc = c.create("labB%d", {.queues = 2}, r);
              if (rc.ok()) rc = c.addr_add(InterfaceRef::by_name(r.name), v4("10.9.1.1", 24));
              return outcome(rc.error, r.name + " " + rc.message);
          })).rc == 0);
    REQUIRE_FALSE(link("labB0").is_null());
    CHECK(parse(as(ua, sock, [](client::Connection& c) {
              client::Result rc = c.set_mtu(InterfaceRef::by_name("labA0"), 1400);
              if (rc.ok()) rc = c.addr_add(InterfaceRef::by_name("labA0"), v4("10.9.0.1", 24));
              if (rc.ok()) rc = c.addr_add(InterfaceRef::by_name("labA0"), v6("fd09::1", 64));
              if (rc.ok()) rc = c.set_flags(InterfaceRef::by_name("labA0"), IFF_UP, IFF_UP);
              if (rc.ok()) rc = c.set_persistent(InterfaceRef::by_name("labA0"), false);  // giving it up is always allowed
              int q = -1;
              if (rc.ok()) rc = c.open_queue(InterfaceRef::by_name("labA0"), &q);
              if (q >= 0) ::close(q);
              return outcome(rc);
          })).rc == 0);
    CHECK(link("labA0")["mtu"] == 1400);
    // The daemon takes its own queue back once the client's is gone (its
    // once-a-second maintenance pass; the client's close may itself be
    // deferred by the kernel past its exit): wait for that, so that no row
    // below straddles it and sees the queue counts move.
    REQUIRE(test::eventually([] {
        const json info = link("labA0")["linkinfo"]["info_data"];
        return info["numqueues"] == 1 && info["numdisabled"] == 0;
    }));

    const uint32_t other_gid = uc.gid;
    const std::vector<Row> rows = {
        {"create without a rule", &uc,
         [](client::Connection& c) { proto::Interface r; return c.create("lab9", {}, r); }, EPERM,
         "does not let uid"},
        {"create a name outside the rule's patterns", &ua,
         [](client::Connection& c) { proto::Interface r; return c.create("foo0", {}, r); }, EPERM,
         "\"foo0\" does not match the names rule \"lab\""},
        {"create a pattern that resolves outside the rule", &ua,
         [](client::Connection& c) { proto::Interface r; return c.create("x%d", {}, r); }, EPERM,
         "\"x0\" does not match"},
        {"create with more queues than the rule allows", &ua,
         [](client::Connection& c) { proto::Interface r; return c.create("lab5", {.queues = 4}, r); }, EPERM,
         "at most 2 queue(s)"},
        {"create with vnet_hdr the rule does not allow", &ua,
         [](client::Connection& c) { proto::Interface r; return c.create("lab5", {.vnet_hdr = true}, r); }, EPERM,
         "does not allow vnet_hdr"},
        {"create persistent, which the rule does not allow", &ua,
         [](client::Connection& c) { proto::Interface r; return c.create("lab5", {.persistent = true}, r); }, EPERM,
         "does not allow persistent interfaces"},
        {"make an own interface persistent, which the rule does not allow", &ua,
         [](client::Connection& c) { return c.set_persistent(InterfaceRef::by_name("labA0"), true); }, EPERM,
         "does not allow persistent interfaces"},
        {"move an own interface into another namespace (root only)", &ua,
         [](client::Connection& c) { return c.move_netns(InterfaceRef::by_name("labA0"), {.pid = 1}); }, EPERM,
         "only root may do it"},
        {"bring an own interface back from another namespace (root only)", &ua,
         [](client::Connection& c) { return c.move_home("labA0"); }, EPERM, "only root may do it"},
        {"create for another user", &ua,
         [&](client::Connection& c) { proto::Interface r; return c.create("lab5", {.owner = ub.uid}, r); }, EPERM,
         "only root may create an interface for another user"},
        {"create with a group the user is not in", &ua,
         [&](client::Connection& c) { proto::Interface r; return c.create("lab5", {.group = other_gid}, r); }, EPERM,
         "is not a group of uid"},
        {"MTU on another user's interface", &ua,
         [](client::Connection& c) { return c.set_mtu(InterfaceRef::by_name("labB0"), 1300); }, EPERM,
         "labB0 is owned by uid"},
        {"MTU on the host's lo", &ua, [](client::Connection& c) { return c.set_mtu(InterfaceRef::by_name("lo"), 1300); },
         EPERM, "lo is not managed by ifctld"},
        {"destroy lo", &ua, [](client::Connection& c) { return c.destroy(InterfaceRef::by_name("lo")); }, EPERM,
         "lo is not managed by ifctld"},
        {"flags on root's interface", &ua,
         [](client::Connection& c) { return c.set_flags(InterfaceRef::by_name("rootx0"), IFF_UP, IFF_UP); }, EPERM,
         "rootx0 is owned by uid 0"},
        {"address outside the allowed prefixes", &ua,
         [](client::Connection& c) { return c.addr_add(InterfaceRef::by_name("labA0"), v4("10.1.0.1", 24)); }, EPERM,
         "10.1.0.1/24 is outside the prefixes rule \"lab\""},
        {"address wider than the allowed prefix", &ua,
         [](client::Connection& c) { return c.addr_add(InterfaceRef::by_name("labA0"), v4("10.9.0.2", 8)); }, EPERM,
         "10.9.0.2/8 is outside the prefixes"},
        {"inet6 address outside the allowed prefixes", &ua,
         [](client::Connection& c) { return c.addr_add(InterfaceRef::by_name("labA0"), v6("fd10::1", 64)); }, EPERM,
         "fd10::1/64 is outside the prefixes"},
        {"a peer outside the prefixes (the kernel would route 8.8.0.0/16 into the TAP)", &ua,
         [](client::Connection& c) {
             return c.addr_add(InterfaceRef::by_name("labA0"), with_peer(v4("10.9.0.2", 16), AF_INET, "8.8.0.0"));
         },
         EPERM, "peer 8.8.0.0/16 is outside the prefixes"},
        {"a host peer outside the prefixes", &ua,
         [](client::Connection& c) {
             return c.addr_add(InterfaceRef::by_name("labA0"), with_peer(v4("10.9.0.3", 32), AF_INET, "1.1.1.1"));
         },
         EPERM, "peer 1.1.1.1/32 is outside the prefixes"},
        {"an inet6 peer outside the prefixes", &ua,
         [](client::Connection& c) {
             return c.addr_add(InterfaceRef::by_name("labA0"), with_peer(v6("fd09::5", 128), AF_INET6, "2001:4860::"));
         },
         EPERM, "peer 2001:4860::/128 is outside the prefixes"},
        {"a broadcast outside the prefixes", &ua,
         [](client::Connection& c) {
             proto::Address a = v4("10.9.0.4", 24);
             a.broadcast = std::array<uint8_t, 4>{8, 8, 8, 8};
             return c.addr_add(InterfaceRef::by_name("labA0"), a);
         },
         EPERM, "broadcast 8.8.8.8/32 is outside the prefixes"},
        {"a label naming another interface", &ua,
         [](client::Connection& c) {
             proto::Address a = v4("10.9.0.5", 24);
             a.label = "lo:evil";
             return c.addr_add(InterfaceRef::by_name("labA0"), a);
         },
         EPERM, "must be labA0 or labA0:N"},
        {"replace to an address outside the prefixes", &ua,
         [](client::Connection& c) {
             return c.addr_replace(InterfaceRef::by_name("labA0"), v4("10.9.0.1", 24), v4("192.168.9.1", 24));
         },
         EPERM, "192.168.9.1/24 is outside the prefixes"},
        {"MTU above the rule's range", &ua,
         [](client::Connection& c) { return c.set_mtu(InterfaceRef::by_name("labA0"), 9000); }, EPERM,
         "MTU 9000 is outside 1280..1500"},
        {"MTU below the rule's range", &ua,
         [](client::Connection& c) { return c.set_mtu(InterfaceRef::by_name("labA0"), 1000); }, EPERM,
         "MTU 1000 is outside 1280..1500"},
        {"rename outside the pattern", &ua,
         [](client::Connection& c) { return c.rename(InterfaceRef::by_name("labA0"), "eth9"); }, EPERM,
         "\"eth9\" does not match the names rule \"lab\""},
        {"promisc, which the rule leaves out", &ua,
         [](client::Connection& c) { return c.set_flags(InterfaceRef::by_name("labA0"), IFF_PROMISC, IFF_PROMISC); },
         EPERM, "does not allow \"promisc\""},
        {"link address, which the rule leaves out", &ua,
         [](client::Connection& c) {
             return c.set_lladdr(InterfaceRef::by_name("labA0"), {0x02, 0, 0, 0, 0, 9});
         },
         EPERM, "does not allow \"lladdr\""},
        {"destroy another user's interface", &ua,
         [](client::Connection& c) { return c.destroy(InterfaceRef::by_name("labB0")); }, EPERM, "labB0 is owned by uid"},
        {"delete another user's address", &ua,
         [](client::Connection& c) { return c.addr_del(InterfaceRef::by_name("labB0"), v4("10.9.1.1", 24)); }, EPERM,
         "labB0 is owned by uid"},
        {"join a multicast group on another user's interface", &ua,
         [](client::Connection& c) { return c.multi_add(InterfaceRef::by_name("labB0"), {0x01, 0, 0x5e, 0, 0, 9}); },
         EPERM, "labB0 is owned by uid"},
        {"open a queue of another user's TAP", &ua,
         [](client::Connection& c) {
             int q = -1;
             const client::Result rc = c.open_queue(InterfaceRef::by_name("labB0"), &q);
             if (q >= 0) ::close(q);
             return rc;
         },
         EACCES, "only its owner, members of its group or root may open its queues"},
        {"give away its own interface", &ua,
         [&](client::Connection& c) { return c.set_owner(InterfaceRef::by_name("labA0"), ub.uid); }, EPERM,
         "only root may change who owns labA0"},
        {"reload the policy", &ua, [](client::Connection& c) { return c.reload(); }, EPERM,
         "only root may reload"},
        {"a user without a rule on someone's interface", &uc,
         [](client::Connection& c) { return c.set_mtu(InterfaceRef::by_name("labA0"), 1300); }, EPERM,
         "labA0 is owned by uid"},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        const json before = kernel_state();
        const Outcome o = parse(as(*row.user, sock, [&](client::Connection& c) {
            return outcome(row.call(c));
        }));
        CHECK(o.rc == -row.err);
        CHECK_THAT(o.message, Catch::Contains(row.message));
        CHECK(kernel_state() == before);
    }

    // Over the count: a owns labA0 and may own one more.
    CHECK(parse(as(ua, sock, [](client::Connection& c) {
              proto::Interface r;
              return outcome(c.create("labA1", {}, r));
          })).rc == 0);
    {
        INFO("create over max_interfaces");
        const json before = kernel_state();
        const Outcome o = parse(as(ua, sock, [](client::Connection& c) {
            proto::Interface r;
            return outcome(c.create("labA2", {}, r));
        }));
        CHECK(o.rc == -EPERM);
        CHECK_THAT(o.message, Catch::Contains("owns 2 interface(s), the most rule \"lab\"") &&
                                  Catch::Contains("max_interfaces = 2"));
        CHECK(kernel_state() == before);
    }

    // The audit log has the refusals and the changes, with who and before -> after.
    std::ifstream log(d->dir() + "/ifctld.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Contains("audit: result=ok uid=" + std::to_string(ua.uid)) &&
                         Catch::Contains("op=set-mtu interface=labA0 before=mtu=1500 after=mtu=1400"));
    CHECK_THAT(text, Catch::Contains("audit: result=refused uid=" + std::to_string(ua.uid)) &&
                         Catch::Contains("op=set-mtu interface=labA0 before=mtu=1400 after=mtu=1400 errno=EPERM"));
    CHECK_THAT(text, Catch::Contains("comm=test_policy"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("limits: connections per uid, request size, hello timeout") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", lab_policy("hello_timeout = 1\n")));
    const std::string sock = d->socket();

    SECTION("a fifth connection of one user is refused; root and the user's others go on") {
        const Outcome o = parse(as(ua, sock, [&](client::Connection& first) {
            std::vector<std::unique_ptr<client::Connection>> held;
            std::string why;
            for (int i = 0; i < 3; ++i) {
                std::unique_ptr<client::Connection> c;
                if (client::Connection::open(sock, c, why) < 0) return outcome(99, "could not open " + why);
                held.push_back(std::move(c));
            }
            std::unique_ptr<client::Connection> fifth;
            const int rc = client::Connection::open(sock, fifth, why);
            // The four it holds still work.
            std::vector<proto::Interface> all;
            if (first.list(all) < 0 || held.back()->list(all) < 0) return outcome(98, "held connection broke");
            return outcome(rc, why);
        }));
        CHECK(o.rc == -EUSERS);
        CHECK_THAT(o.message, Catch::Contains("already has 4 connections") &&
                                  Catch::Contains("limits.max_connections_per_uid"));
        std::unique_ptr<client::Connection> root;
        std::string why;
        REQUIRE(client::Connection::open(sock, root, why) == 0);
        // Once they are closed, the user connects again (the daemon sees the
        // closes in its own time: a bounded number of tries).
        bool again = false;
        for (int i = 0; i < 100 && !again; ++i) {
            again = parse(as(ua, sock, [](client::Connection&) { return outcome(0, ""); })).rc == 0;
            if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CHECK(again);
    }
    SECTION("a request larger than max_request_bytes is refused with EMSGSIZE") {
        const json before = kernel_state();
        const Outcome o = parse(as(ua, sock, [](client::Connection& c) {
            proto::Writer w = c.request(Op::Get, nullptr);
            w.str(wire_type(AttrType::Name), "lo");
            w.str(wire_type(AttrType::Software), std::string(200, 'x'));  // not allowed on get, but size is judged first
            std::vector<uint8_t> pad(5000, 'y');
            w.raw(wire_type(AttrType::Lladdr), pad.data(), pad.size());
            client::DecodedReply r;
            const int rc = c.call(w, r);
            return outcome(rc < 0 ? rc : -r.status, r.message);
        }));
        CHECK(o.rc == -EMSGSIZE);
        CHECK_THAT(o.message, Catch::Contains("request longer than 4096 bytes (limits.max_request_bytes)"));
        CHECK(kernel_state() == before);
    }
    SECTION("a connection that never says hello is closed") {
        const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, sock.c_str(), sizeof sa.sun_path - 1);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        timeval tv{10, 0};  // a bound, far above hello_timeout = 1
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char b;
        CHECK(::recv(fd, &b, 1, 0) == 0);  // closed by the daemon, not timed out here
        ::close(fd);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a client that does not read its replies is told so, and its requests are not run") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", "[limits]\nmax_in_flight = 4\nmax_queued_replies = 64\n"));
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, d->socket().c_str(), sizeof sa.sun_path - 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    auto frame = [](Op op, uint32_t id) {
        proto::Writer w(static_cast<uint16_t>(op), 0, id);
        if (op == Op::Hello) w.u32(wire_type(AttrType::Version), proto::kVersion);
        else w.str(wire_type(AttrType::Name), "lo");
        return w.finish();
    };
    auto status_of = [&](uint32_t& id) {
        std::vector<uint8_t> buf(proto::kMaxFrame);
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        REQUIRE(n >= 16);
        proto::Header h;
        buf.resize(static_cast<size_t>(n));
        REQUIRE_FALSE(proto::parse_header(buf, h, true));
        id = h.id;
        return h.status;
    };
    const auto hello = frame(Op::Hello, 1);
    REQUIRE(::send(fd, hello.data(), hello.size(), 0) > 0);
    uint32_t id;
    REQUIRE(status_of(id) == 0);
    // A sender that never reads: it blocks once the daemon stops reading it.
    constexpr uint32_t kRequests = 3000;
    std::thread sender([&] {
        for (uint32_t i = 0; i < kRequests; ++i) {
            const auto f = frame(Op::Get, 100 + i);
            if (::send(fd, f.data(), f.size(), 0) < 0) return;
        }
    });
    // Wait (bounded) until the daemon says it refused, then read everything.
    bool told = false;
    for (int i = 0; i < 500 && !told; ++i) {
        std::ifstream log(d->dir() + "/ifctld.log");
        const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
        told = text.find("over limits.max_in_flight") != std::string::npos;
        if (!told) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(told);
    size_t ok = 0, refused = 0;
    for (uint32_t i = 0; i < kRequests; ++i) {
        const int st = status_of(id);
        REQUIRE(id == 100 + i);  // in order, every one answered
        (st == 0 ? ok : refused) += 1;
        if (st) REQUIRE(st == ENOBUFS);
    }
    sender.join();
    CHECK(ok > 0);
    CHECK(refused > 0);
    const auto last = frame(Op::Get, 9999);
    REQUIRE(::send(fd, last.data(), last.size(), 0) > 0);
    CHECK(status_of(id) == 0);
    ::close(fd);
    std::filesystem::remove_all(dir);
}

TEST_CASE("reload: a good file takes effect, a bad one is refused with line and column and the old policy stays") {
    const std::string dir = temp_dir();
    const std::string conf = write_file(dir, "c.toml", lab_policy());
    auto d = start(conf);
    const std::string sock = d->socket();
    auto c_creates = [&](const std::string& name) {
        return parse(as(uc, sock, [&](client::Connection& c) {
            proto::Interface r;
            return outcome(c.create(name, {}, r));
        }));
    };
    std::unique_ptr<client::Connection> root;
    std::string why;
    REQUIRE(client::Connection::open(sock, root, why) == 0);
    REQUIRE(c_creates("labC0").rc == -EPERM);

    // A rule for c, by user name, loaded by the reload request.
    write_file(dir, "c.toml", lab_policy() + "\n[[policy.rule]]\nname = \"c\"\nusers = [\"" + uc.name +
                                  "\"]\ncreate = true\nnames = [\"labC*\"]\n");
    const client::Result loaded = root->reload();
    CHECK(loaded == 0);
    CHECK_THAT(loaded.message, Catch::Contains("2 rule(s)"));
    CHECK(c_creates("labC0").rc == 0);

    // A bad file: refused with file:line:column, and c may still create.
    write_file(dir, "c.toml", lab_policy() + "\n[[policy.rule]]\nname = \"c\"\nusers = [\"" + uc.name +
                                  "\"]\noperations = [\"fly\"]\n");
    const json before = kernel_state();
    const client::Result refused = root->reload();
    CHECK(refused == -EINVAL);
    CHECK_THAT(refused.message, Catch::Contains(conf + ":23:") && Catch::Contains("unknown operation \"fly\"") &&
                                    Catch::Contains("the policy in force stays"));
    CHECK(kernel_state() == before);
    CHECK(c_creates("labC1").rc == 0);
    // The same through the command line: exit 1, the position on stderr.
    const std::string cli = std::string(std::getenv("IFCTL_CLI")) + " --socket " + sock + " --reload 2>&1; echo exit=$?";
    CHECK_THAT(test::run(cli), Catch::Contains(conf + ":23:") && Catch::Contains("exit=1"));

    // SIGHUP with the rule for c gone: c is refused again (bounded wait for the signal).
    write_file(dir, "c.toml", lab_policy());
    ::kill(d->pid(), SIGHUP);
    Outcome o;
    for (int i = 0; i < 100; ++i) {
        o = c_creates("labC2");
        if (o.rc == -EPERM) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(o.rc == -EPERM);
    CHECK_THAT(o.message, Catch::Contains("does not let uid " + std::to_string(uc.uid)));
    CHECK(link("labC2").is_null());
    CHECK_THAT(test::run(cli), Catch::Contains("reloaded the policy from " + conf + ": 1 rule(s)") &&
                                   Catch::Contains("exit=0"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a policy can narrow what owners may do: [policy.default]") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", "[policy.default]\noperations = [\"flags\"]\n"));
    std::unique_ptr<client::Connection> root;
    std::string why;
    REQUIRE(client::Connection::open(d->socket(), root, why) == 0);
    ::chmod(d->socket().c_str(), 0666);
    proto::Interface rec;
    REQUIRE(root->create("own0", {.owner = uc.uid}, rec) == 0);
    const json before = kernel_state();
    const Outcome mtu = parse(as(uc, d->socket(), [](client::Connection& c) {
        return outcome(c.set_mtu(InterfaceRef::by_name("own0"), 1400));
    }));
    CHECK(mtu.rc == -EPERM);
    CHECK_THAT(mtu.message, Catch::Contains("[policy.default] (" + dir + "/c.toml:1) does not allow \"mtu\""));
    CHECK(kernel_state() == before);
    const Outcome up = parse(as(uc, d->socket(), [](client::Connection& c) {
        return outcome(c.set_flags(InterfaceRef::by_name("own0"), IFF_UP, IFF_UP));
    }));
    CHECK(up.rc == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("policy files: errors name file, line and column") {
    const char* exe = std::getenv("IFCTLD");
    const std::string dir = temp_dir();
    auto check = [&](const std::string& text) {
        write_file(dir, "c.toml", text);
        return test::run(std::string(exe) + " --check-config " + dir + "/c.toml 2>&1; echo exit=$?");
    };
    CHECK_THAT(check(lab_policy()), Catch::Contains("c.toml: ok"));
    CHECK_THAT(check("[[policy.rule]]\nname = \"x\"\ncreate = true\n"),
               Catch::Contains("c.toml:1:1: rule \"x\" names no users and no groups") && Catch::Contains("exit=1"));
    CHECK_THAT(check("[[policy.rule]]\nusers = [\"ifct-no-such-user\"]\n"),
               Catch::Contains("c.toml:2:10: no such user \"ifct-no-such-user\""));
    CHECK_THAT(check("[[policy.rule]]\nusers = [0]\naddress_prefixes = [\"10.0.0.0/33\"]\n"),
               Catch::Contains("c.toml:3:") && Catch::Contains("bad prefix length"));
    CHECK_THAT(check("[[policy.rule]]\nusers = [0]\nmtu = [9000, 1280]\n"),
               Catch::Contains("c.toml:3:") && Catch::Contains("mtu must be [MIN, MAX]"));
    CHECK_THAT(check("[policy]\nrules = []\n"), Catch::Contains("c.toml:2:1: unknown key \"rules\" in [policy]"));
    CHECK_THAT(check("[policy.default]\ncreat = true\n"),
               Catch::Contains("c.toml:2:1: unknown key \"creat\" in [policy.default]"));
    CHECK_THAT(check("[limits]\nmax_request_bytes = 10\n"), Catch::Contains("max_request_bytes must be 64..65536"));
    std::filesystem::remove_all(dir);
}

namespace {

std::string log_of(const test::Daemon& d) {
    std::ifstream log(d.dir() + "/ifctld.log");
    return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
}

// TUNSETIFF on /dev/net/tun, as any program may try: "RC ERRNO".
std::string attach_directly(const std::string& name) {
    const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return outcome(-errno, "open");
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
    const int rc = ::ioctl(fd, TUNSETIFF, &ifr) < 0 ? -errno : 0;
    ::close(fd);
    return outcome(rc, "TUNSETIFF");
}

json tun_info(const std::string& name) {
    return json::parse(test::run("ip -j -d link show dev " + name))[0]["linkinfo"]["info_data"];
}

}  // namespace

TEST_CASE("bypasses as a real user: rename patterns, SIOCSIFADDR through the shim, the kernel owner") {
    const std::string dir = temp_dir();
    std::string policy = lab_policy();
    const std::string rename_rule = "rename_to = [\"lab*\"]";
    policy.replace(policy.find(rename_rule), rename_rule.size(), "rename_to = [\"lab*[!0-9]\"]");
    auto d = start(write_file(dir, "c.toml", policy));
    const std::string sock = d->socket();
    std::unique_ptr<client::Connection> root;
    std::string why;
    REQUIRE(client::Connection::open(sock, root, why) == 0);
    proto::Interface rec;
    REQUIRE(root->create("rootx0", {}, rec) == 0);
    REQUIRE(parse(as(ua, sock, [](client::Connection& c) {
                proto::Interface r;
                client::Result rc = c.create("labA0", {}, r);
                if (rc.ok()) rc = c.addr_add(InterfaceRef::by_name("labA0"), v4("10.9.0.1", 24));
                return outcome(rc);
            })).rc == 0);

    SECTION("a rename pattern is judged on the name the kernel would give") {
        const json before = kernel_state();
        for (const char* to : {"lab8", "lab%d"}) {
            INFO(to);
            const Outcome o = parse(as(ua, sock, [&](client::Connection& c) {
                return outcome(c.rename(InterfaceRef::by_name("labA0"), to));
            }));
            CHECK(o.rc == -EPERM);
            CHECK_THAT(o.message, Catch::Contains("does not match the names rule \"lab\""));
        }
        CHECK(kernel_state() == before);
        CHECK_FALSE(link("labA0").is_null());
    }
    SECTION("a refused SIOCSIFADDR through the shim leaves the old address") {
        const json before = kernel_state();
        const Outcome o = parse(test::run_as(ua, [] {
            const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            struct ifreq ifr {};
            std::strcpy(ifr.ifr_name, "labA0");
            sockaddr_in sin{};
            sin.sin_family = AF_INET;
            ::inet_pton(AF_INET, "172.16.0.1", &sin.sin_addr);
            std::memcpy(&ifr.ifr_addr, &sin, sizeof sin);
            const int rc = ifctl_ioctl(s, SIOCSIFADDR, &ifr) < 0 ? -errno : 0;
            ::close(s);
            return outcome(rc, "SIOCSIFADDR");
        }));
        CHECK(o.rc == -EPERM);
        CHECK(kernel_state() == before);
    }
    SECTION("no user attaches to a managed TAP through /dev/net/tun, its own or root's") {
        const json before = kernel_state();
        CHECK(parse(test::run_as(ua, [] { return attach_directly("labA0"); })).rc == -EPERM);
        CHECK(parse(test::run_as(uc, [] { return attach_directly("rootx0"); })).rc == -EPERM);
        CHECK(parse(test::run_as(ud, [] { return attach_directly("rootx0"); })).rc == -EPERM);
        CHECK(kernel_state() == before);
        CHECK(tun_info("labA0")["user"] == "root");
        CHECK(tun_info("rootx0")["group"] == "root");
    }
    SECTION("a queue holder's TUNSETOWNER and TUNSETPERSIST are reported, published as events and undone") {
        const uid_t uid = ua.uid;
        // A subscriber to tampered events about labA0 (the kind is sent only to those who name it).
        std::unique_ptr<client::Connection> watcher;
        REQUIRE(client::Connection::open(sock, watcher, why, "test", 10000) == 0);
        const InterfaceRef watched = InterfaceRef::by_name("labA0");
        REQUIRE(watcher->subscribe(&watched, proto::kEvTampered) == 0);
        const Outcome o = parse(as(ua, sock, [&](client::Connection& c) {
            int q = -1;
            client::Result rc = c.open_queue(InterfaceRef::by_name("labA0"), &q);
            if (rc.ok() && ::ioctl(q, TUNSETPERSIST, 0UL) < 0) rc = {-errno, {}};
            if (rc.ok() && ::ioctl(q, TUNSETOWNER, static_cast<unsigned long>(uid)) < 0) rc = {-errno, {}};
            if (q >= 0) ::close(q);
            return outcome(rc);
        }));
        REQUIRE(o.rc == 0);
        CHECK(test::eventually([&] {
            const std::string log = log_of(*d);
            return log.find("labA0: its kernel owner or group was changed behind ifctld's back (owner " +
                            std::to_string(uid)) != std::string::npos &&
                   log.find("labA0: its persist flag was cleared behind ifctld's back; set again") != std::string::npos;
        }));
        std::string details;
        for (int i = 0; i < 2; ++i) {
            proto::Event ev;
            REQUIRE(watcher->next_event(ev) == 0);  // bounded: the connection's 10 s timeout
            CHECK(ev.kind == proto::kEvTampered);
            CHECK(ev.name == "labA0");
            CHECK(ev.managed);
            details += ev.detail + "\n";
        }
        CHECK_THAT(details, Catch::Contains("labA0: its kernel owner or group was changed behind ifctld's back (owner " +
                                            std::to_string(uid)) &&
                                Catch::Contains("labA0: its persist flag was cleared behind ifctld's back; set again"));
        const json info = tun_info("labA0");
        CHECK(info["user"] == "root");
        CHECK(info["persist"] == true);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a TAP's group may open its queues through the daemon, and nothing more") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", lab_policy()));
    const std::string sock = d->socket();
    std::unique_ptr<client::Connection> root;
    std::string why;
    REQUIRE(client::Connection::open(sock, root, why) == 0);
    proto::Interface rec;
    REQUIRE(root->create("rootq0", {.queues = 2, .group = static_cast<int64_t>(ub.gid)}, rec) == 0);
    const auto open_queue = [](client::Connection& c) {
        int q = -1;
        const client::Result r = c.open_queue(InterfaceRef::by_name("rootq0"), &q);
        int rc = r.error;
        struct ifreq ifr {};
        if (!rc && ::ioctl(q, TUNGETIFF, &ifr) < 0) rc = -errno;
        if (q >= 0) ::close(q);
        return outcome(rc, rc ? r.message : std::string(ifr.ifr_name));
    };
    // ub is in the TAP's group (its own primary group): it gets a queue of rootq0.
    const Outcome member = parse(as(ub, sock, open_queue));
    CHECK(member.rc == 0);
    CHECK(member.message == "rootq0");
    // The member's queue closed with its process; the daemon attaches its own
    // queue again in its next maintenance pass. Wait for that, so that the
    // state compared below does not change under the comparison.
    REQUIRE(test::eventually([] { return tun_info("rootq0")["numqueues"] == 1; }, 10000));
    // ua has a rule that grants queues, but is not in the group.
    const json before = kernel_state();
    const Outcome outsider = parse(as(ua, sock, open_queue));
    CHECK(outsider.rc == -EACCES);
    CHECK_THAT(outsider.message, Catch::Contains("rootq0 is owned by uid 0; only its owner, members of its group or root "
                                                 "may open its queues"));
    // The group is for queues only: a member changes nothing else.
    const Outcome mtu = parse(as(ub, sock, [](client::Connection& c) {
        const client::Result r = c.set_mtu(InterfaceRef::by_name("rootq0"), 1400);
        return outcome(r.error, r.message);
    }));
    CHECK(mtu.rc == -EPERM);
    CHECK_THAT(mtu.message, Catch::Contains("rootq0 is owned by uid 0"));
    CHECK(kernel_state() == before);
    // In the kernel the TAP stays root's: the group is the daemon's, not TUNSETGROUP's.
    CHECK(tun_info("rootq0")["group"] == "root");
    CHECK(tun_info("rootq0")["user"] == "root");
    std::filesystem::remove_all(dir);
}

TEST_CASE("client text is escaped in the log and the audit records") {
    const std::string dir = temp_dir();
    auto d = start(write_file(dir, "c.toml", lab_policy()));
    const std::string sock = d->socket();
    // A program name with ESC and CR, and an interface name with ESC: both refused, both logged.
    const Outcome o = parse(test::run_as(ua, [&] {
        ::prctl(PR_SET_NAME, "ev\x1b[2Jil\r", 0, 0, 0);  // before connecting: the daemon reads it at accept
        std::unique_ptr<client::Connection> c;
        std::string why;
        if (int rc = client::Connection::open(sock, c, why); rc < 0) return outcome(rc, why);
        proto::Interface r;
        return outcome(c->create("lab\x1b]0;x\x07", {.queues = 9}, r));
    }));
    CHECK(o.rc == -EPERM);
    const std::string log = log_of(*d);
    REQUIRE_THAT(log, Catch::Contains("audit: result=refused"));
    CHECK(log.find('\x1b') == std::string::npos);
    CHECK(log.find('\r') == std::string::npos);
    CHECK(log.find('\x07') == std::string::npos);
    CHECK_THAT(log, Catch::Contains("comm=\"ev\\\\x1b[2Jil\\\\x0d\""));
    CHECK_THAT(log, Catch::Contains("interface=\"lab\\\\x1b]0;x\\\\x07\""));
    std::filesystem::remove_all(dir);
}

int main(int argc, char** argv) {
    // Users for the whole run, removed at the end whatever happens (see test_users.hpp).
    std::optional<test::TestUsers> users;
    return test::run_catch_as_root(argc, argv, [&] {
        test::loopback_up();
        // The access matrix compares the kernel's view before and after each
        // refusal: an IPv6 address still tentative (DAD) would change under it.
        test::no_dad();
        g_users = &users.emplace("p4");
        users->add_group("sock");
        users->add_group("lab");
        ua = users->add_user("a", {"sock", "lab"});
        ub = users->add_user("b", {"sock", "lab"});
        uc = users->add_user("c", {"sock"});
        ud = users->add_user("d");
        return 0;
    });
}
