#include "config.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <sstream>

#include "daemon/policy_file.hpp"
#include "daemon/toml_read.hpp"

namespace ifctl::daemon {

using tomlread::check_keys;
using tomlread::read;
using tomlread::read_range;
using tomlread::where;

std::string load_config_file(const std::string& path, Config& cfg) {
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return where(path, e.source()) + ": " + std::string(e.description());
    }
    if (auto e = check_keys(path, root, "top level", {"daemon", "limits", "policy"}); !e.empty()) return e;
    Config next = cfg;
    if (const toml::table* d = root["daemon"].as_table()) {
        if (auto e = check_keys(path, *d, "daemon", {"socket", "socket_group", "state_dir", "log_level", "tap_qdisc",
                                                         "recreate_deleted", "on_stop"});
            !e.empty())
            return e;
        for (auto e : {read(path, *d, "socket", next.socket_path), read(path, *d, "socket_group", next.socket_group),
                       read(path, *d, "state_dir", next.state_dir), read(path, *d, "log_level", next.log_level),
                       read(path, *d, "tap_qdisc", next.tap_qdisc),
                       read(path, *d, "recreate_deleted", next.recreate_deleted),
                       read(path, *d, "on_stop", next.on_stop)})
            if (!e.empty()) return e;
        if (next.tap_qdisc != "noqueue" && next.tap_qdisc != "kernel")
            return where(path, (*d)["tap_qdisc"].node()->source()) + ": tap_qdisc must be \"noqueue\" or \"kernel\"";
        if (next.on_stop != "auto" && next.on_stop != "keep" && next.on_stop != "destroy")
            return where(path, (*d)["on_stop"].node()->source()) + ": on_stop must be \"auto\", \"keep\" or \"destroy\"";
        if (spdlog::level::from_str(next.log_level) == spdlog::level::off && next.log_level != "off")
            return where(path, (*d)["log_level"].node()->source()) + ": unknown log level \"" + next.log_level + "\"";
    }
    if (const toml::table* l = root["limits"].as_table()) {
        if (auto e = check_keys(path, *l, "limits",
                                {"max_queues", "max_queued_replies", "max_queued_events", "max_connections_per_uid",
                                 "max_request_bytes", "max_in_flight", "hello_timeout", "reserved_fds",
                                 "max_batch_steps", "max_batch_bytes", "max_batch_bytes_per_uid", "max_reply_bytes",
                                 "max_reply_bytes_per_uid", "max_addresses_per_interface",
                                 "max_addresses_per_owner"});
            !e.empty())
            return e;
        for (auto e : {read_range(path, *l, "max_queues", next.max_queues, 1, 256),
                       read_range(path, *l, "max_queued_replies", next.max_queued_replies, 1, 1 << 20),
                       read_range(path, *l, "max_queued_events", next.max_queued_events, 1, 1 << 20),
                       read_range(path, *l, "max_connections_per_uid", next.max_connections_per_uid, 1, 1 << 16),
                       read_range(path, *l, "max_request_bytes", next.max_request_bytes, 64, 65536),
                       read_range(path, *l, "max_in_flight", next.max_in_flight, 1, 1 << 20),
                       read_range(path, *l, "hello_timeout", next.hello_timeout, 1, 3600),
                       read_range(path, *l, "reserved_fds", next.reserved_fds, 8, 1 << 16),
                       read_range(path, *l, "max_batch_steps", next.max_batch_steps, 1, 1 << 16),
                       read_range(path, *l, "max_batch_bytes", next.max_batch_bytes, 1 << 16, 1 << 28),
                       read_range(path, *l, "max_batch_bytes_per_uid", next.max_batch_bytes_per_uid, 1 << 16, 1 << 30),
                       read_range(path, *l, "max_reply_bytes", next.max_reply_bytes, 1 << 16, 1 << 28),
                       read_range(path, *l, "max_reply_bytes_per_uid", next.max_reply_bytes_per_uid, 1 << 16, 1 << 30),
                       read_range(path, *l, "max_addresses_per_interface", next.max_addresses_per_interface, 1, 1000),
                       read_range(path, *l, "max_addresses_per_owner", next.max_addresses_per_owner, 1, 1 << 20)})
            if (!e.empty()) return e;
    }
    auto policy = std::make_shared<Policy>();
    if (const toml::node* p = root.get("policy")) {
        const toml::table* t = p->as_table();
        if (!t) return where(path, p->source()) + ": policy must be a table ([policy])";
        if (auto e = read_policy(path, *t, *policy); !e.empty()) return e;
        policy->source = path;
    }
    next.policy = std::move(policy);
    cfg = next;
    return {};
}

std::string config_file_in_use(const std::string& given) {
    if (!given.empty()) return given;
    std::error_code ec;
    return std::filesystem::exists(kDefaultConfigFile, ec) ? kDefaultConfigFile : "";
}

std::string load_config(const std::string& given, Config& cfg) {
    const std::string path = config_file_in_use(given);
    return path.empty() ? std::string() : load_config_file(path, cfg);
}

std::string default_config_text() {
    const Config d;
    std::ostringstream s;
    s << "# ifctld's configuration, " << kDefaultConfigFile << " (ifctl.conf(5)).\n"
      << "# Every value below is the embedded default (ifctld --print-config prints\n"
      << "# this file); a key left out keeps its default. Check an edited file with\n"
      << "# `ifctld --check-config FILE`; `systemctl reload ifctld` applies [policy].\n\n"
      << "[daemon]\n"
      << "socket = \"" << d.socket_path << "\"\n"
      << "socket_group = \"" << d.socket_group << "\"\n"
      << "state_dir = \"" << d.state_dir << "\"\n"
      << "log_level = \"" << d.log_level << "\"\n"
      << "tap_qdisc = \"" << d.tap_qdisc << "\"\n"
      << "recreate_deleted = " << (d.recreate_deleted ? "true" : "false") << "\n"
      << "# auto: non-persistent TAPs go when systemd stops ifctld for good, never on a\n"
      << "# restart; keep: never on a stop; destroy: on every stop (SIGTERM).\n"
      << "on_stop = \"" << d.on_stop << "\"\n\n"
      << "[limits]\n"
      << "max_queues = " << d.max_queues << "\n"
      << "max_queued_replies = " << d.max_queued_replies << "\n"
      << "max_queued_events = " << d.max_queued_events << "\n"
      << "max_connections_per_uid = " << d.max_connections_per_uid << "\n"
      << "max_request_bytes = " << d.max_request_bytes << "\n"
      << "max_in_flight = " << d.max_in_flight << "\n"
      << "hello_timeout = " << d.hello_timeout << "\n"
      << "reserved_fds = " << d.reserved_fds << "\n"
      << "max_batch_steps = " << d.max_batch_steps << "\n"
      << "max_batch_bytes = " << d.max_batch_bytes << "\n"
      << "max_batch_bytes_per_uid = " << d.max_batch_bytes_per_uid << "\n"
      << "max_reply_bytes = " << d.max_reply_bytes << "\n"
      << "max_reply_bytes_per_uid = " << d.max_reply_bytes_per_uid << "\n"
      << "max_addresses_per_interface = " << d.max_addresses_per_interface << "\n"
      << "max_addresses_per_owner = " << d.max_addresses_per_owner << "\n\n"
      << "# No [policy]: only root creates; an owner may do everything to its own\n"
      << "# interfaces. For example, to let members of group \"lab\" make up to two\n"
      << "# TAPs named lab* (ifctl.conf(5) has every key):\n"
      << "#\n"
      << "# [[policy.rule]]\n"
      << "# name = \"lab\"\n"
      << "# groups = [\"lab\"]\n"
      << "# create = true\n"
      << "# names = [\"lab*\"]\n"
      << "# max_interfaces = 2\n"
      << "# operations = [\"address\", \"mtu\", \"flags\", \"queue\", \"destroy\"]\n"
      << "# address_prefixes = [\"10.9.0.0/16\"]\n";
    return s.str();
}

}  // namespace ifctl::daemon
