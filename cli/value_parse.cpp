#include "value_parse.hpp"

#include "libifctl/protocol/ifname.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace ifctl::cli {

namespace {

// Decimal only: "0x10" or "1e3" as an MTU is more likely a typo than intent.
template <class T>
bool parse_decimal(std::string_view s, T& out, std::string& why) {
    T v{};
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v, 10);
    if (s.empty() || p != end || (ec != std::errc() && ec != std::errc::result_out_of_range) ||
        (s.front() == '-' && std::numeric_limits<T>::is_signed == false)) {
        why = "not a number";
        return false;
    }
    if (ec == std::errc::result_out_of_range) {
        why = "out of range (" + std::to_string(std::numeric_limits<T>::min()) + " to " +
              std::to_string(std::numeric_limits<T>::max()) + ")";
        return false;
    }
    out = v;
    return true;
}

}  // namespace

bool parse_u32(std::string_view s, uint32_t& out, std::string& why) { return parse_decimal(s, out, why); }
bool parse_s32(std::string_view s, int32_t& out, std::string& why) { return parse_decimal(s, out, why); }
bool parse_u64(std::string_view s, uint64_t& out, std::string& why) { return parse_decimal(s, out, why); }

bool parse_seconds_ms(std::string_view s, uint32_t& ms, std::string& why) {
    const size_t dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    uint32_t secs = 0;
    if (whole.empty() || (dot != std::string_view::npos && (frac.empty() || frac.size() > 3)) ||
        !parse_decimal(whole, secs, why) || (frac.size() && !std::all_of(frac.begin(), frac.end(), ::isdigit))) {
        why = "not a number of seconds (such as 5 or 0.25)";
        return false;
    }
    constexpr uint32_t kDay = 86400;
    if (secs > kDay) {
        why = "more than a day";
        return false;
    }
    uint32_t milli = 0;
    for (size_t i = 0; i < 3; ++i) milli = milli * 10 + (i < frac.size() ? static_cast<uint32_t>(frac[i] - '0') : 0);
    ms = secs * 1000 + milli;
    return true;
}

bool parse_ifname(std::string_view s, std::string& out, std::string& why) {
    // Checked here, with the daemon's rule, so that the error names the word.
    if (const std::string_view problem = ifctl::proto::ifname_problem(s); !problem.empty()) {
        why = problem;
        return false;
    }
    out = s;
    return true;
}

bool parse_word(std::string_view s, std::string& out, std::string& why) {
    if (s.empty()) {
        why = "cannot be empty";
        return false;
    }
    out = s;
    return true;
}

}  // namespace ifctl::cli
