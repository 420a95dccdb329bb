// Test support: real system users and groups for access tests.
//
// TestUsers adds groups and users with useradd/groupadd under names unique to
// this process ("ifct-<tag>-<pid>-<name>") and removes them when it is
// destroyed. A watchdog child removes them too if the test dies without
// running destructors (a crash, a timeout's SIGKILL): it waits for the end of
// a pipe only the test holds. Users left by an earlier run whose process is
// gone are removed at start.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace ifctl::test {

struct TestUser {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary
};

class TestUsers {
public:
    explicit TestUsers(const std::string& tag);
    ~TestUsers();
    TestUsers(const TestUsers&) = delete;
    TestUsers& operator=(const TestUsers&) = delete;

    // Adds a group; returns its full name.
    std::string add_group(const std::string& short_name);
    gid_t gid(const std::string& short_name) const;
    // Adds a user in the given groups (short names).
    TestUser add_user(const std::string& short_name, const std::vector<std::string>& groups = {});
    std::string full(const std::string& short_name) const { return prefix_ + short_name; }

private:
    std::string prefix_;
    std::vector<std::string> users_, groups_;
    pid_t watchdog_ = -1;
    int watchdog_pipe_ = -1;
};

// Runs `fn` in a child process with the user's credentials (groups, gid, uid,
// in that order) and returns what it wrote: fn returns a string, passed back
// through a pipe. "!setuid" if the switch failed.
std::string run_as(const TestUser& u, const std::function<std::string()>& fn);

}  // namespace ifctl::test
