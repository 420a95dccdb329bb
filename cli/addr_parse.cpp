#include "addr_parse.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <charconv>

#include "value_parse.hpp"

namespace ifctl::cli {

namespace {

bool parse_prefixed(std::string_view s, uint8_t family, AddrArg& out, std::string& why) {
    const unsigned max = family == AF_INET ? 32 : 128;
    AddrArg a;
    a.addr.family = family;
    const size_t slash = s.find('/');
    if (!parse_host(s.substr(0, slash), family, a.addr.local, why)) return false;
    if (slash != std::string_view::npos) {
        uint32_t p = 0;
        std::string ignored;
        if (!parse_u32(s.substr(slash + 1), p, ignored) || p > max) {
            why = "prefix length must be a number from 0 to " + std::to_string(max);
            return false;
        }
        a.addr.prefix = static_cast<uint8_t>(p);
        a.has_prefix = true;
    } else {
        a.addr.prefix = family == AF_INET ? classful_prefix(a.addr.local.data()) : 64;
    }
    out = a;
    return true;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool parse_inet(std::string_view s, AddrArg& out, std::string& why) { return parse_prefixed(s, AF_INET, out, why); }
bool parse_inet6(std::string_view s, AddrArg& out, std::string& why) { return parse_prefixed(s, AF_INET6, out, why); }

bool parse_host(std::string_view s, uint8_t family, std::array<uint8_t, 16>& out, std::string& why) {
    std::array<uint8_t, 16> bytes{};
    const std::string z(s);  // inet_pton needs a terminated string
    if (z.empty() || inet_pton(family, z.c_str(), bytes.data()) != 1) {
        why = family == AF_INET ? "not an IPv4 address (expected a.b.c.d)" : "not an IPv6 address";
        return false;
    }
    out = bytes;
    return true;
}

bool parse_netmask(std::string_view s, uint8_t& prefix, std::string& why) {
    uint32_t mask = 0;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        const std::string_view hex = s.substr(2);
        auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), mask, 16);
        if (hex.empty() || hex.size() > 8 || ec != std::errc() || p != hex.data() + hex.size()) {
            why = "not a netmask (expected a prefix length, a.b.c.d or 0xhhhhhhhh)";
            return false;
        }
    } else if (s.find('.') != std::string_view::npos) {
        std::array<uint8_t, 16> b{};
        std::string ignored;
        if (!parse_host(s, AF_INET, b, ignored)) {
            why = "not a netmask (expected a prefix length, a.b.c.d or 0xhhhhhhhh)";
            return false;
        }
        mask = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
    } else {
        uint32_t p = 0;
        std::string ignored;
        if (!parse_u32(s, p, ignored) || p > 32) {
            why = "not a netmask (expected a prefix length 0 to 32, a.b.c.d or 0xhhhhhhhh)";
            return false;
        }
        prefix = static_cast<uint8_t>(p);
        return true;
    }
    // Contiguous means the inverted mask is 2^k - 1.
    const uint32_t host = ~mask;
    if ((host & (host + 1)) != 0) {
        why = "netmask bits must be contiguous";
        return false;
    }
    prefix = static_cast<uint8_t>(std::popcount(mask));
    return true;
}

bool parse_mac(std::string_view s, Mac& out, std::string& why) {
    why = "not a MAC address (expected six hex bytes, as 02:ab:cd:ef:01:02)";
    if (s.empty()) return false;
    const char sep = s.find('-') != std::string_view::npos ? '-' : ':';
    Mac mac{};
    size_t pos = 0;
    for (size_t n = 0; n < mac.size(); ++n) {
        const size_t end = std::min(s.find(sep, pos), s.size());
        const std::string_view group = s.substr(pos, end - pos);
        if (group.empty() || group.size() > 2) return false;
        int v = 0;
        for (char c : group) {
            const int d = hex_digit(c);
            if (d < 0) return false;
            v = v * 16 + d;
        }
        mac[n] = static_cast<uint8_t>(v);
        const bool last = n + 1 == mac.size();
        if (last != (end == s.size())) return false;  // too few or too many groups
        pos = end + 1;
    }
    out = mac;
    why.clear();
    return true;
}

bool parse_unicast_mac(std::string_view s, Mac& out, std::string& why) {
    Mac m{};
    if (!parse_mac(s, m, why)) return false;
    if (m[0] & 1) {
        why = "a multicast address cannot be an interface's own address";
        return false;
    }
    if (m == Mac{}) {
        why = "the all-zero address cannot be an interface's own address";
        return false;
    }
    out = m;
    return true;
}

bool parse_multicast_mac(std::string_view s, Mac& out, std::string& why) {
    Mac m{};
    if (!parse_mac(s, m, why)) return false;
    if (!(m[0] & 1)) {
        why = "not a multicast address (the first byte must be odd)";
        return false;
    }
    out = m;
    return true;
}

uint8_t classful_prefix(const uint8_t* a) {
    if (a[0] < 128) return 8;
    if (a[0] < 192) return 16;
    if (a[0] < 224) return 24;
    return 32;
}

uint32_t netmask_of(uint8_t prefix) { return prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix); }

Inet4 broadcast_of(const uint8_t* a, uint8_t prefix) {
    const uint32_t host = ~netmask_of(prefix);
    Inet4 b{};
    for (int n = 0; n < 4; ++n) b[n] = a[n] | static_cast<uint8_t>(host >> (24 - 8 * n));
    return b;
}

}  // namespace ifctl::cli
