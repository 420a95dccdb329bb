// The Daemon type (daemon/service/daemon.*) built in the test's own process,
// as main() builds it: it serves a request over its socket, and a SIGTERM
// stops it through its stop rule, which destroys the non-persistent TAPs on a
// stop for good (on_stop = "destroy") and keeps them otherwise ("keep").
#include <ifctl/ifctl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "daemon/config.hpp"
#include "daemon/server/listener.hpp"
#include "daemon/service/daemon.hpp"
#include "daemon/service/process.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;

namespace {

// A daemon with its socket and state in a fresh directory, and `on_stop`.
struct InProcess {
    std::string dir = test::temp_dir("ifctl-inproc");
    daemon::Config cfg;
    std::unique_ptr<daemon::Daemon> d;
    std::thread loop;
    int status = -1;
    int lock_fd = -1;

    explicit InProcess(const std::string& on_stop) {
        cfg.socket_path = dir + "/ifctld.sock";
        cfg.socket_group = "";
        cfg.state_dir = dir + "/state";
        cfg.on_stop = on_stop;
        lock_fd = daemon::lock_state_dir(cfg.state_dir);  // made and locked, as main() does
        daemon::DaemonStart start;
        start.config_file = dir + "/none.conf";
        start.listen_fd = daemon::make_listen_socket({cfg.socket_path, cfg.socket_group});
        d = std::make_unique<daemon::Daemon>(cfg, std::move(start));
        loop = std::thread([this] { status = d->run(); });
    }
    // SIGTERM to the process, as systemd or kill(1) sends it; the loop ends.
    void terminate() {
        REQUIRE(::kill(::getpid(), SIGTERM) == 0);
        loop.join();
    }
    ~InProcess() {
        if (loop.joinable()) {
            d->io().stop();
            loop.join();
        }
        d.reset();
        ::close(lock_fd);
    }
};

// Creates a TAP through the daemon's socket, as any client does.
void create_through_socket(const std::string& socket, const char* name) {
    ifctl_t* h = nullptr;
    char why[256] = "";
    REQUIRE(ifctl_open(&h, socket.c_str(), why, sizeof why) == 0);
    CHECK(ifctl_create(h, name, 0, nullptr) == 0);
    ifctl_close(h);
}

}  // namespace

TEST_CASE("a Daemon built in-process serves a request, and a stop for good destroys its non-persistent TAP") {
    InProcess p("destroy");
    create_through_socket(p.cfg.socket_path, "inproc0");
    REQUIRE_FALSE(test::link("inproc0").is_null());
    p.terminate();
    CHECK(p.status == 0);
    CHECK(test::link("inproc0").is_null());
    CHECK(::access(p.cfg.socket_path.c_str(), F_OK) < 0);  // its own socket is removed
}

TEST_CASE("a Daemon built in-process keeps its TAP on a stop that is not for good") {
    InProcess p("keep");
    create_through_socket(p.cfg.socket_path, "inproc1");
    p.terminate();
    CHECK(p.status == 0);
    CHECK_FALSE(test::link("inproc1").is_null());
    test::run("ip link del inproc1");
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
