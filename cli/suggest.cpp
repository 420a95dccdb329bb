#include "suggest.hpp"

#include <algorithm>
#include <utility>

namespace ifctl::cli {

namespace {

// FreeBSD ifconfig(8) words with no keyword of the same name here, and what to use instead.
constexpr std::pair<std::string_view, std::string_view> kForeign[] = {
    {"rxcsum", "a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)"},
    {"-rxcsum", "a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)"},
    {"rxcsum6", "a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)"},
    {"-rxcsum6", "a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)"},
    {"txcsum6", "did you mean \"txcsum\"? (on a TAP it covers IPv4 and IPv6)"},
    {"-txcsum6", "did you mean \"-txcsum\"? (on a TAP it covers IPv4 and IPv6)"},
    {"lro", "a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)"},
    {"-lro", "a TAP has no receive offloads; its offloads are txcsum and tso (with vnet_hdr)"},
    {"media", "a TAP has no media to choose"},
    {"mediaopt", "a TAP has no media to choose"},
    {"-mediaopt", "a TAP has no media to choose"},
    {"vlan", "ifctl makes TAP interfaces only (for a VLAN: ip link add link DEV name NAME type vlan id N)"},
    {"vlandev", "ifctl makes TAP interfaces only (for a VLAN: ip link add link DEV name NAME type vlan id N)"},
    {"tunnel", "ifctl makes TAP interfaces only (for a tunnel: ip tunnel)"},
    {"fib", "Linux chooses routing tables by rules (ip rule), not per interface"},
    {"staticarp", "Linux has no static-ARP interface flag (see ip neigh)"},
    {"link", "did you mean \"lladdr\"?"},
    {"accept_rtadv", "router advertisements are the sysctl net.ipv6.conf.NAME.accept_ra on Linux"},
    {"-accept_rtadv", "router advertisements are the sysctl net.ipv6.conf.NAME.accept_ra on Linux"},
    {"ifdisabled", "IPv6 is turned off with the sysctl net.ipv6.conf.NAME.disable_ipv6 on Linux"},
    {"-ifdisabled", "IPv6 is turned off with the sysctl net.ipv6.conf.NAME.disable_ipv6 on Linux"},
    {"show", "\"show\" comes before the name: ifctl show NAME"},
    {"list", "\"list\" comes before any name: ifctl list"},
};

}  // namespace

std::string_view foreign_word_hint(std::string_view word) {
    for (const auto& [w, hint] : kForeign)
        if (w == word) return hint;
    return {};
}

size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows suffice for the swap rule.
    std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        prev2.swap(prev);
        prev.swap(cur);
    }
    return prev[b.size()];
}

std::vector<std::string_view> closest_words(std::string_view word, const std::vector<std::string_view>& candidates) {
    // A short word is close to too much: one edit for up to four letters.
    const size_t limit = word.size() <= 4 ? 1 : 2;
    std::vector<std::pair<size_t, std::string_view>> near;
    for (std::string_view c : candidates)
        if (size_t d = edit_distance(word, c); d <= limit) near.emplace_back(d, c);
    std::stable_sort(near.begin(), near.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    // Only the nearest: "promsic" is one swap from promisc, and -promisc is no help.
    std::vector<std::string_view> out;
    for (size_t i = 0; i < near.size() && i < 3 && near[i].first == near[0].first; ++i) out.push_back(near[i].second);
    return out;
}

}  // namespace ifctl::cli
