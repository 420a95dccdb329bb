// A state directory that cannot be written: full (a tiny tmpfs, filled up) or
// read-only (remounted). Every change is refused with ENOSPC or EROFS and
// nothing of it is made: not in the kernel, not in the daemon, not on disk.
// Each fault comes right after a change that was recorded, within the time
// the daemon keeps its answer about the permission to write (Store::writable):
// the mount and the free space must still be asked afresh.
// Runs as `unshare --net --mount`: the tmpfs exists only in the test's own
// mount namespace.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Fills the file system of `dir` until it refuses more.
void fill(const std::string& dir) {
    const int fd = ::open((dir + "/filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    static const char block[4096] = {};
    for (int i = 0; i < 100000; ++i)  // bounded: the tmpfs is 512 KiB
        if (::write(fd, block, sizeof block) < 0) break;
    ::close(fd);
}

}  // namespace

TEST_CASE("a full or read-only state directory refuses changes and changes nothing") {
    const std::string mnt = test::temp_dir("ifctl-disk");
    REQUIRE(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=512k,mode=0700") == 0);
    const std::string state = mnt + "/state";
    {
        test::Daemon d("--state-dir " + state);
        std::unique_ptr<client::Connection> c;
        std::string why;
        REQUIRE(client::Connection::open(d.socket(), c, why) == 0);
        const auto t = client::InterfaceRef::by_name("df0");
        proto::Interface rec;
        REQUIRE(c->create("df0", {.persistent = true}, rec) == 0);
        REQUIRE(c->set_metric(t, 1) == 0);
        const std::string record = state + "/interfaces/" + std::to_string(rec.unique_id) + ".json";
        const json before_kernel = test::link("df0");
        auto on_disk = [&] {
            std::ifstream f(record);
            return json::parse(f)["record"];
        };
        const json before_disk = on_disk();

        auto nothing_changed = [&] {
            proto::Interface now;
            REQUIRE(c->get(t, now) == 0);
            CHECK(now.metric == 1);
            CHECK(now.persistent);
            CHECK(test::link("df0")["mtu"] == before_kernel["mtu"]);
            CHECK(test::link("df0")["addr_info"] == before_kernel["addr_info"]);
            CHECK(test::link("df1") == nullptr);
            CHECK(on_disk() == before_disk);
            CHECK_FALSE(fs::exists(state + "/interfaces/" + std::to_string(rec.unique_id + 1) + ".json"));
        };
        auto every_change_refused = [&](int err) {
            proto::Interface other;
            const client::Result r = c->set_metric(t, 2);
            CHECK(r == -err);
            CHECK(r.message.find("state directory") != std::string::npos);
            CHECK(c->set_persistent(t, false) == -err);
            CHECK(c->set_mtu(t, 1400) == -err);
            CHECK(c->addr_add(t, test::v4("192.0.2.1")) == -err);
            CHECK(c->create("df1", {}, other) == -err);
            CHECK(c->destroy(t) == -err);
            nothing_changed();
        };

        SECTION("full: ENOSPC") {
            fill(mnt);
            every_change_refused(ENOSPC);
            fs::remove(mnt + "/filler");
            CHECK(c->set_metric(t, 3) == 0);  // works again once there is room
            CHECK(on_disk()["metric"] == 3);
        }
        SECTION("read-only: EROFS") {
            REQUIRE(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, "size=512k") == 0);
            every_change_refused(EROFS);
            REQUIRE(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, "size=512k") == 0);
            CHECK(c->set_metric(t, 4) == 0);
            CHECK(on_disk()["metric"] == 4);
        }
        c->destroy(t);
    }
    ::umount2(mnt.c_str(), MNT_DETACH);
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
