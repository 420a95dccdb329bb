// ifctld's configuration: embedded defaults, then the file named by --config
// or, without it, kDefaultConfigFile when it exists (TOML, ifctl.conf(5)), then
// command-line options. No file is needed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "daemon/core/policy.hpp"

namespace ifctl::daemon {

struct Config {
    std::string socket_path = "/run/ifctl/ifctld.sock";
    std::string socket_group = "ifctl";
    std::string state_dir = "/var/lib/ifctl";
    std::string log_level = "info";
    uint32_t max_queues = 16;          // per TAP
    size_t max_queued_replies = 1024;  // per client, before its reads pause
    size_t max_queued_events = 4096;   // per subscriber, before it is dropped
    std::string tap_qdisc = "noqueue";  // root qdisc of new TAPs: "noqueue" or "kernel" (its default)
    bool recreate_deleted = true;       // a persistent TAP deleted from outside is made again at once
    // What a stop (SIGTERM) does to non-persistent TAPs: "auto" destroys them
    // only when systemd stops the unit for good (not on a restart), "destroy"
    // on every stop, "keep" never (core/stop_kind.hpp).
    std::string on_stop = "auto";
    uint32_t max_connections_per_uid = 64;  // root is not counted
    uint32_t max_request_bytes = 65536;     // one request frame
    uint32_t max_in_flight = 256;           // replies a client has not read yet, before new requests are refused
    uint32_t hello_timeout = 10;            // seconds a connection may take to say hello
    uint32_t reserved_fds = 64;             // descriptors kept for root whatever other users hold
    uint32_t max_batch_steps = 8192;       // steps in one batch
    uint32_t max_batch_bytes = 4 << 20;     // one batch's steps held until its last part
    uint32_t max_batch_bytes_per_uid = 16 << 20;  // unfinished batches across one user's connections
    uint32_t max_reply_bytes = 1 << 20;           // replies waiting for one client, before its reads pause
    uint32_t max_reply_bytes_per_uid = 8 << 20;   // the same across one user's connections
    uint32_t max_addresses_per_interface = 256;   // addresses one interface may carry (bounds its record)
    uint32_t max_addresses_per_owner = 4096;      // addresses across the interfaces one user owns
    // The [policy] section; the built-in policy if the file has none.
    std::shared_ptr<const Policy> policy = std::make_shared<Policy>();
};

// The file ifctld reads when --config names none.
inline constexpr const char* kDefaultConfigFile = "/etc/ifctl/ifctl.conf";

// Reads a configuration file over `cfg`. Returns an empty string on success,
// else a message naming the file, line and column; `cfg` is then unchanged.
std::string load_config_file(const std::string& path, Config& cfg);

// The configuration a start or a reload reads: the file `given` (--config),
// else kDefaultConfigFile if it exists, else the embedded defaults (`cfg` as
// it is). Same result as load_config_file.
std::string load_config(const std::string& given, Config& cfg);
// The file load_config reads (empty: none), for messages.
std::string config_file_in_use(const std::string& given);

// The embedded defaults, as a file would spell them (ifctld --print-config).
std::string default_config_text();

}  // namespace ifctl::daemon
