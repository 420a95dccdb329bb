// The daemon's pure decisions, without a kernel: per-connection reference
// counting (refs.hpp), the TAP frame filter it derives, and the order of steps
// of a live rename (live_rename.hpp) against a fake kernel.
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <vector>

#include "daemon/core/live_rename.hpp"
#include "daemon/core/refs.hpp"

using namespace ifctl::daemon;

namespace {
constexpr Mac kOwn{0x02, 0, 0, 0, 0, 1};
constexpr Mac kBcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr Mac kG1{0x01, 0x00, 0x5e, 0, 0, 1};
constexpr Mac kG2{0x01, 0x00, 0x5e, 0, 0, 2};
}  // namespace

TEST_CASE("memberships: the union over holders, and what leaves it") {
    Memberships m;
    m.add(1, kG1);
    m.add(2, kG1);
    m.add(kPlain, kG2);
    CHECK(m.held(kG1));
    CHECK(m.held_by(1, kG1));
    CHECK_FALSE(m.held_by(3, kG1));
    CHECK(m.all() == std::vector<Mac>{kG1, kG2});
    CHECK_FALSE(m.remove(1, kG1));  // 2 still holds it
    CHECK(m.remove(2, kG1));        // the last holder
    CHECK_FALSE(m.remove(2, kG1));  // not held: nothing leaves
    m.add(5, kG1);
    m.add(5, kG2);
    CHECK(m.holds_any(5));
    CHECK_FALSE(m.holds_any(6));
    CHECK(m.of(5) == std::vector<Mac>{kG1, kG2});
    CHECK(m.drop(5) == std::vector<Mac>{kG1});  // kG2 stays: the plain join holds it
    CHECK_FALSE(m.holds_any(5));
    CHECK(m.of(kPlain) == std::vector<Mac>{kG2});
}

TEST_CASE("flag holders: on while a connection or a plain setting holds it") {
    FlagHolders h;
    CHECK_FALSE(h.on());
    h.clients.insert(1);
    CHECK(h.on());
    h.clients.erase(1);
    h.plain = true;
    CHECK(h.on());
}

TEST_CASE("the TAP frame filter") {
    Memberships m;
    SECTION("off while nothing was asked for, or while promiscuous") {
        CHECK_FALSE(tx_filter_for(kOwn, m, false, false).enabled);
        m.add(1, kG1);
        CHECK_FALSE(tx_filter_for(kOwn, m, true, false).enabled);
    }
    SECTION("own address, broadcast, then the groups") {
        m.add(1, kG1);
        m.add(2, kG2);
        const TxFilter f = tx_filter_for(kOwn, m, false, false);
        CHECK(f.enabled);
        CHECK_FALSE(f.allmulti);
        CHECK(f.addresses == std::vector<Mac>{kOwn, kBcast, kG1, kG2});
    }
    SECTION("all-multicast alone turns it on, with every multicast frame") {
        const TxFilter f = tx_filter_for(kOwn, m, false, true);
        CHECK(f.enabled);
        CHECK(f.allmulti);
        CHECK(f.addresses == std::vector<Mac>{kOwn, kBcast});
    }
    SECTION("unicast memberships go first: only the first 8 entries match exactly") {
        for (uint8_t n = 0; n < 10; ++n) m.add(1, Mac{0x01, 0, 0x5e, 0, 1, n});
        const Mac uni{0x02, 0, 0, 0, 0, 0x77};
        m.add(1, uni);
        const TxFilter f = tx_filter_for(kOwn, m, false, false);
        REQUIRE(f.addresses.size() == 13);
        CHECK(f.addresses[2] == uni);
    }
    SECTION("the own address and broadcast appear once") {
        m.add(1, kBcast);
        CHECK(tx_filter_for(kOwn, m, false, false).addresses == std::vector<Mac>{kOwn, kBcast});
    }
}

namespace {
// A kernel that refuses renames while up (Linux < 6.2) and can be told to fail a step.
struct FakeLink {
    std::string name = "old0";
    bool up = true;
    bool busy_while_up = true;
    int fail_rename_to_new = 0;  // -errno for a rename to "new0" while down
    int fail_up = 0;             // -errno for bringing it up
    std::vector<std::string> log;

    RenameSteps steps() {
        RenameSteps s;
        s.rename = [this](const std::string& to) {
            log.push_back("rename " + to);
            if (up && busy_while_up) return -EBUSY;
            if (to == "new0" && fail_rename_to_new) return fail_rename_to_new;
            name = to;
            return 0;
        };
        s.set_up = [this](bool u) {
            log.push_back(u ? "up" : "down");
            if (u && fail_up) return fail_up;
            up = u;
            return 0;
        };
        return s;
    }
};
}  // namespace

TEST_CASE("live rename: down, rename, up, and back as it was when a step fails") {
    FakeLink k;
    SECTION("without live: the kernel's answer") {
        CHECK(live_rename(k.steps(), "old0", "new0", false, true) == -EBUSY);
        CHECK(k.name == "old0");
        CHECK(k.up);
    }
    SECTION("live and up: down, rename, up") {
        CHECK(live_rename(k.steps(), "old0", "new0", true, true) == 0);
        CHECK(k.name == "new0");
        CHECK(k.up);
        CHECK(k.log == std::vector<std::string>{"rename new0", "down", "rename new0", "up"});
    }
    SECTION("a kernel that renames while up: one step") {
        k.busy_while_up = false;
        CHECK(live_rename(k.steps(), "old0", "new0", true, true) == 0);
        CHECK(k.log == std::vector<std::string>{"rename new0"});
    }
    SECTION("not up: the kernel's answer, nothing else") {
        k.up = false;
        k.fail_rename_to_new = -EEXIST;
        CHECK(live_rename(k.steps(), "old0", "new0", true, false) == -EEXIST);
        CHECK(k.log == std::vector<std::string>{"rename new0"});
    }
    SECTION("the rename fails while down: up again under the old name") {
        k.fail_rename_to_new = -EEXIST;
        CHECK(live_rename(k.steps(), "old0", "new0", true, true) == -EEXIST);
        CHECK(k.name == "old0");
        CHECK(k.up);
    }
    SECTION("up fails after the rename: renamed back, up tried again") {
        k.fail_up = -ENOMEM;
        CHECK(live_rename(k.steps(), "old0", "new0", true, true) == -ENOMEM);
        CHECK(k.name == "old0");
        CHECK(k.log == std::vector<std::string>{"rename new0", "down", "rename new0", "up", "rename old0", "up"});
    }
}
