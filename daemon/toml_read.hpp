// Small helpers for reading ifctl.conf(5) with toml++: every error names the
// file, line and column, and keys nobody reads are errors (a typo must not
// silently leave a default in force). Shared by config.cpp and policy_file.cpp.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>

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

// What a key must hold, for messages: "an integer", "a string", "a boolean".
template <typename T>
const char* type_phrase() {
    if constexpr (std::is_same_v<T, bool>) return "a boolean";
    else if constexpr (std::is_same_v<T, int64_t>) return "an integer";
    else if constexpr (std::is_same_v<T, double>) return "a floating-point number";
    else return "a string";
}

// A key of exactly TOML type T (bool, int64_t, double or std::string); `out`
// is left alone if the key is absent. No conversion between TOML types:
// value<int64_t>() would turn a float into an integer (2e52 into undefined
// behaviour, 2.5 into 2), and a setting written as a float is a mistake to
// report, not to guess at.
template <typename T>
std::string read(const std::string& path, const toml::table& t, const char* key, T& out) {
    static_assert(std::is_same_v<T, bool> || std::is_same_v<T, int64_t> || std::is_same_v<T, double> ||
                      std::is_same_v<T, std::string>,
                  "read() takes a native TOML type; read_range() converts integers");
    const toml::node* n = t.get(key);
    if (!n) return {};
    if (auto v = n->value_exact<T>()) {
        out = *v;
        return {};
    }
    std::ostringstream got;
    got << n->type();
    return where(path, n->source()) + ": \"" + key + "\" must be " + type_phrase<T>() + ", not " + got.str();
}

// An integer key within [lo, hi]; `out` is left alone if the key is absent.
// Only integer nodes: a float, even an integral one, is refused by read().
template <typename T>
std::string read_range(const std::string& path, const toml::table& t, const char* key, T& out, int64_t lo, int64_t hi) {
    static_assert(std::is_integral_v<T>, "read_range() reads integer settings");
    int64_t v = 0;
    if (auto e = read(path, t, key, v); !e.empty()) return e;
    if (!t.get(key)) return {};
    if (v < lo || v > hi)
        return where(path, t.get(key)->source()) + ": " + key + " must be " + std::to_string(lo) + ".." +
               std::to_string(hi) + ", not " + std::to_string(v);
    out = static_cast<T>(v);
    return {};
}

}  // namespace ifctl::daemon::tomlread
