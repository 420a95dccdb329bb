// The names a porter gives in the environment: personalities
// ($IFCTL_PERSONALITY) and SIOCGIFCONF layouts ($IFCTL_IFCONF), one table each,
// read case-insensitively. Pure functions, unit-tested (tests/unit/test_names.cpp).
#pragma once

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ifctl/ifctl.h"

namespace ifctl::ioctl_layer {

// The int a C caller passed for one of the API's enum types. A C program may
// pass any int there; C++ may not read such a value through the enum type
// (its range is that of its enumerators), so it is read as the bytes it is.
template <typename Enum>
int enum_argument(const Enum& e) {
    static_assert(sizeof(Enum) == sizeof(int));
    int raw;
    std::memcpy(&raw, &e, sizeof raw);
    return raw;
}
// Whether a C caller's layout argument is one of the four.
inline bool valid_layout(int raw) { return raw >= IFCTL_IFCONF_DEFAULT && raw <= IFCTL_IFCONF_PACKED; }

// "bsd", "FreeBSD", "macos" → BSD; "svr4", "Solaris", "illumos" → SVR4; ...
std::optional<ifctl_personality_t> personality_by_name(std::string_view name);
// "linux", "bsd" or "svr4".
const char* personality_name(ifctl_personality_t p);
// Every accepted name, comma-separated, for a message.
std::string personality_names();

// "ifreq", "padded", "packed" (any case) → the layout; never DEFAULT.
std::optional<ifctl_ifconf_layout_t> layout_by_name(std::string_view name);
// "ifreq", "padded", "packed" ("default" for DEFAULT).
const char* layout_name(ifctl_ifconf_layout_t l);
std::string layout_names();

}  // namespace ifctl::ioctl_layer
