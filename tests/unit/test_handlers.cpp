// The request pipeline and the handlers against a fake kernel
// (fake_kernel.hpp): each handler's success path and its refusals, the
// pipeline's order (events, target, policy, handler), and a batch's rollback.
// No root, no namespace, no TAP.
#include <catch2/catch.hpp>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <spdlog/spdlog.h>

#include "daemon/core/dispatch.hpp"
#include "daemon/core/operations.hpp"
#include "daemon/core/tap_guard.hpp"
#include "tests/unit/fake_kernel.hpp"

using namespace ifctl;
using namespace ifctl::daemon;
using proto::AttrType;
using proto::Op;

namespace {

proto::Writer request(Op op, const std::string& name) {
    proto::Writer w(static_cast<uint16_t>(op), 0, 1);
    w.str(wire_type(AttrType::Name), name);
    return w;
}

proto::Address v4(const char* text, uint8_t prefix) {
    proto::Address a;
    a.family = AF_INET;
    ::inet_pton(AF_INET, text, a.local.data());
    a.prefix = prefix;
    return a;
}

proto::Writer with_address(proto::Writer w, AttrType which, const proto::Address& a) {
    proto::encode_address(w, which, a);
    return w;
}

proto::Writer create_request(const std::string& name) {
    proto::Writer w(static_cast<uint16_t>(Op::Create), 0, 1);
    w.str(wire_type(AttrType::NewName), name);
    return w;
}

struct World {
    test::FakeKernel kernel;
    Registry registry;
    Dispatcher dispatcher{kernel, registry};
    Peer root{0, 0, 1, {}, "test", 1};
    Peer owner{1000, 1000, 2, {}, "test", 2};
    Peer stranger{1001, 1001, 3, {}, "test", 3};

    World() {
        spdlog::set_level(spdlog::level::off);
        kernel.add_link(1, "lo");
        Managed m;
        if (Tap::create(kernel.tun(), "tap0", false, m.tap, 7) < 0) FAIL("the fake TAP driver made no tap0");
        m.owner = owner.uid;
        registry.add(7, std::move(m));
    }
    Reply run(const Peer& p, proto::Writer w) {
        const std::vector<uint8_t> frame = w.finish();
        proto::Request req;
        if (proto::Error e = proto::validate_request(frame, req)) FAIL("invalid request: " << e.message);
        return dispatcher.handle(p, req);
    }
    const proto::Interface& tap() { return kernel.links.at(7); }
    test::FakeTun::Device& device(uint32_t index) { return kernel.tap_driver.devices.at(index); }
};

}  // namespace

TEST_CASE("link settings: success and the kernel's refusal") {
    World w;
    SECTION("set-mtu") {
        Reply r = w.run(w.owner, std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400)));
        CHECK(r.status == 0);
        CHECK(w.tap().mtu == 1400);
        r = w.run(w.owner, std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 10)));
        CHECK(r.status == EINVAL);
        CHECK(r.message.find("accepts 68..65521") != std::string::npos);
        CHECK(w.tap().mtu == 1400);
    }
    SECTION("set-txqlen") {
        CHECK(w.run(w.owner, std::move(request(Op::SetTxqlen, "tap0").u32(wire_type(AttrType::Txqlen), 42))).status == 0);
        CHECK(w.tap().txqlen == 42);
    }
    SECTION("set-flags under a mask") {
        CHECK(w.run(w.owner, std::move(request(Op::SetFlags, "tap0").u32(wire_type(AttrType::Flags), IFF_UP).u32(wire_type(AttrType::FlagsMask), IFF_UP))).status == 0);
        CHECK(w.tap().flags & IFF_UP);
        // An empty mask changes nothing and asks the kernel nothing.
        const size_t before = w.kernel.changes();
        CHECK(w.run(w.owner, std::move(request(Op::SetFlags, "tap0").u32(wire_type(AttrType::Flags), 0).u32(wire_type(AttrType::FlagsMask), 0))).status == 0);
        CHECK(w.kernel.changes() == before);
    }
    SECTION("set-metric is the daemon's own fact") {
        CHECK(w.run(w.owner, std::move(request(Op::SetMetric, "tap0").s32(wire_type(AttrType::Metric), 5))).status == 0);
        CHECK(w.registry.find(7)->metric == 5);
        CHECK(w.kernel.changes() == 0);
    }
    SECTION("rename, and a name taken") {
        CHECK(w.run(w.owner, std::move(request(Op::Rename, "tap0").str(wire_type(AttrType::NewName), "lab0"))).status == 0);
        CHECK(w.tap().name == "lab0");
        Reply r = w.run(w.root, std::move(request(Op::Rename, "lab0").str(wire_type(AttrType::NewName), "lo")));
        CHECK(r.status == EEXIST);
        CHECK(w.tap().name == "lab0");
    }
    SECTION("set-lladdr") {
        const std::vector<uint8_t> mac{0x02, 1, 2, 3, 4, 5};
        CHECK(w.run(w.owner, std::move(request(Op::SetLladdr, "tap0").bytes(wire_type(AttrType::Lladdr), mac))).status == 0);
        CHECK(w.tap().lladdr == mac);
    }
}

TEST_CASE("settings: description, interface groups, inet6; the owner may, a stranger may not") {
    World w;
    SECTION("interface groups: joined once, left once, the exact errno otherwise") {
        CHECK(w.run(w.owner, std::move(request(Op::GroupAdd, "tap0").str(wire_type(AttrType::IfGroup), "vms"))).status == 0);
        CHECK(w.registry.find(7)->groups == std::vector<std::string>{"vms"});
        CHECK(w.run(w.owner, std::move(request(Op::GroupAdd, "tap0").str(wire_type(AttrType::IfGroup), "vms"))).status == EEXIST);
        CHECK(w.run(w.owner, std::move(request(Op::GroupDel, "tap0").str(wire_type(AttrType::IfGroup), "lab"))).status == ENOENT);
        CHECK(w.registry.find(7)->groups == std::vector<std::string>{"vms"});
        CHECK(w.run(w.owner, std::move(request(Op::GroupDel, "tap0").str(wire_type(AttrType::IfGroup), "vms"))).status == 0);
        CHECK(w.registry.find(7)->groups.empty());
    }
    SECTION("a stranger changes nothing") {
        CHECK(w.run(w.stranger, std::move(request(Op::GroupAdd, "tap0").str(wire_type(AttrType::IfGroup), "vms"))).status == EPERM);
        CHECK(w.run(w.stranger, std::move(request(Op::SetDescription, "tap0").str(wire_type(AttrType::Description), "x"))).status ==
              EPERM);
        CHECK(w.run(w.stranger, std::move(request(Op::SetInet6, "tap0").u8(wire_type(AttrType::NoDad), 1))).status == EPERM);
        CHECK(w.registry.find(7)->groups.empty());
        CHECK_FALSE(w.registry.find(7)->no_dad);
        CHECK(w.kernel.changes() == 0);
    }
    SECTION("no_dad is the daemon's own fact") {
        CHECK(w.run(w.owner, std::move(request(Op::SetInet6, "tap0").u8(wire_type(AttrType::NoDad), 1))).status == 0);
        CHECK(w.registry.find(7)->no_dad);
        CHECK(w.kernel.changes() == 0);
    }
}

TEST_CASE("addresses: add, delete, replace all or nothing") {
    World w;
    const proto::Address a = v4("10.0.0.1", 24), b = v4("10.0.0.2", 24);
    REQUIRE(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
    REQUIRE(w.tap().addresses.size() == 1);
    SECTION("adding it again: the kernel's EEXIST") {
        CHECK(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == EEXIST);
    }
    SECTION("delete, then delete what is not there") {
        CHECK(w.run(w.owner, with_address(request(Op::AddrDel, "tap0"), AttrType::Address, a)).status == 0);
        CHECK(w.tap().addresses.empty());
        CHECK(w.run(w.owner, with_address(request(Op::AddrDel, "tap0"), AttrType::Address, a)).status == EADDRNOTAVAIL);
    }
    SECTION("replace") {
        CHECK(w.run(w.owner, with_address(with_address(request(Op::AddrReplace, "tap0"), AttrType::OldAddress, a), AttrType::Address, b)).status == 0);
        REQUIRE(w.tap().addresses.size() == 1);
        CHECK(w.tap().addresses[0].same_local(b));
    }
    SECTION("replace of an address not held: EADDRNOTAVAIL, nothing asked of the kernel") {
        const size_t before = w.kernel.changes();
        CHECK(w.run(w.owner, with_address(with_address(request(Op::AddrReplace, "tap0"), AttrType::OldAddress, b), AttrType::Address, a)).status == EADDRNOTAVAIL);
        CHECK(w.kernel.changes() == before);
    }
    SECTION("a replace the kernel refuses puts the old address back") {
        w.kernel.fail["add_address"] = -ENOMEM;
        CHECK(w.run(w.owner, with_address(with_address(request(Op::AddrReplace, "tap0"), AttrType::OldAddress, a), AttrType::Address, b)).status == ENOMEM);
        REQUIRE(w.tap().addresses.size() == 1);
        CHECK(w.tap().addresses[0].same_local(a));
    }
}

// A move the kernel makes but whose configuration the other namespace refuses
// is undone: the TAP comes back, with what the move took from it, and stays
// managed. (The fake kernel's other namespace; pid 1 only names it.)
TEST_CASE("move-netns: a move that cannot complete is undone and the TAP stays managed") {
    World w;
    test::FakeKernel there;
    there.add_link(1, "lo");
    w.kernel.other = &there;
    there.other = &w.kernel;
    const proto::Address a = v4("10.9.0.1", 24);
    REQUIRE(w.run(w.root, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
    REQUIRE(w.run(w.root, std::move(request(Op::SetFlags, "tap0").u32(wire_type(AttrType::Flags), IFF_UP).u32(wire_type(AttrType::FlagsMask), IFF_UP)))
                .status == 0);
    const proto::Interface before = w.tap();
    auto move = [&] { return w.run(w.root, std::move(request(Op::MoveNetns, "tap0").u32(wire_type(AttrType::NetnsPid), 1))); };

    SECTION("an address refused there") {
        there.fail["add_address"] = -EACCES;
        const Reply r = move();
        CHECK(r.status == EACCES);
        CHECK(r.message == "could not re-apply the configuration of tap0 in the network namespace of pid 1 (address "
                           "10.9.0.1/24: Permission denied): the move was undone, tap0 is here and managed");
        CHECK(there.links.size() == 1);  // only its lo
        REQUIRE(w.kernel.links.count(7));
        CHECK(w.tap().addresses == before.addresses);
        CHECK(w.tap().flags == before.flags);
        REQUIRE(w.registry.find(7));
        CHECK(w.registry.find(7)->owner == w.owner.uid);
        CHECK(w.registry.moved().empty());
        // Managed here: its owner may go on changing it.
        CHECK(w.run(w.owner, std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400))).status == 0);
    }
    SECTION("the move back refused too: it stays there, known as moved") {
        there.fail["add_address"] = -EACCES;
        there.other = nullptr;  // the move back fails (EINVAL)
        const Reply r = move();
        CHECK(r.status == EACCES);
        CHECK(r.message == "moved tap0 to pid 1 but could not re-apply its configuration there (address 10.9.0.1/24: "
                           "Permission denied) nor move it back");
        CHECK_FALSE(w.kernel.links.count(7));
        CHECK(w.registry.moved().size() == 1);
    }
    SECTION("a namespace that cannot be entered: nothing moves") {
        w.kernel.fail["run_in_netns"] = -EPERM;
        const Reply r = move();
        CHECK(r.status == EPERM);
        CHECK(w.tap().addresses == before.addresses);
        CHECK(w.tap().flags == before.flags);
        CHECK(there.links.size() == 1);
        CHECK(w.registry.find(7));
    }
    SECTION("a move that completes") {
        CHECK(move().status == 0);
        CHECK_FALSE(w.kernel.links.count(7));
        REQUIRE(there.links.count(7));
        CHECK(there.links.at(7).addresses == before.addresses);
        CHECK(w.registry.moved().size() == 1);
    }
}

// The way back: the namespace is the one the TAP's device reports (the fake
// driver's stands for the other), the addresses and flags it has there come
// with it, and it is managed here again.
TEST_CASE("move-home: a TAP moved away comes back with what it has there") {
    World w;
    test::FakeKernel there;
    there.add_link(1, "lo");
    w.kernel.other = &there;
    there.other = &w.kernel;
    auto home = [&](const Peer& p, const std::string& name) { return w.run(p, request(Op::MoveHome, name)); };

    SECTION("refused while it is here, for an unknown name, an unmanaged one, and to a user") {
        Reply r = home(w.root, "tap0");
        CHECK(r.status == EEXIST);
        CHECK(r.message == "tap0 is already in ifctld's network namespace");
        CHECK(home(w.root, "nope0").status == ENODEV);
        r = home(w.root, "lo");
        CHECK(r.status == EPERM);
        CHECK(r.unmanaged);
        CHECK(w.kernel.changes() == 0);
    }
    const proto::Address a = v4("10.9.0.1", 24);
    REQUIRE(w.run(w.root, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
    REQUIRE(w.run(w.root, std::move(request(Op::MoveNetns, "tap0").u32(wire_type(AttrType::NetnsPid), 1))).status == 0);
    REQUIRE(there.links.count(7));
    REQUIRE(w.registry.moved().size() == 1);

    SECTION("it comes back with the address it got there") {
        const proto::Address b = v4("10.8.0.2", 24);
        REQUIRE(there.add_address(7, b) == 0);
        const Reply r = home(w.root, "tap0");
        CHECK(r.status == 0);
        REQUIRE(r.interfaces.size() == 1);
        CHECK(r.interfaces[0].name == "tap0");
        CHECK(r.interfaces[0].managed);
        CHECK(there.links.size() == 1);
        REQUIRE(w.kernel.links.count(7));
        CHECK(w.tap().addresses.size() == 2);
        CHECK(w.registry.moved().empty());
        REQUIRE(w.registry.find(7));
        CHECK(w.registry.find(7)->netns.empty());
        CHECK(w.registry.find(7)->owner == w.owner.uid);
        // Managed here: its owner may change it again; a second move home is refused.
        CHECK(w.run(w.owner, std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400))).status == 0);
        CHECK(home(w.root, "tap0").status == EEXIST);
    }
    SECTION("its configuration refused here: it goes back, with what it had there, and stays moved") {
        REQUIRE(there.add_address(7, v4("10.8.0.2", 24)) == 0);
        LinkChange up;
        up.flags = IFF_UP;
        up.flags_mask = IFF_UP;
        REQUIRE(there.change_link(7, up) == 0);
        const proto::Interface there_before = there.links.at(7);
        w.kernel.fail["add_address"] = -EACCES;
        const Reply r = home(w.root, "tap0");
        CHECK(r.status == EACCES);
        CHECK(r.message == "could not re-apply the configuration of tap0 here (address 10.9.0.1/24: Permission denied): "
                           "the move home was undone, tap0 is back in the network namespace of pid 1");
        CHECK_FALSE(w.kernel.links.count(7));
        REQUIRE(there.links.count(7));
        CHECK(there.links.at(7).addresses == there_before.addresses);
        CHECK(there.links.at(7).flags == there_before.flags);
        CHECK_FALSE(w.registry.find(7));
        REQUIRE(w.registry.moved().size() == 1);
        CHECK(w.registry.moved().begin()->second.netns == "pid 1");
        // Still moved: it can be brought home once it can be configured here.
        CHECK(home(w.root, "tap0").status == 0);
        CHECK(w.kernel.links.count(7));
    }
    SECTION("only root") {
        const Reply r = home(w.owner, "tap0");
        CHECK(r.status == EPERM);
        CHECK(r.message.find("only root may do it") != std::string::npos);
        CHECK(there.links.count(7));
    }
    SECTION("its namespace cannot be found: it stays there, moved") {
        w.kernel.tap_driver.fail["device_netns"] = -EPERM;
        CHECK(home(w.root, "tap0").status == EPERM);
        CHECK(there.links.count(7));
        CHECK(w.registry.moved().size() == 1);
    }
    SECTION("the name is taken here: it stays there, moved") {
        w.kernel.add_link(9, "tap0");
        const Reply r = home(w.root, "tap0");
        CHECK(r.status == EEXIST);
        CHECK(r.message == "another interface is named tap0 in ifctld's network namespace: tap0 stays in the network "
                           "namespace of pid 1");
        CHECK(there.links.count(7));
        CHECK(w.registry.moved().size() == 1);
    }
}

TEST_CASE("the pipeline: events, target, policy, then the handler") {
    World w;
    SECTION("the kernel's events are read before the target is looked up") {
        w.kernel.calls.clear();
        REQUIRE(w.run(w.owner, std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400))).status == 0);
        REQUIRE(w.kernel.calls.size() >= 3);
        CHECK(w.kernel.calls[0] == "poll");
        CHECK(w.kernel.calls[1] == "find");
    }
    SECTION("a missing target: ENODEV for every targeted operation, nothing changed") {
        for (const OpDescriptor* d : all_descriptors()) {
            if (d->route != Route::Handler || d->target != TargetFrom::Request) continue;
            INFO(proto::op_name(static_cast<uint16_t>(d->op)));
            proto::Writer req(static_cast<uint16_t>(d->op), 0, 1);
            req.str(wire_type(AttrType::Name), "nosuch0");
            // Only the target matters here: the request is built without validation.
            proto::Request parsed;
            const std::vector<uint8_t> frame = req.finish();
            if (proto::validate_request(frame, parsed)) continue;  // needs more attributes
            CHECK(w.dispatcher.handle(w.root, parsed).status == ENODEV);
        }
        CHECK(w.kernel.changes() == 0);
    }
    SECTION("an interface the daemon does not manage: EPERM, unmanaged, before the policy") {
        Reply r = w.run(w.root, std::move(request(Op::SetMtu, "lo").u32(wire_type(AttrType::Mtu), 1400)));
        CHECK(r.status == EPERM);
        CHECK(r.unmanaged);
        CHECK(w.kernel.changes() == 0);
    }
    SECTION("the policy refuses before the handler runs") {
        Reply r = w.run(w.stranger, std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400)));
        CHECK(r.status == EPERM);
        CHECK(r.message.find("tap0 is owned by uid 1000") != std::string::npos);
        CHECK(w.kernel.changes() == 0);
        CHECK(w.tap().mtu == 1500);
    }
    SECTION("root-only operations") {
        Reply r = w.run(w.owner, std::move(request(Op::SetOwner, "tap0").u32(wire_type(AttrType::Owner), 1001)));
        CHECK(r.status == EPERM);
        CHECK(r.message == "only root may change who owns tap0");
        CHECK(w.registry.find(7)->owner == 1000);
        CHECK(w.device(7).owner == 0u);
    }
    SECTION("reads need no permission") {
        Reply r = w.run(w.stranger, request(Op::Get, "tap0"));
        CHECK(r.status == 0);
        REQUIRE(r.interfaces.size() == 1);
        CHECK(r.interfaces[0].name == "tap0");
        CHECK(!r.interfaces[0].may_change);
    }
}

TEST_CASE("a batch is all or nothing") {
    World w;
    auto step = [](proto::Writer wr) { return wr.finish(); };
    const proto::Address a = v4("10.0.0.1", 24);
    REQUIRE(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
    SECTION("a failing step undoes the ones before it, in reverse") {
        std::vector<std::vector<uint8_t>> steps;
        steps.push_back(step(std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400))));
        steps.push_back(step(std::move(request(Op::Rename, "tap0").str(wire_type(AttrType::NewName), "lab0"))));
        steps.push_back(step(with_address(request(Op::AddrAdd, "lab0"), AttrType::Address, v4("10.0.1.1", 24))));
        steps.push_back(step(with_address(request(Op::AddrAdd, "lab0"), AttrType::Address, a)));  // EEXIST
        Reply r = w.dispatcher.handle_batch(w.owner, steps);
        CHECK(r.status == EEXIST);
        REQUIRE(r.step_index);
        CHECK(*r.step_index == 3);
        CHECK(w.tap().mtu == 1500);
        CHECK(w.tap().name == "tap0");
        REQUIRE(w.tap().addresses.size() == 1);
        CHECK(w.tap().addresses[0].same_local(a));
    }
    SECTION("a step the policy refuses: nothing runs") {
        std::vector<std::vector<uint8_t>> steps;
        steps.push_back(step(std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400))));
        steps.push_back(step(std::move(request(Op::SetMtu, "lo").u32(wire_type(AttrType::Mtu), 1400))));
        Reply r = w.dispatcher.handle_batch(w.owner, steps);
        CHECK(r.status == EPERM);
        CHECK(w.tap().mtu == 1500);
        CHECK(w.kernel.changes() == 1);  // the address added above
    }
    SECTION("an operation that cannot be undone is not a step") {
        std::vector<std::vector<uint8_t>> steps{step(request(Op::OpenQueue, "tap0"))};
        CHECK(w.dispatcher.handle_batch(w.owner, steps).status == EINVAL);
    }
    SECTION("every step applied") {
        std::vector<std::vector<uint8_t>> steps;
        steps.push_back(step(std::move(request(Op::SetMtu, "tap0").u32(wire_type(AttrType::Mtu), 1400))));
        steps.push_back(step(with_address(request(Op::AddrDel, "tap0"), AttrType::Address, a)));
        CHECK(w.dispatcher.handle_batch(w.owner, steps).status == 0);
        CHECK(w.tap().mtu == 1400);
        CHECK(w.tap().addresses.empty());
    }
}

TEST_CASE("TAP handlers through the TUN/TAP driver: success and each refusal") {
    World w;
    SECTION("set-owner: the daemon's owner; the kernel owner is not given away") {
        w.kernel.tap_driver.calls.clear();
        CHECK(w.run(w.root, std::move(request(Op::SetOwner, "tap0").u32(wire_type(AttrType::Owner), 1001))).status == 0);
        CHECK(w.registry.find(7)->owner == 1001);
        CHECK(w.device(7).owner == 0u);
        CHECK(w.kernel.tap_driver.calls.empty());
    }
    SECTION("create: a pattern's first free unit; the owner and group are the daemon's, the kernel's are root") {
        Reply r = w.run(w.root, std::move(create_request("lab%d").u32(wire_type(AttrType::Owner), 1000).u32(wire_type(AttrType::Group), 50)));
        REQUIRE(r.status == 0);
        REQUIRE(r.interfaces.size() == 1);
        const uint32_t index = r.interfaces[0].index;
        CHECK(w.kernel.links.at(index).name == "lab0");
        REQUIRE(w.registry.find(index));
        CHECK(w.registry.find(index)->owner == 1000);
        CHECK(w.registry.find(index)->group == 50u);
        CHECK(w.device(index).owner == 0u);
        CHECK(w.device(index).group == 0u);
        // Made without an owner, by root: still root's in the kernel, never open to anyone.
        r = w.run(w.root, create_request("lab%d"));
        REQUIRE(r.status == 0);
        CHECK(w.device(r.interfaces[0].index).owner == 0u);
        CHECK(w.device(r.interfaces[0].index).group == 0u);
        CHECK((w.device(index).flags & (IFF_TAP | IFF_MULTI_QUEUE)) == (IFF_TAP | IFF_MULTI_QUEUE));
    }
    SECTION("create refused: a taken name, more queues than configured, the driver's refusals; nothing registered") {
        const size_t before = w.registry.size();
        CHECK(w.run(w.root, create_request("tap0")).status == EEXIST);
        // 17 is well-formed (the kernel takes up to 256) but over the default [limits] max_queues, 16.
        Reply over = w.run(w.root, std::move(create_request("lab0").u32(wire_type(AttrType::Queues), 17)));
        CHECK(over.status == EINVAL);
        CHECK(over.message == "queues must be 1..16");
        w.kernel.tap_driver.fail["open"] = -EPERM;
        Reply r = w.run(w.root, create_request("lab0"));
        CHECK(r.status == EPERM);
        CHECK(r.message.find("creating lab0") != std::string::npos);
        w.kernel.tap_driver.fail["set_owner"] = -EINVAL;
        CHECK(w.run(w.root, std::move(create_request("lab1").u32(wire_type(AttrType::Owner), 1000))).status == EINVAL);
        CHECK(w.registry.size() == before);
    }
    SECTION("open-queue: a client's queue, the daemon's own detached; EBUSY when all are open") {
        Reply r = w.run(w.owner, request(Op::OpenQueue, "tap0"));
        REQUIRE(r.status == 0);
        CHECK(r.fd.get() >= 0);
        CHECK_FALSE(w.registry.find(7)->tap.own_attached());
        r = w.run(w.owner, request(Op::OpenQueue, "tap0"));
        CHECK(r.status == EBUSY);
        CHECK(r.message == "tap0 was created for 1 queue(s) and all are open");
        CHECK(r.fd.get() < 0);
    }
    SECTION("open-queue refused by the driver: its errno, the daemon's queue still attached") {
        w.kernel.tap_driver.fail["open"] = -EMFILE;
        Reply r = w.run(w.owner, request(Op::OpenQueue, "tap0"));
        CHECK(r.status == EMFILE);
        CHECK(r.message.find("opening a queue of tap0") != std::string::npos);
        CHECK(w.registry.find(7)->tap.own_attached());
    }
    SECTION("set-caps: only what a vnet_hdr TAP supports, and the driver's refusal") {
        Reply r = w.run(w.owner, std::move(request(Op::SetCaps, "tap0").u32(wire_type(AttrType::CapsEnabled), TUN_F_CSUM)));
        CHECK(r.status == EINVAL);
        CHECK(r.message.find("a TAP without vnet_hdr supports none") != std::string::npos);
        CHECK(w.device(7).offloads == 0);
        Managed v;
        REQUIRE(Tap::create(w.kernel.tun(), "vt0", true, v.tap, 8) == 0);
        v.owner = w.owner.uid;
        w.registry.add(8, std::move(v));
        CHECK(w.run(w.owner, std::move(request(Op::SetCaps, "vt0").u32(wire_type(AttrType::CapsEnabled), TUN_F_CSUM))).status == 0);
        CHECK(w.device(8).offloads == TUN_F_CSUM);
        CHECK(w.registry.find(8)->caps_enabled == TUN_F_CSUM);
        w.kernel.tap_driver.fail["set_offloads"] = -EOPNOTSUPP;
        r = w.run(w.owner, std::move(request(Op::SetCaps, "vt0").u32(wire_type(AttrType::CapsEnabled), TUN_F_CSUM | TUN_F_TSO4)));
        CHECK(r.status == EOPNOTSUPP);
        CHECK(w.device(8).offloads == TUN_F_CSUM);
        CHECK(w.registry.find(8)->caps_enabled == TUN_F_CSUM);
    }
    SECTION("the frame filter follows an all-multicast reference; a refused flag leaves it alone") {
        auto ref = [](uint8_t on) {
            return std::move(request(Op::FlagRef, "tap0").u32(wire_type(AttrType::RefFlag), IFF_ALLMULTI).u8(wire_type(AttrType::RefOn), on));
        };
        REQUIRE(w.run(w.owner, ref(1)).status == 0);
        CHECK((w.tap().flags & IFF_ALLMULTI) != 0);
        REQUIRE(w.device(7).filter);
        CHECK(w.device(7).filter_allmulti);
        REQUIRE(w.run(w.owner, ref(0)).status == 0);
        CHECK_FALSE(w.device(7).filter_allmulti);
        w.device(7).filter.reset();
        w.kernel.fail["change_link"] = -EPERM;
        CHECK(w.run(w.owner, ref(1)).status == EPERM);
        CHECK((w.tap().flags & IFF_ALLMULTI) == 0);
        CHECK_FALSE(w.device(7).filter);
    }
}

namespace {

// A grant like ifctl.conf(5)'s "lab": owners configure addresses in 10.9.0.0/16,
// renames to lab*.
std::shared_ptr<Policy> lab_policy() {
    auto p = std::make_shared<Policy>();
    Prefix v4p;
    v4p.family = AF_INET;
    ::inet_pton(AF_INET, "10.9.0.0", v4p.addr.data());
    v4p.len = 16;
    v4p.text = "10.9.0.0/16";
    Prefix v6p;
    v6p.family = AF_INET6;
    ::inet_pton(AF_INET6, "fd09::", v6p.addr.data());
    v6p.len = 16;
    v6p.text = "fd09::/16";
    p->defaults.prefixes = {v4p, v6p};
    return p;
}

std::array<uint8_t, 16> in16(int family, const char* text) {
    std::array<uint8_t, 16> a{};
    ::inet_pton(family, text, a.data());
    return a;
}

}  // namespace

TEST_CASE("every address the kernel installs or routes is judged: local, peer, broadcast, label") {
    World w;
    w.dispatcher.set_policy(lab_policy());
    auto refused = [&](const proto::Address& a, const char* why) {
        const auto before = w.tap().addresses;
        const size_t changes = w.kernel.changes();
        Reply r = w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a));
        CHECK(r.status == EPERM);
        CHECK_THAT(r.message, Catch::Contains(why));
        CHECK(w.kernel.changes() == changes);
        CHECK(w.tap().addresses == before);
    };
    proto::Address a = v4("10.9.0.1", 16);
    SECTION("a peer outside the prefixes, whatever its length") {
        a.peer = in16(AF_INET, "8.8.0.0");
        refused(a, "peer 8.8.0.0/16 is outside the prefixes");
        a.prefix = 32;
        a.peer = in16(AF_INET, "1.1.1.1");
        refused(a, "peer 1.1.1.1/32 is outside");
    }
    SECTION("an inet6 peer outside the prefixes") {
        proto::Address b;
        b.family = AF_INET6;
        b.local = in16(AF_INET6, "fd09::1");
        b.prefix = 128;
        b.peer = in16(AF_INET6, "2001:4860::");
        refused(b, "peer 2001:4860::/128 is outside");
    }
    SECTION("a peer inside but its prefix route wider than the prefixes") {
        a.prefix = 8;
        a.peer = in16(AF_INET, "10.9.0.2");
        refused(a, "is outside the prefixes");
    }
    SECTION("a broadcast outside the prefixes") {
        a.broadcast = std::array<uint8_t, 4>{8, 8, 8, 8};
        refused(a, "broadcast 8.8.8.8/32 is outside");
    }
    SECTION("a label that is not the interface's own name or NAME:N") {
        for (const char* label : {"lo:evil", "lo", "tap0:evil", "tap0:", "tap00", "eth0:1"}) {
            INFO(label);
            a.label = label;
            refused(a, "must be tap0 or tap0:N");
        }
    }
    SECTION("what lies inside is allowed") {
        a.peer = in16(AF_INET, "10.9.0.2");
        a.broadcast.reset();
        a.label = "tap0:3";
        CHECK(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
        proto::Address c = v4("10.9.1.1", 24);
        c.broadcast = std::array<uint8_t, 4>{10, 9, 1, 255};
        c.label = "tap0";
        CHECK(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, c)).status == 0);
        CHECK(w.tap().addresses.size() == 2);
    }
    SECTION("a replace is judged on every side of the new address before the old one goes") {
        REQUIRE(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
        proto::Address next = v4("10.9.0.7", 16);
        next.peer = in16(AF_INET, "8.8.8.8");
        const auto before = w.tap().addresses;
        Reply r = w.run(w.owner, with_address(with_address(request(Op::AddrReplace, "tap0"), AttrType::OldAddress, a),
                                              AttrType::Address, next));
        CHECK(r.status == EPERM);
        CHECK(w.tap().addresses == before);
    }
    SECTION("root is not judged") {
        a.peer = in16(AF_INET, "8.8.0.0");
        a.label = "tap0:x";
        CHECK(w.run(w.root, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
    }
}

TEST_CASE("under the built-in policy a peer is bounded as the local address is; labels still name the interface") {
    World w;
    proto::Address a = v4("10.9.0.1", 16);
    a.peer = in16(AF_INET, "8.8.0.0");
    CHECK(w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, a)).status == 0);
    proto::Address b = v4("10.9.0.5", 24);
    b.label = "lo:evil";
    Reply r = w.run(w.owner, with_address(request(Op::AddrAdd, "tap0"), AttrType::Address, b));
    CHECK(r.status == EPERM);
    CHECK(w.tap().addresses.size() == 1);
}

TEST_CASE("a rename pattern is judged on the name the kernel will give") {
    World w;
    auto p = std::make_shared<Policy>();
    p->defaults.rename_to = {"lab*[!0-9]"};  // no name ending in a digit
    w.dispatcher.set_policy(p);
    auto rename = [&](const char* to) {
        return w.run(w.owner, std::move(request(Op::Rename, "tap0").str(wire_type(AttrType::NewName), to)));
    };
    CHECK(rename("lab8").status == EPERM);
    Reply r = rename("lab%d");
    CHECK(r.status == EPERM);
    CHECK_THAT(r.message, Catch::Contains("\"lab0\" does not match"));
    CHECK(w.tap().name == "tap0");
    // Allowed, the pattern becomes the lowest free unit, the name that was judged.
    p = std::make_shared<Policy>();
    p->defaults.rename_to = {"lab1"};
    w.dispatcher.set_policy(p);
    w.kernel.add_link(2, "lab0");
    CHECK(rename("lab%d").status == 0);
    CHECK(w.tap().name == "lab1");
}

TEST_CASE("a TAP's kernel owner, group, persist flag and queues changed behind the daemon's back are reported") {
    World w;
    Managed& m = *w.registry.find(7);
    REQUIRE(m.tap.restrict_to_root() == 0);
    REQUIRE(m.tap.set_persist(true) == 0);
    CHECK(guard_taps(w.kernel, w.registry).empty());
    SECTION("a queue holder gives the TAP to itself: reported, root's again") {
        w.device(7).owner = 1000;
        w.device(7).group.reset();
        const auto found = guard_taps(w.kernel, w.registry);
        REQUIRE(found.size() == 1);
        CHECK_THAT(found[0].text, Catch::Contains("tap0: its kernel owner or group was changed") &&
                                 Catch::Contains("owner 1000, group none") && Catch::Contains("set back to root"));
        CHECK(w.device(7).owner == 0u);
        CHECK(w.device(7).group == 0u);
        CHECK(guard_taps(w.kernel, w.registry).empty());
    }
    SECTION("persist cleared: reported, set again") {
        w.device(7).persist = false;
        const auto found = guard_taps(w.kernel, w.registry);
        REQUIRE(found.size() == 1);
        CHECK_THAT(found[0].text, Catch::Contains("persist flag was cleared"));
        CHECK(w.device(7).persist);
    }
    SECTION("more client queues than it was made for: reported once per count") {
        w.kernel.links.at(7).queues = 4;  // the daemon's and three others, made for one
        auto found = guard_taps(w.kernel, w.registry);
        REQUIRE(found.size() == 1);
        CHECK_THAT(found[0].text, Catch::Contains("3 client queues are attached, more than the 1"));
        CHECK(guard_taps(w.kernel, w.registry).empty());
        w.kernel.links.at(7).queues = 2;
        CHECK(guard_taps(w.kernel, w.registry).empty());
        w.kernel.links.at(7).queues = 3;
        CHECK(guard_taps(w.kernel, w.registry).size() == 1);
    }
    SECTION("the maintenance pass runs the check and publishes a tampered event to those who asked") {
        std::vector<proto::Event> asked, by_default;
        w.dispatcher.events().subscribe({0, proto::kEvTampered}, [&](const proto::Event& e) { asked.push_back(e); });
        w.dispatcher.events().subscribe({}, [&](const proto::Event& e) { by_default.push_back(e); });
        w.device(7).owner = 1000;
        w.dispatcher.maintain();
        CHECK(w.device(7).owner == 0u);
        REQUIRE(asked.size() == 1);
        CHECK(asked[0].kind == proto::kEvTampered);
        CHECK(asked[0].index == 7u);
        CHECK(asked[0].name == "tap0");
        CHECK(asked[0].managed);
        CHECK_THAT(asked[0].detail, Catch::Contains("tap0: its kernel owner or group was changed"));
        CHECK(by_default.empty());  // a subscriber that named no kinds gets only the older ones
    }
}
