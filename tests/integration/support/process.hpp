// Test support: running programs with a time limit and capturing what they
// print, and the kernel's view through `ip -j`. Shared by the integration
// tests that drive real binaries (ifctl, net-tools ifconfig, busybox).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
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

// Runs argv[0] (looked up in PATH) with a time limit, stdin from /dev/null;
// captures both outputs. `env` entries ("NAME=value") are added to (or
// replace those of) this process's environment for the child only.
Run exec(const Args& argv, int timeout_ms = 10000, const Args& env = {});

// `ip -j ARGS`, parsed; throws if ip fails.
nlohmann::json ip(const Args& args);

// The `ip -j -d addr show` entry of one link, or null.
nlohmann::json link(const std::string& name);

// Whether an `ip -j` link entry shows flag `f` ("UP", "NO-CARRIER", ...).
bool has_flag(const nlohmann::json& link, const std::string& f);

}  // namespace ifctl::test
