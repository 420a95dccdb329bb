// The read-only snapshot (docs/snapshot.md): the daemon's writer against a
// fake kernel, read back through the library's reader from a read-only
// mapping; its seals; a damaged region; readers racing a writer.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "daemon/core/dispatch.hpp"
#include "daemon/core/snapshot.hpp"
#include "fake_kernel.hpp"
#include "libifctl/protocol/snapshot_layout.hpp"
#include "libifctl/src/snapshot.hpp"

using namespace ifctl;
using namespace ifctl::daemon;
using client::InterfaceRef;
using client::snapshot::Found;
using client::snapshot::Mapping;
using client::snapshot::Why;
using proto::AttrType;
using proto::Op;

namespace {

struct World {
    test::FakeKernel kernel;
    Registry registry;
    Snapshot snapshot;
    Dispatcher dispatcher{kernel, registry};
    Peer root{0, 0, 1, {}, "test", 1};

    World() {
        spdlog::set_level(spdlog::level::off);
        kernel.add_link(1, "lo");
        Managed m;
        if (Tap::create(kernel.tun(), "tap0", false, m.tap, 7) < 0) FAIL("the fake TAP driver made no tap0");
        m.owner = 1000;
        m.metric = 5;
        registry.add(7, std::move(m));
        proto::Address a;
        a.family = AF_INET;
        a.local = {192, 0, 2, 1};
        a.prefix = 24;
        a.label = "tap0:web";
        kernel.links.at(7).addresses.push_back(a);
        dispatcher.set_snapshot(&snapshot);
        snapshot.touch_all();
        dispatcher.publish();
        snapshot.refresh_ifconf(kernel);  // as the daemon's timer does
    }
    Reply run(proto::Writer w) {
        const std::vector<uint8_t> frame = w.finish();
        proto::Request req;
        if (proto::Error e = proto::validate_request(frame, req)) FAIL("invalid request: " << e.message);
        return dispatcher.handle(root, req);
    }
    // A client's view: the descriptor passed, mapped read-only.
    Mapping map() {
        Mapping m;
        std::string why;
        REQUIRE(client::snapshot::map_snapshot(::fcntl(snapshot.fd(), F_DUPFD_CLOEXEC, 0), m, why));
        return m;
    }
};

proto::Interface read(const Mapping& m, const InterfaceRef& t) {
    proto::Interface out;
    REQUIRE(client::snapshot::read_record(m.region, t, out) == Found::Record);
    return out;
}

}  // namespace

TEST_CASE("snapshot: every record as a get sends it, by name and by index, in list order") {
    World w;
    Mapping m = w.map();
    const proto::Interface tap = read(m, InterfaceRef::by_name("tap0"));
    CHECK(tap.index == 7);
    CHECK(tap.managed);
    CHECK(tap.owner == 1000);
    CHECK(tap.metric == 5);
    REQUIRE(tap.addresses.size() == 1);
    CHECK(tap.addresses[0].label == "tap0:web");
    CHECK(!tap.may_change);  // depends on who asks: never in the snapshot
    // Byte for byte what the daemon would encode for anyone.
    CHECK(snapshot_record(tap) == snapshot_record(w.registry.view(w.kernel.links.at(7), true)));
    CHECK(read(m, InterfaceRef::by_index(1)).name == "lo");
    CHECK(!read(m, InterfaceRef::by_index(1)).managed);

    proto::Interface none;
    CHECK(client::snapshot::read_record(m.region, InterfaceRef::by_name("tap1"), none) == Found::Absent);
    CHECK(client::snapshot::read_record(m.region, InterfaceRef::by_index(99), none) == Found::Absent);
    std::span<const proto::Interface> all;
    REQUIRE(client::snapshot::read_all(m.region, all) == Found::Record);
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "lo");
    CHECK(all[1].name == "tap0");
    client::snapshot::unmap_snapshot(m);
}

TEST_CASE("snapshot: a read decodes only the parts it asks for, each as a whole read has it") {
    World w;
    Mapping m = w.map();
    auto encoded = [](const proto::Interface& i, bool details) {
        proto::Writer wr(0, 0, 0);
        proto::encode_interface(wr, i, details);
        return wr.finish();
    };
    const InterfaceRef tap = InterfaceRef::by_name("tap0");
    const proto::Interface whole = read(m, tap);
    REQUIRE(whole.addresses.size() == 1);
    // A brief read: what a brief record carries, field for field.
    proto::Interface brief;
    REQUIRE(client::snapshot::read_record(m.region, tap, brief, nullptr, proto::RecordParts::Brief) == Found::Record);
    CHECK(brief.addresses.empty());
    CHECK(encoded(brief, false) == encoded(whole, false));
    // Again (the bytes decoded last), then whole again, on the same thread: each as asked.
    REQUIRE(client::snapshot::read_record(m.region, tap, brief, nullptr, proto::RecordParts::Brief) == Found::Record);
    CHECK(brief.addresses.empty());
    CHECK(encoded(read(m, tap), true) == encoded(whole, true));
    // A list's read: names, links and addresses.
    std::span<const proto::Interface> listed;
    REQUIRE(client::snapshot::read_all(m.region, listed, nullptr, proto::RecordParts::Listing) == Found::Record);
    REQUIRE(listed.size() == 2);
    CHECK(listed[1].name == "tap0");
    CHECK(listed[1].index == 7);
    CHECK(listed[1].addresses == whole.addresses);
    CHECK(listed[1].lladdr == whole.lladdr);
    CHECK(listed[1].hw_type == whole.hw_type);
    client::snapshot::unmap_snapshot(m);
}

TEST_CASE("snapshot: a change is in it when the request returns (read-your-writes)") {
    World w;
    Mapping m = w.map();
    proto::Writer req(static_cast<uint16_t>(Op::SetMtu), 0, 1);
    req.str(wire_type(AttrType::Name), "tap0").u32(wire_type(AttrType::Mtu), 1400);
    REQUIRE(w.run(std::move(req)).status == 0);
    CHECK(read(m, InterfaceRef::by_name("tap0")).mtu == 1400);

    proto::Writer metric(static_cast<uint16_t>(Op::SetMetric), 0, 2);
    metric.str(wire_type(AttrType::Name), "tap0").s32(wire_type(AttrType::Metric), 9);
    REQUIRE(w.run(std::move(metric)).status == 0);
    CHECK(read(m, InterfaceRef::by_name("tap0")).metric == 9);  // a fact only the daemon holds

    // A rename moves the entry: the old name is gone, the new one found.
    proto::Writer rename(static_cast<uint16_t>(Op::Rename), 0, 3);
    rename.str(wire_type(AttrType::Name), "tap0").str(wire_type(AttrType::NewName), "web0");
    REQUIRE(w.run(std::move(rename)).status == 0);
    proto::Interface none;
    CHECK(client::snapshot::read_record(m.region, InterfaceRef::by_name("tap0"), none) == Found::Absent);
    CHECK(read(m, InterfaceRef::by_name("web0")).index == 7);
    client::snapshot::unmap_snapshot(m);
}

TEST_CASE("snapshot: the kernel's SIOCGIFCONF answer, read again only after an IPv4 address or the devices changed") {
    World w;
    auto answer = [](const char* text) {
        std::vector<uint8_t> a(proto::snapshot::kIfconfEntry, 0);
        std::memcpy(a.data(), text, std::strlen(text));
        return a;
    };
    auto text = [](const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); };
    auto kernel_answer = [](const Mapping& m) {
        std::span<const uint8_t> out;
        Why why = Why::None;
        const Found f = client::snapshot::read_kernel_ifconf(m.region, out, &why);
        return f == Found::Record ? std::string(out.begin(), out.end()) : std::string("(ask)");
    };
    auto republish = [&](uint32_t index) {
        w.snapshot.touch(index);
        w.dispatcher.publish();
        w.snapshot.refresh_ifconf(w.kernel);
    };
    Mapping m = w.map();
    const int first_reads = w.kernel.ifconf_reads;
    CHECK(first_reads == 1);  // after the first publication
    CHECK(kernel_answer(m).empty());

    // An MTU: the record changes, SIOCGIFCONF's part of it does not.
    w.kernel.ifconf_answer = answer("tap0");
    w.kernel.links.at(7).mtu = 1300;
    republish(7);
    CHECK(w.kernel.ifconf_reads == first_reads);
    CHECK(kernel_answer(m).empty());

    // An IPv4 address: read again, and published.
    proto::Address a;
    a.family = AF_INET;
    a.local = {192, 0, 2, 9};
    a.prefix = 24;
    a.label = "tap0";
    w.kernel.links.at(7).addresses.push_back(a);
    republish(7);
    CHECK(w.kernel.ifconf_reads == first_reads + 1);
    CHECK(kernel_answer(m) == text(answer("tap0")));

    // A device that left and came back: the order may have changed.
    w.kernel.ifconf_answer = answer("lo");
    ++w.kernel.came_or_went;
    republish(1);
    CHECK(w.kernel.ifconf_reads == first_reads + 2);
    CHECK(kernel_answer(m) == text(answer("lo")));

    // An answer that cannot be read, or is larger than its room: callers ask the kernel.
    w.kernel.ifconf_error = -ENOMEM;
    ++w.kernel.came_or_went;
    republish(1);
    CHECK(kernel_answer(m) == "(ask)");
    w.kernel.ifconf_error = 0;
    w.kernel.ifconf_answer.assign(size_t{w.snapshot.capacity()} * proto::snapshot::kIfconfPerInterface *
                                      proto::snapshot::kIfconfEntry + proto::snapshot::kIfconfEntry,
                                  0);
    ++w.kernel.came_or_went;
    republish(1);
    CHECK(kernel_answer(m) == "(ask)");
    w.kernel.ifconf_answer = answer("back");
    ++w.kernel.came_or_went;
    republish(1);
    CHECK(kernel_answer(m) == text(answer("back")));
    client::snapshot::unmap_snapshot(m);
}

TEST_CASE("snapshot: with a refresh to arm, SIOCGIFCONF's answer says ask until the refresh has read it") {
    World w;
    std::vector<std::chrono::microseconds> asked;
    w.snapshot.on_ifconf_stale = [&](std::chrono::microseconds after) { asked.push_back(after); };
    Mapping m = w.map();
    auto kernel_answer = [&] {
        std::span<const uint8_t> out;
        return client::snapshot::read_kernel_ifconf(m.region, out) == Found::Record ? out.size() : size_t{999};
    };
    const int reads = w.kernel.ifconf_reads;
    CHECK(kernel_answer() == 0);  // read after the first publication
    w.kernel.ifconf_answer.assign(proto::snapshot::kIfconfEntry, 'x');
    w.kernel.links.at(7).addresses.clear();
    w.snapshot.touch(7);
    w.dispatcher.publish();
    REQUIRE(asked.size() == 1);
    CHECK(asked[0] >= std::chrono::milliseconds(1));
    CHECK(w.kernel.ifconf_reads == reads);  // not read during the publication
    CHECK(kernel_answer() == 999);          // callers ask the kernel meanwhile
    // More changes before the refresh share it.
    ++w.kernel.came_or_went;
    w.snapshot.touch(1);
    w.dispatcher.publish();
    CHECK(asked.size() == 1);
    w.snapshot.refresh_ifconf(w.kernel);
    CHECK(w.kernel.ifconf_reads == reads + 1);
    CHECK(kernel_answer() == proto::snapshot::kIfconfEntry);
    w.snapshot.refresh_ifconf(w.kernel);  // nothing pending: nothing read
    CHECK(w.kernel.ifconf_reads == reads + 1);
    client::snapshot::unmap_snapshot(m);
}

TEST_CASE("snapshot: a record larger than its slot, or than a frame, is asked for; the others are read") {
    World w;
    proto::Address a;
    a.family = AF_INET6;
    a.prefix = 64;
    a.local = {0x20, 0x01, 0x0d, 0xb8};
    for (int i = 0; i < 2000; ++i) {  // past a 64 KiB frame: encoding it fails, the daemon must not
        a.local[15] = static_cast<uint8_t>(i);
        a.local[14] = static_cast<uint8_t>(i >> 8);
        w.kernel.links.at(7).addresses.push_back(a);
        if (i == 40 || i == 1999) {  // past the slot, then past a frame
            w.snapshot.touch(7);
            w.dispatcher.publish();
            Mapping m = w.map();
            proto::Interface out;
            CHECK(client::snapshot::read_record(m.region, InterfaceRef::by_name("tap0"), out) == Found::Ask);
            CHECK(read(m, InterfaceRef::by_name("lo")).index == 1);
            std::span<const proto::Interface> all;
            CHECK(client::snapshot::read_all(m.region, all) == Found::Ask);  // the list would lack one
            client::snapshot::unmap_snapshot(m);
        }
    }
}

TEST_CASE("snapshot: a region that must grow is replaced, and the old one says it moved") {
    World w;
    Mapping old = w.map();
    const size_t before = w.snapshot.bytes();
    for (uint32_t i = 100; i < 140; ++i) w.kernel.add_link(i, "dummy" + std::to_string(i));
    w.snapshot.touch_all();
    w.dispatcher.publish();
    CHECK(w.snapshot.bytes() > before);
    proto::Interface out;
    Why why = Why::None;
    CHECK(client::snapshot::read_record(old.region, InterfaceRef::by_name("lo"), out, &why) == Found::Ask);
    CHECK(why == Why::Moved);
    Mapping now = w.map();
    std::span<const proto::Interface> all;
    REQUIRE(client::snapshot::read_all(now.region, all) == Found::Record);
    CHECK(all.size() == 42);
    CHECK(read(now, InterfaceRef::by_name("dummy139")).index == 139);
    client::snapshot::unmap_snapshot(old);
    client::snapshot::unmap_snapshot(now);
}

TEST_CASE("snapshot: sealed, so that a client cannot write, grow or shrink it") {
    World w;
    const int fd = w.snapshot.fd();
    const char byte = 1;
    errno = 0;
    CHECK(::pwrite(fd, &byte, 1, 0) < 0);
    CHECK(errno == EPERM);
    CHECK(::ftruncate(fd, 0) < 0);
    CHECK(::ftruncate(fd, static_cast<off_t>(w.snapshot.bytes() * 2)) < 0);
    CHECK(::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
    CHECK(::fcntl(fd, F_ADD_SEALS, 0) < 0);  // F_SEAL_SEAL: not even unsealed

    Mapping m = w.map();
    CHECK(::mprotect(const_cast<uint8_t*>(m.region.base), 4096, PROT_READ | PROT_WRITE) < 0);
    client::snapshot::unmap_snapshot(m);

    // The reader maps only a sealed memfd.
    const int plain = ::memfd_create("not-sealed", MFD_CLOEXEC);
    REQUIRE(plain >= 0);
    REQUIRE(::ftruncate(plain, 65536) == 0);
    Mapping refused;
    std::string why;
    CHECK(!client::snapshot::map_snapshot(plain, refused, why));
    CHECK(why.find("sealed") != std::string::npos);
}

TEST_CASE("snapshot: a damaged region never crashes the reader or reads out of bounds") {
    World w;
    for (uint32_t i = 100; i < 110; ++i) w.kernel.add_link(i, "d" + std::to_string(i));
    w.snapshot.touch_all();
    w.dispatcher.publish();
    Mapping m = w.map();
    const std::vector<uint8_t> good(m.region.base, m.region.base + m.region.size);
    client::snapshot::unmap_snapshot(m);
    // The directory and the first records are where a bad value hurts most.
    const size_t hot = std::min<size_t>(good.size(), proto::snapshot::geometry(16).slots_off + 4096);
    std::mt19937 rng(19);
    size_t answered = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<uint8_t> bad = good;
        const int n = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < n; ++i) {
            const size_t at = rng() % hot;
            bad[at] = rng() % 4 == 0 ? 0xff : static_cast<uint8_t>(rng());
        }
        // Also regions cut short: the reader trusts only the size it mapped.
        const size_t size = round % 10 == 0 ? rng() % bad.size() : bad.size();
        const client::snapshot::Region r{bad.data(), size};
        proto::Interface one;
        std::span<const proto::Interface> all;
        if (client::snapshot::read_record(r, InterfaceRef::by_name("d105"), one) == Found::Record) ++answered;
        (void)client::snapshot::read_record(r, InterfaceRef::by_index(7), one);
        (void)client::snapshot::read_all(r, all);
    }
    CHECK(answered > 0);  // most damage is elsewhere: the reader still answers then

    // A lease that ran out (a daemon killed without a stop) is not trusted.
    std::vector<uint8_t> stale = good;
    reinterpret_cast<proto::snapshot::Header*>(stale.data())->lease_ns = 0;
    proto::Interface out;
    CHECK(client::snapshot::read_record({stale.data(), stale.size()}, InterfaceRef::by_name("lo"), out) == Found::Ask);
}

TEST_CASE("snapshot: readers racing a writer see whole records, never older than the last publication") {
    World w;
    w.kernel.links.at(7).txqlen = 1501;  // mtu + 1, as every publication below
    w.snapshot.touch(7);
    w.dispatcher.publish();
    Mapping m = w.map();
    std::atomic<uint32_t> published{1500};
    std::atomic<bool> done{false};
    std::atomic<uint64_t> reads{0}, asked{0};
    std::atomic<bool> torn{false}, stale{false};
    auto reader = [&] {
        uint32_t last = 0;
        while (!done.load()) {
            const uint32_t floor = published.load();  // acknowledged before this read began
            proto::Interface out;
            const Found f = client::snapshot::read_record(m.region, InterfaceRef::by_name("tap0"), out);
            if (f == Found::Ask) {
                asked++;
                continue;
            }
            reads++;
            // Every field of one publication: mtu and txqlen are written together.
            if (f != Found::Record || out.txqlen != out.mtu + 1) torn = true;
            if (out.mtu < floor || out.mtu < last) stale = true;
            last = out.mtu;
        }
    };
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) readers.emplace_back(reader);
    // Until the readers have read enough (they may start late on a busy machine), bounded in time.
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t v = 1500; reads.load() < 20000 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20);
         ++v) {
        proto::Interface& k = w.kernel.links.at(7);
        k.mtu = v;
        k.txqlen = v + 1;
        w.snapshot.touch(7);
        w.dispatcher.publish();
        published.store(v);
    }
    done = true;
    for (auto& t : readers) t.join();
    CHECK(!torn);
    CHECK(!stale);
    CHECK(reads > 0);
    INFO("reads " << reads.load() << ", asked " << asked.load());
    client::snapshot::unmap_snapshot(m);
}
