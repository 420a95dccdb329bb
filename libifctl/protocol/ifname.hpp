// Interface names as the kernel accepts them: one rule for the daemon's schema
// and for the command line, so both refuse the same names.
#pragma once

#include <cstddef>
#include <string_view>

namespace ifctl::proto {

inline constexpr size_t kIfNameMax = 15;  // IFNAMSIZ - 1

// Why the kernel would refuse `name` as an interface name (net/core/dev.c,
// dev_valid_name: 1..15 characters, not "." or "..", no '/', ':' or white
// space), or an empty view when it would not.
std::string_view ifname_problem(std::string_view name);

// The same for a name the kernel is asked to give (a new interface, a
// rename): a '%' there makes it a pattern (dev_alloc_name), whose one "%d" the
// kernel replaces with the lowest free number; any other '%' is refused.
std::string_view new_ifname_problem(std::string_view name);

}  // namespace ifctl::proto
