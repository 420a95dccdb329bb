// Small helpers for reading ifctl.conf(5) with toml++: every error names the
// file, line and column, and keys nobody reads are errors (a typo must not
// silently leave a default in force). Shared by config.cpp and policy_file.cpp.
#pragma once

#include <toml++/toml.h>

#include <set>
#include <string>

namespace ifctl::daemon::tomlread {

inline std::string where(const std::string& path, const toml::source_region& r) {
    return path + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

inline std::string check_keys(const std::string& path, const toml::table& t, const std::string& section,
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

// An integer key within [lo, hi]; `out` is left alone if the key is absent.
template <typename T>
std::string read_range(const std::string& path, const toml::table& t, const char* key, T& out, int64_t lo, int64_t hi) {
    int64_t v = static_cast<int64_t>(out);
    if (auto e = read(path, t, key, v); !e.empty()) return e;
    if (!t.get(key)) return {};
    if (v < lo || v > hi)
        return where(path, t.get(key)->source()) + ": " + key + " must be " + std::to_string(lo) + ".." +
               std::to_string(hi);
    out = static_cast<T>(v);
    return {};
}

}  // namespace ifctl::daemon::tomlread
