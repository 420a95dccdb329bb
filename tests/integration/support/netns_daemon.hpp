// Test support: a real ifctld in the test's private network namespace.
//
// Integration tests run under `unshare --net` (see tests/integration/meson.build),
// so every interface they make dies with the namespace. Before anything else,
// Daemon refuses to run in the host's namespace.
#pragma once

#include <sys/types.h>

#include <string>

namespace ifctl::test {

// Throws unless this process is in a network namespace other than init's.
void require_private_netns();

class Daemon {
public:
    // Starts $IFCTLD (the built daemon) with its socket, state and log
    // (ifctld.log) in a fresh directory /tmp/ifctl-test.XXXXXX; waits until
    // the socket answers. Sets IFCTL_SOCKET. What becomes of the directory:
    // see settle_daemon_dirs() below. `extra_args` may name another
    // --socket (a restart at the same socket), --state-dir, --log-level or
    // --on-stop (default destroy: a stop for good).
    // `nofile` > 0: start it with that open-file limit (soft, and hard too unless
    // `nofile_hard` says otherwise), to test what it does with few descriptors.
    explicit Daemon(const std::string& extra_args = "", unsigned long nofile = 0, unsigned long nofile_hard = 0);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    const std::string& socket() const { return socket_; }
    const std::string& dir() const { return dir_; }
    std::string log() const { return dir_ + "/ifctld.log"; }
    pid_t pid() const { return pid_; }
    // Stops the daemon (SIGTERM) and returns its exit status.
    int stop();
    // Kills it with SIGKILL, as a crash would, leaving its socket file behind.
    void kill_hard();

private:
    std::string dir_, socket_;
    pid_t pid_ = -1;
};

// The directories of stopped daemons, kept until the test's verdict is known.
// Without a verdict hook a Daemon removes its directory when it is destroyed;
// while hold_daemon_dirs(true) is in force, it is kept until settle_daemon_dirs():
// removed if the test passed, else kept with its path printed on stderr, so
// that a failure leaves ifctld.log to read. support/dir_verdict.hpp does both
// for a Catch2 test, per test case. IFCTL_KEEP_TEST_DIRS=1 keeps every one.
void hold_daemon_dirs(bool on);
void settle_daemon_dirs(bool passed);

// The test's own files in /tmp go the same way: settle_daemon_dirs() removes
// them when the test passed, or keeps them and prints "kept the test's file
// or directory: PATH" when it failed. A Catch2 test settles them per test
// case (dir_verdict.hpp); any other program calls settle_daemon_dirs() itself.
// temp_dir() makes a fresh directory /tmp/PREFIX.XXXXXX (throws if it
// cannot) already under the verdict; settle_with_test() puts a path there.
std::string temp_dir(const std::string& prefix);
void settle_with_test(const std::string& path);

// Brings the loopback interface up (a new namespace has it down).
void loopback_up();

// Turns IPv6 duplicate address detection off in this namespace: addresses are
// final at once, so the kernel's view does not change under a before/after
// comparison (a refused request checked against an unchanged view).
void no_dad();

// Runs a shell command, returns its standard output; throws if it fails.
std::string run(const std::string& cmd);

}  // namespace ifctl::test
