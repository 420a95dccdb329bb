// ifctld's configuration: embedded defaults, then the file named by --config
// (TOML, ifctl.conf(5)), then command-line options. No file is needed.
#pragma once

#include <cstdint>
#include <string>

namespace ifctl::daemon {

struct Config {
    std::string socket_path = "/run/ifctl/ifctld.sock";
    std::string socket_group = "ifctl";
    std::string state_dir = "/var/lib/ifctl";
    std::string log_level = "info";
    uint32_t max_queues = 16;        // per TAP
    size_t max_queued_replies = 1024;  // per client, before its reads pause
    size_t max_queued_events = 4096;   // per subscriber, before it is dropped
    std::string tap_qdisc = "noqueue";  // root qdisc of new TAPs: "noqueue" or "kernel" (its default)
};

// Reads a configuration file over `cfg`. Returns an empty string on success,
// else a message naming the file, line and column.
std::string load_config_file(const std::string& path, Config& cfg);

// The embedded defaults, as a file would spell them (ifctld --print-config).
std::string default_config_text();

}  // namespace ifctl::daemon
