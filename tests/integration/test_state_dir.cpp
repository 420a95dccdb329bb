// What ifctld finds at start in its state directory and at its socket path,
// and did not put there: files that are no records (bad names, a FIFO, a
// link) are reported and set aside without holding up the start; a state
// directory or lock file owned by another user or reached through a symbolic
// link is refused with a message that says so; a socket path another user's
// listener holds is refused with the listener named. docs/persistence.md §1.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/store/record.hpp"
#include "support/client_helpers.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using test::connect;
using test::slurp;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

// ifctld run in the foreground over `state` and `socket`, until it exits (it
// must: each case here is a refusal). Its output and exit status.
test::Run refused_start(const std::string& state, const std::string& socket) {
    return test::exec({std::getenv("IFCTLD"), "--foreground", "--config", "/dev/null", "--state-dir", state,
                       "--socket", socket, "--on-stop", "destroy"},
                      10000);
}

}  // namespace

TEST_CASE("files in interfaces/ that are no records are reported and set aside; the start goes on") {
    const std::string sd = test::temp_dir("ifctl-state");
    const std::string ifs = sd + "/interfaces";
    fs::create_directories(ifs);
    daemon::StoredInterface good;
    good.unique_id = 4;
    good.name = "sa4";
    good.persistent = true;
    std::ofstream(ifs + "/4.json") << daemon::encode_record(good);
    std::ofstream(ifs + "/99999999999999999999999.json") << daemon::encode_record(good);  // past 64 bits
    std::ofstream(ifs + "/007.json") << daemon::encode_record(good);                      // not as ifctld spells 7
    std::ofstream(ifs + "/notes.txt") << "x";
    REQUIRE(::mkfifo((ifs + "/77.json").c_str(), 0600) == 0);  // would block a read
    REQUIRE(::symlink("/etc/hostname", (ifs + "/78.json").c_str()) == 0);
    REQUIRE(::mkdir((ifs + "/79.json").c_str(), 0700) == 0);

    const auto t0 = std::chrono::steady_clock::now();
    test::Daemon d("--state-dir " + sd);  // throws unless it serves within 5 s
    auto c = connect(d);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    const std::string log = slurp(d.log());
    for (const char* line : {"/99999999999999999999999.json: not a record's name (<unique id>.json); kept as "
                             "99999999999999999999999.json.corrupt",
                             "/007.json: not a record's name (<unique id>.json); kept as 007.json.corrupt",
                             "/notes.txt: not a record's name (<unique id>.json); kept as notes.txt.corrupt",
                             "/77.json: a FIFO, not a record; kept as 77.json.corrupt",
                             "/78.json: a symbolic link, not a record; kept as 78.json.corrupt",
                             "/79.json: a directory, not a record; kept as 79.json.corrupt"}) {
        INFO(line);
        CHECK(log.find(std::string("state: ") + ifs + line) != std::string::npos);
    }
    CHECK(log.find(" 6 problem(s)") != std::string::npos);
    // Set aside, not removed, not read.
    for (const char* n : {"99999999999999999999999.json", "007.json", "notes.txt", "77.json", "78.json", "79.json"}) {
        INFO(n);
        CHECK_FALSE(fs::exists(fs::symlink_status(ifs + "/" + n)));
        CHECK(fs::exists(fs::symlink_status(ifs + "/" + n + ".corrupt")));
    }
    CHECK(fs::is_fifo(ifs + "/77.json.corrupt"));
    CHECK(fs::is_symlink(ifs + "/78.json.corrupt"));
    // The good record was read, and ids go on above every id a record's name took.
    proto::Interface rec;
    REQUIRE(c->get(client::InterfaceRef::by_name("sa4"), rec) == 0);
    CHECK(rec.managed);
    CHECK(rec.unique_id == 4);
    proto::Interface fresh;
    REQUIRE(c->create("sa%d", {}, fresh) == 0);
    CHECK(fresh.unique_id == 80);  // 77, 78 and 79 stay taken
    c->destroy(client::InterfaceRef::by_name(fresh.name));
    c->destroy(client::InterfaceRef::by_name("sa4"));
}

TEST_CASE("a state directory or lock file of another user, or a link, is refused and nothing is written there") {
    const std::string top = test::temp_dir("ifctl-statedir");
    const std::string sock = top + "/s.sock";
    const std::string real = top + "/real";
    fs::create_directories(real);
    auto check_refused = [&](const std::string& state, const std::string& says) {
        const test::Run r = refused_start(state, sock);
        INFO(r);
        CHECK(r.status == 1);
        CHECK_THAT(r.err + r.out, Catch::Contains(says));
        CHECK_FALSE(fs::exists(sock));
    };

    SECTION("the directory is a symbolic link") {
        REQUIRE(::symlink(real.c_str(), (top + "/link").c_str()) == 0);
        check_refused(top + "/link", "state directory " + top + "/link is a symbolic link; ifctld refuses to write "
                                     "through one");
        CHECK(fs::is_empty(real));
    }
    SECTION("a directory on the way is a symbolic link") {
        REQUIRE(::symlink(real.c_str(), (top + "/via").c_str()) == 0);
        fs::create_directories(real + "/st");
        check_refused(top + "/via/st", "state directory " + top + "/via/st is reached through a symbolic link (it is " +
                                           real + "/st); ifctld refuses it: give --state-dir " + real + "/st");
        CHECK(fs::is_empty(real + "/st"));
    }
    SECTION("the directory belongs to another user") {
        REQUIRE(::chown(real.c_str(), kNobody, kNobody) == 0);
        check_refused(real, "state directory " + real + " is owned by uid 65534 (nobody), not by ifctld's uid 0 (root)");
        CHECK(fs::is_empty(real));
    }
    SECTION("interfaces/ is a link another user planted") {
        fs::create_directories(top + "/elsewhere");
        REQUIRE(::symlink((top + "/elsewhere").c_str(), (real + "/interfaces").c_str()) == 0);
        check_refused(real, "state directory " + real + "/interfaces is a symbolic link");
        CHECK(fs::is_empty(top + "/elsewhere"));
    }
    SECTION("the lock file is a link") {
        REQUIRE(::symlink((top + "/victim").c_str(), (real + "/ifctld.lock").c_str()) == 0);
        check_refused(real, "lock file " + real + "/ifctld.lock is a symbolic link");
        CHECK_FALSE(fs::exists(top + "/victim"));
        CHECK_FALSE(fs::exists(real + "/interfaces"));
    }
    SECTION("the lock file belongs to another user") {
        std::ofstream(real + "/ifctld.lock").close();
        REQUIRE(::chown((real + "/ifctld.lock").c_str(), kNobody, kNobody) == 0);
        check_refused(real, "lock file " + real + "/ifctld.lock is owned by uid 65534 (nobody)");
        CHECK_FALSE(fs::exists(real + "/interfaces"));
    }
}

TEST_CASE("a socket path another user's listener holds is refused, naming the listener") {
    const std::string top = test::temp_dir("ifctl-sockheld");
    ::chmod(top.c_str(), 0755);
    const std::string dir = top + "/run";
    REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    REQUIRE(::chown(dir.c_str(), kNobody, kNobody) == 0);
    const std::string sock = dir + "/s.sock";
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(ready[0]);
        if (::setgid(kNobody) < 0 || ::setuid(kNobody) < 0) ::_exit(1);
        const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, sock.c_str(), sizeof sa.sun_path - 1);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(fd, 4) < 0) ::_exit(1);
        char ok = 1;
        if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
        ::sleep(30);  // bounded: killed below
        ::_exit(0);
    }
    ::close(ready[1]);
    char ok = 0;
    REQUIRE(::read(ready[0], &ok, 1) == 1);
    ::close(ready[0]);
    struct stat st_before {};
    REQUIRE(::stat(sock.c_str(), &st_before) == 0);

    const test::Run r = refused_start(top + "/state", sock);
    INFO(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.err + r.out, Catch::Contains(sock + " is held by a listener that is not ifctld's: pid " +
                                              std::to_string(child) + " (test_state_dir) of uid 65534 (nobody); "
                                              "the socket file belongs to uid 65534 (nobody); stop it, or choose "
                                              "another --socket"));
    // Its socket is left as it was.
    struct stat st_after {};
    REQUIRE(::stat(sock.c_str(), &st_after) == 0);
    CHECK(st_after.st_ino == st_before.st_ino);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
