// Parsers for the plain words of the grammar: numbers and interface names.
// Each returns true on success; otherwise `why` says what is wrong in words a
// person can act on, to be shown as: KEYWORD "WORD": why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ifctl::cli {

bool parse_u32(std::string_view s, uint32_t& out, std::string& why);
bool parse_s32(std::string_view s, int32_t& out, std::string& why);
bool parse_u64(std::string_view s, uint64_t& out, std::string& why);
// Seconds with up to three decimals ("5", "0.25"), as milliseconds (at most a day).
bool parse_seconds_ms(std::string_view s, uint32_t& ms, std::string& why);

// A Linux interface name: 1..15 bytes, no '/', ':' or white space, not "." or "..".
// '%' is allowed because "tap%d" is a valid create pattern.
bool parse_ifname(std::string_view s, std::string& out, std::string& why);

// Any non-empty word (user and group names are resolved later, by the actions).
bool parse_word(std::string_view s, std::string& out, std::string& why);

}  // namespace ifctl::cli
