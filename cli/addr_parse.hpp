// Parsers for network words: inet/inet6 addresses with optional prefix, netmasks
// in the three spellings ifconfig accepts, and MAC addresses. Pure functions; on
// failure `why` explains, to be shown as: KEYWORD "WORD": why.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "libifctl/protocol/model.hpp"

namespace ifctl::cli {

using Inet4 = std::array<uint8_t, 4>;
using Mac = std::array<uint8_t, 6>;

// "ADDR" or "ADDR/PREFIX". Without a prefix, `has_prefix` is false and the
// prefix is the family default: classful for inet (as BSD ifconfig), 64 for inet6.
struct AddrArg {
    proto::Address addr;
    bool has_prefix = false;
};
bool parse_inet(std::string_view s, AddrArg& out, std::string& why);
bool parse_inet6(std::string_view s, AddrArg& out, std::string& why);

// One address without prefix, of the given family (AF_INET or AF_INET6), into
// the first 4 or 16 bytes of `out`.
bool parse_host(std::string_view s, uint8_t family, std::array<uint8_t, 16>& out, std::string& why);

// A netmask as a prefix length ("24"), a dotted quad ("255.255.255.0") or hex
// ("0xffffff00"). Non-contiguous masks are refused: the kernel cannot hold them.
bool parse_netmask(std::string_view s, uint8_t& prefix, std::string& why);

// "02:ab:cd:ef:01:02" (also with '-', and one-digit groups as BSD prints them).
bool parse_mac(std::string_view s, Mac& out, std::string& why);
// A MAC an interface may take as its own: unicast and not all zeros.
bool parse_unicast_mac(std::string_view s, Mac& out, std::string& why);
// A multicast MAC (for addm/deletem).
bool parse_multicast_mac(std::string_view s, Mac& out, std::string& why);

// The class A/B/C prefix of an inet address (32 for class D/E).
uint8_t classful_prefix(const uint8_t* addr4);
// The directed broadcast address: address | ~netmask.
Inet4 broadcast_of(const uint8_t* addr4, uint8_t prefix);
// The netmask of a prefix as a host-order number (for "0xffffff00" output).
uint32_t netmask_of(uint8_t prefix);

}  // namespace ifctl::cli
