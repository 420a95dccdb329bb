// Names for the numbers in an interface record, shared by the text and JSON
// printers so both spell flags and families the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ifctl::cli {

// The names of the Linux IFF_* bits set in `flags`, lowest bit first ("UP", "BROADCAST", ...).
// Unknown bits are left out; the number itself is always printed beside them.
std::vector<std::string_view> flag_names(uint32_t flags);

std::string_view family_name(uint8_t family);      // "inet", "inet6"
std::string_view link_type_name(uint32_t hw_type);  // "ether", "loop", "none", or "lladdr"
std::string_view operstate_name(uint8_t state);     // RFC 2863 names: "up", "down", ...
std::string user_name(uint32_t uid);                // from the password database, else the number

}  // namespace ifctl::cli
