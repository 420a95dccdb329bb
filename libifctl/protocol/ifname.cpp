#include "ifname.hpp"

namespace ifctl::proto {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string_view ifname_problem(std::string_view name) {
    if (name.empty()) return "an interface name cannot be empty";
    if (name.size() > kIfNameMax) return "interface names are at most 15 characters";
    if (name == "." || name == "..") return "not a valid interface name";
    for (char c : name)
        if (c == '/' || c == ':' || is_space(c)) return "interface names cannot contain '/', ':' or spaces";
    return {};
}

std::string_view new_ifname_problem(std::string_view name) {
    if (std::string_view why = ifname_problem(name); !why.empty()) return why;
    const size_t pct = name.find('%');
    if (pct == std::string_view::npos) return {};
    if (name.compare(pct, 2, "%d") != 0 || name.find('%', pct + 1) != std::string_view::npos)
        return "a name pattern has one %d and no other '%'";
    return {};
}

}  // namespace ifctl::proto
