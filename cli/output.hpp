// Printing interface records: the ifconfig-like text layout (output_text.cpp,
// documented in ifctl(8)) and the JSON schema (output_json.cpp, docs/json.md).
// Every function returns the text, so tests can compare it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libifctl/protocol/event.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::cli {

// Colour only on a terminal and never when NO_COLOR is set (no-color.org).
bool colour_wanted(int fd);

// FreeBSD's output formats (ifconfig -f; ifctl --format TYPE:FORMAT,...).
struct TextFormat {
    enum class Inet { Hex, Dotted, Cidr } inet = Inet::Hex;   // netmask 0xffffff00 | 255.255.255.0 | /24
    enum class Inet6 { Numeric, Cidr } inet6 = Inet6::Numeric;  // prefixlen 64 | /64
    enum class Ether { Colon, Dash, Dotted } ether = Ether::Colon;  // 02:ab:.. | 02-ab-.. | 02ab.cdef.0102
};
// "inet:cidr,ether:dash"; "default" resets a type. False with `why` naming the bad part.
bool parse_text_format(std::string_view spec, TextFormat& out, std::string& why);

std::string text_interface(const proto::Interface& i, bool colour, const TextFormat& fmt = {});

// The summary view (ifctl -b, ifctl list): one line per interface,
// "NAME STATE MTU OWNER ADDRESS...", in columns.
// A header line names the columns; addresses are ADDRESS/PREFIX.
std::string text_brief(const std::vector<proto::Interface>& list, bool colour);
std::string json_brief(const std::vector<proto::Interface>& list);  // {"interfaces": [{name, state, ...}]}

// The TUN_F_* offload bits as ifconfig's option names ("TXCSUM", "TSO4", "TSO6").
std::vector<std::string_view> offload_names(uint32_t tun_f);
std::string text_names(const std::vector<proto::Interface>& list);  // "lo tap0 tap1\n"

std::string json_interface(const proto::Interface& i);
std::string json_interfaces(const std::vector<proto::Interface>& list);  // {"interfaces": [...]}
std::string json_names(const std::vector<proto::Interface>& list);       // {"names": [...]}

// ifctl monitor: one line per event, "SEQ NAME KIND DETAILS" or a JSON object.
// With `timestamp`, the event's time leads the line: "2026-12-07T09:40:01.123 " (local time;
// --no-timestamp leaves it out).
std::string text_event(const proto::Event& e, bool timestamp = false);
std::string json_event(const proto::Event& e);

}  // namespace ifctl::cli
