// Test support: running programs with a time limit and capturing what they
// print, and the kernel's view through `ip -j`. Shared by the integration
// tests that drive real binaries (ifctl, net-tools ifconfig, busybox).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace ifctl::test {

using Args = std::vector<std::string>;

struct Run {
    std::string cmd;  // for messages
    int status = -1;  // exit status, or 128 + signal
    bool timed_out = false;
    std::string out, err;
};

// Prints the command, its status and both outputs (for INFO and failures).
std::ostream& operator<<(std::ostream& os, const Run& r);

std::string join(const Args& a);

// A whole file's contents ("" if it cannot be read).
std::string slurp(const std::string& path);

// Runs argv[0] (looked up in PATH) with a time limit, stdin from /dev/null;
// captures both outputs. `env` entries ("NAME=value") are added to (or
// replace those of) this process's environment for the child only.
Run exec(const Args& argv, int timeout_ms = 10000, const Args& env = {});

// A program run for a conversation in steps (a ported program that holds a
// membership while the test looks at the kernel, then goes on): its standard
// input and output are pipes, its standard error is the test's. Every wait is
// bounded; a child still running at destruction is killed.
class Child {
public:
    // Starts argv[0] (looked up in PATH) with `env` as for exec().
    explicit Child(const Args& argv, const Args& env = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    // The next line it prints, without the newline; throws if none comes
    // within `timeout_ms` or its output ends first.
    std::string line(int timeout_ms = 10000);
    // Writes `text` and a newline to its standard input.
    void send(const std::string& text);
    // Closes its standard input and waits for it to exit (SIGKILL after
    // `timeout_ms`); its exit status, or 128 + signal.
    int wait(int timeout_ms = 10000);

private:
    std::string cmd_, buffered_;
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1;
};

// The kernel's link-level multicast memberships of one interface, as
// /proc/net/dev_mcast lists them: lowercase hex without separators
// ("01005e010203").
std::set<std::string> link_groups(const std::string& dev);

// `ip -j ARGS`, parsed; throws if ip fails.
nlohmann::json ip(const Args& args);

// The `ip -j -d addr show` entry of one link, or null.
nlohmann::json link(const std::string& name);

// Whether an `ip -j` link entry shows flag `f` ("UP", "NO-CARRIER", ...).
bool has_flag(const nlohmann::json& link, const std::string& f);

}  // namespace ifctl::test
