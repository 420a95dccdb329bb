#include "config.hpp"

#include <spdlog/spdlog.h>

#include <toml++/toml.h>

#include <set>
#include <sstream>

namespace ifctl::daemon {

namespace {

std::string where(const std::string& path, const toml::source_region& r) {
    return path + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

// Rejects keys nobody reads: a typo should not silently leave a default in force.
std::string check_keys(const std::string& path, const toml::table& t, const std::string& section,
                       const std::set<std::string>& known) {
    for (const auto& [k, v] : t)
        if (!known.count(std::string(k.str())))
            return where(path, k.source()) + ": unknown key \"" + std::string(k.str()) + "\" in [" + section + "]";
    return {};
}

template <typename T>
std::string read(const std::string& path, const toml::table& t, const char* key, T& out) {
    const toml::node* n = t.get(key);
    if (!n) return {};
    if (auto v = n->value<T>()) {
        out = *v;
        return {};
    }
    return where(path, n->source()) + ": \"" + key + "\" has the wrong type";
}

}  // namespace

std::string load_config_file(const std::string& path, Config& cfg) {
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return where(path, e.source()) + ": " + std::string(e.description());
    }
    if (const toml::node* p = root.get("policy"))
        return where(path, p->source()) + ": [policy] is not supported by this ifctld yet (ownership is fixed: "
                                          "root creates, owners configure their own interfaces)";
    if (auto e = check_keys(path, root, "top level", {"daemon", "limits"}); !e.empty()) return e;
    Config next = cfg;
    if (const toml::table* d = root["daemon"].as_table()) {
        if (auto e = check_keys(path, *d, "daemon", {"socket", "socket_group", "state_dir", "log_level", "tap_qdisc"});
            !e.empty())
            return e;
        for (auto e : {read(path, *d, "socket", next.socket_path), read(path, *d, "socket_group", next.socket_group),
                       read(path, *d, "state_dir", next.state_dir), read(path, *d, "log_level", next.log_level),
                       read(path, *d, "tap_qdisc", next.tap_qdisc)})
            if (!e.empty()) return e;
        if (next.tap_qdisc != "noqueue" && next.tap_qdisc != "kernel")
            return where(path, (*d)["tap_qdisc"].node()->source()) + ": tap_qdisc must be \"noqueue\" or \"kernel\"";
        if (spdlog::level::from_str(next.log_level) == spdlog::level::off && next.log_level != "off")
            return where(path, (*d)["log_level"].node()->source()) + ": unknown log level \"" + next.log_level + "\"";
    }
    if (const toml::table* l = root["limits"].as_table()) {
        if (auto e = check_keys(path, *l, "limits", {"max_queues", "max_queued_replies", "max_queued_events"});
            !e.empty())
            return e;
        int64_t q = next.max_queues, r = static_cast<int64_t>(next.max_queued_replies),
                ev = static_cast<int64_t>(next.max_queued_events);
        for (auto e : {read(path, *l, "max_queues", q), read(path, *l, "max_queued_replies", r),
                       read(path, *l, "max_queued_events", ev)})
            if (!e.empty()) return e;
        if (ev < 1 || ev > 1 << 20)
            return where(path, (*l)["max_queued_events"].node()->source()) + ": max_queued_events must be 1..1048576";
        next.max_queued_events = static_cast<size_t>(ev);
        if (q < 1 || q > 256) return where(path, (*l)["max_queues"].node()->source()) + ": max_queues must be 1..256";
        if (r < 1 || r > 1 << 20)
            return where(path, (*l)["max_queued_replies"].node()->source()) + ": max_queued_replies must be 1..1048576";
        next.max_queues = static_cast<uint32_t>(q);
        next.max_queued_replies = static_cast<size_t>(r);
    }
    cfg = next;
    return {};
}

std::string default_config_text() {
    const Config d;
    std::ostringstream s;
    s << "# ifctld's embedded defaults (ifctl.conf(5))\n"
      << "[daemon]\n"
      << "socket = \"" << d.socket_path << "\"\n"
      << "socket_group = \"" << d.socket_group << "\"\n"
      << "state_dir = \"" << d.state_dir << "\"\n"
      << "log_level = \"" << d.log_level << "\"\n"
      << "tap_qdisc = \"" << d.tap_qdisc << "\"\n\n"
      << "[limits]\n"
      << "max_queues = " << d.max_queues << "\n"
      << "max_queued_replies = " << d.max_queued_replies << "\n"
      << "max_queued_events = " << d.max_queued_events << "\n";
    return s.str();
}

}  // namespace ifctl::daemon
