#include "policy_file.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include "daemon/toml_read.hpp"

namespace ifctl::daemon {

using tomlread::check_keys;
using tomlread::read;
using tomlread::read_range;
using tomlread::where;

namespace {

const std::set<std::string> kGrantKeys{"create",    "names",  "max_interfaces",   "max_queues", "vnet_hdr",
                                       "persist",   "operations", "address_prefixes", "mtu",        "rename_to"};

// An array of strings, each passed to `each` with its position for messages.
template <typename F>
std::string each_string(const std::string& path, const toml::table& t, const char* key, F each) {
    const toml::node* n = t.get(key);
    if (!n) return {};
    const toml::array* a = n->as_array();
    if (!a) return where(path, n->source()) + ": \"" + key + "\" must be an array of strings";
    for (const toml::node& x : *a) {
        auto s = x.value<std::string>();
        if (!s) return where(path, x.source()) + ": \"" + key + "\" must hold strings";
        if (auto e = each(*s, x.source()); !e.empty()) return e;
    }
    return {};
}

std::string read_prefix(const std::string& path, const std::string& text, const toml::source_region& at, Prefix& p) {
    const auto slash = text.find('/');
    const std::string addr = text.substr(0, slash);
    p.family = addr.find(':') == std::string::npos ? AF_INET : AF_INET6;
    const unsigned max = p.family == AF_INET ? 32 : 128;
    if (::inet_pton(p.family, addr.c_str(), p.addr.data()) != 1)
        return where(path, at) + ": \"" + text + "\" is not an inet or inet6 prefix (such as 10.9.0.0/16)";
    unsigned len = max;
    if (slash != std::string::npos) {
        const std::string l = text.substr(slash + 1);
        if (l.empty() || l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos ||
            (len = static_cast<unsigned>(std::stoul(l))) > max)
            return where(path, at) + ": \"" + text + "\" has a bad prefix length (0.." + std::to_string(max) + ")";
    }
    p.len = static_cast<uint8_t>(len);
    p.text = text;
    return {};
}

std::string read_grant(const std::string& path, const toml::table& t, Grant& g) {
    for (auto e : {read(path, t, "create", g.create), read(path, t, "vnet_hdr", g.vnet_hdr),
                   read(path, t, "persist", g.persist),
                   read_range(path, t, "max_interfaces", g.max_interfaces, 0, 65535),
                   read_range(path, t, "max_queues", g.max_queues, 0, 256)})
        if (!e.empty()) return e;
    auto patterns = [&](const char* key, std::vector<std::string>& out) {
        if (!t.get(key)) return std::string();
        out.clear();
        return each_string(path, t, key, [&](const std::string& s, const toml::source_region& at) {
            if (s.empty() || s.size() > 64) return where(path, at) + ": a name pattern is 1..64 characters";
            out.push_back(s);
            return std::string();
        });
    };
    if (auto e = patterns("names", g.names); !e.empty()) return e;
    if (auto e = patterns("rename_to", g.rename_to); !e.empty()) return e;
    if (t.get("operations")) {
        g.perms = 0;
        if (auto e = each_string(path, t, "operations",
                                 [&](const std::string& s, const toml::source_region& at) {
                                     const uint32_t p = perm_from_name(s);
                                     if (!p)
                                         return where(path, at) + ": unknown operation \"" + s +
                                                "\" (address, mtu, flags, lladdr, rename, multicast, promisc, "
                                                "queue, destroy, metric, txqlen, or all)";
                                     g.perms |= p;
                                     return std::string();
                                 });
            !e.empty())
            return e;
    }
    if (t.get("address_prefixes")) {
        g.prefixes.clear();
        if (auto e = each_string(path, t, "address_prefixes",
                                 [&](const std::string& s, const toml::source_region& at) {
                                     Prefix p;
                                     if (auto e = read_prefix(path, s, at, p); !e.empty()) return e;
                                     g.prefixes.push_back(p);
                                     return std::string();
                                 });
            !e.empty())
            return e;
    }
    if (const toml::node* n = t.get("mtu")) {
        const toml::array* a = n->as_array();
        auto lo = a && a->size() == 2 ? (*a)[0].value<int64_t>() : std::nullopt;
        auto hi = a && a->size() == 2 ? (*a)[1].value<int64_t>() : std::nullopt;
        if (!lo || !hi || *lo < 0 || *hi > 0xffffffffLL || *lo > *hi)
            return where(path, n->source()) + ": mtu must be [MIN, MAX] with 0 <= MIN <= MAX";
        g.mtu_min = static_cast<uint32_t>(*lo);
        g.mtu_max = static_cast<uint32_t>(*hi);
    }
    return {};
}

// users = ["alice", 1001] / groups = ["lab", 2000]: names must exist now, so that
// a typo is an error at load time rather than a rule that never matches.
template <typename Id, typename Lookup>
std::string read_ids(const std::string& path, const toml::table& t, const char* key, std::vector<Id>& out,
                     Lookup lookup) {
    const toml::node* n = t.get(key);
    if (!n) return {};
    const toml::array* a = n->as_array();
    if (!a) return where(path, n->source()) + ": \"" + key + "\" must be an array of names or numbers";
    for (const toml::node& x : *a) {
        if (auto num = x.value<int64_t>()) {
            if (*num < 0 || *num > 0xfffffffeLL) return where(path, x.source()) + ": id out of range";
            out.push_back(static_cast<Id>(*num));
        } else if (auto name = x.value<std::string>()) {
            Id id;
            if (!lookup(*name, id)) return where(path, x.source()) + ": no such " + (key[0] == 'u' ? "user" : "group") +
                                           " \"" + *name + "\"";
            out.push_back(id);
        } else {
            return where(path, x.source()) + ": \"" + key + "\" must hold names or numbers";
        }
    }
    return {};
}

bool user_id(const std::string& name, uid_t& id) {
    const passwd* pw = ::getpwnam(name.c_str());
    if (pw) id = pw->pw_uid;
    return pw;
}

bool group_id(const std::string& name, gid_t& id) {
    const group* gr = ::getgrnam(name.c_str());
    if (gr) id = gr->gr_gid;
    return gr;
}

}  // namespace

std::string read_policy(const std::string& path, const toml::table& section, Policy& out) {
    if (auto e = check_keys(path, section, "policy", {"default", "rule"}); !e.empty()) return e;
    Policy p;
    if (const toml::node* d = section.get("default")) {
        const toml::table* t = d->as_table();
        if (!t) return where(path, d->source()) + ": policy.default must be a table ([policy.default])";
        if (auto e = check_keys(path, *t, "policy.default", kGrantKeys); !e.empty()) return e;
        p.defaults.label = "[policy.default] (" + path + ":" + std::to_string(d->source().begin.line) + ")";
        if (auto e = read_grant(path, *t, p.defaults); !e.empty()) return e;
    }
    if (const toml::node* r = section.get("rule")) {
        const toml::array* rules = r->as_array();
        if (!rules || !rules->is_array_of_tables())
            return where(path, r->source()) + ": policy.rule must be an array of tables ([[policy.rule]])";
        for (const toml::node& n : *rules) {
            const toml::table& t = *n.as_table();
            std::set<std::string> keys = kGrantKeys;
            keys.insert({"name", "users", "groups"});
            if (auto e = check_keys(path, t, "[policy.rule]", keys); !e.empty()) return e;
            Rule rule;
            rule.grant = p.defaults;  // a rule says only how it differs from the default
            std::string name = "#" + std::to_string(p.rules.size() + 1);
            if (auto e = read(path, t, "name", name); !e.empty()) return e;
            rule.grant.label = "rule \"" + name + "\" (" + path + ":" + std::to_string(n.source().begin.line) + ")";
            if (auto e = read_ids(path, t, "users", rule.users, user_id); !e.empty()) return e;
            if (auto e = read_ids(path, t, "groups", rule.groups, group_id); !e.empty()) return e;
            if (rule.users.empty() && rule.groups.empty())
                return where(path, n.source()) + ": rule \"" + name + "\" names no users and no groups";
            if (auto e = read_grant(path, t, rule.grant); !e.empty()) return e;
            p.rules.push_back(std::move(rule));
        }
    }
    out = std::move(p);
    return {};
}

}  // namespace ifctl::daemon
