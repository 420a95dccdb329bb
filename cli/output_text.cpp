// The text layout, one interface per block (see ifctl(8), OUTPUT):
//
//   NAME: flags=HEX<NAMES> mtu N [metric N]
//   	description: TEXT              (when it has one)
//   	options=HEX<TXCSUM,TSO4,TSO6>  (TAP offloads that are on)
//   	ether MAC  txqueuelen N
//   	inet ADDR netmask 0xHEX [broadcast ADDR | --> PEER]
//   	inet6 ADDR[%NAME] prefixlen N [--> PEER]
//   	inet6 options: no_dad, -auto_linklocal  (when not the defaults)
//   	multi MAC                      (one per membership ifctld holds)
//   	groups: NAME ...               (interface groups, when any)
//   	status: active | no carrier
//   	managed by ifctld, owner USER (uid N)[, unique id N][, queues N][, persistent] | not managed by ifctld
//
// --format changes how addresses and masks are spelled (TextFormat).
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "addr_parse.hpp"
#include "describe.hpp"
#include "output.hpp"

namespace ifctl::cli {

namespace {

constexpr const char* kBold = "\033[1m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

struct Painter {
    bool on;
    std::string operator()(const char* style, const std::string& s) const { return on ? style + s + kReset : s; }
};

std::string hex(uint32_t v, int width = 0) {
    char b[16];
    std::snprintf(b, sizeof b, "%0*x", width, v);
    return b;
}

std::string flags_line(const proto::Interface& i) {
    std::string names;
    for (std::string_view n : flag_names(i.flags)) names += (names.empty() ? "" : ",") + std::string(n);
    std::string s = "flags=" + hex(i.flags) + "<" + names + "> mtu " + std::to_string(i.mtu);
    if (i.metric) s += " metric " + std::to_string(i.metric);  // BSD shows it only when set
    return s;
}

std::string format_mac(const std::vector<uint8_t>& ll, TextFormat::Ether f) {
    std::string s = proto::format_lladdr(ll);
    if (f == TextFormat::Ether::Dash) {
        std::replace(s.begin(), s.end(), ':', '-');
    } else if (f == TextFormat::Ether::Dotted && ll.size() == 6) {  // Cisco style: 02ab.cdef.0102
        char b[16];
        std::snprintf(b, sizeof b, "%02x%02x.%02x%02x.%02x%02x", ll[0], ll[1], ll[2], ll[3], ll[4], ll[5]);
        s = b;
    }
    return s;
}

std::string link_line(const proto::Interface& i, const TextFormat& fmt) {
    const std::string_view type = link_type_name(i.hw_type);
    std::string s;
    if (type == "loop") s = "loop";
    else if (!i.lladdr.empty()) s = std::string(type == "ether" ? "ether" : "lladdr") + " " + format_mac(i.lladdr, fmt.ether);
    return s + (s.empty() ? "" : "  ") + "txqueuelen " + std::to_string(i.txqlen);
}

std::string options_line(uint32_t caps) {
    std::string names;
    for (std::string_view n : offload_names(caps)) names += (names.empty() ? "" : ",") + std::string(n);
    return "options=" + hex(caps) + "<" + names + ">";
}

// The inet6 settings that differ from the kernel's defaults, as the keywords that set them.
std::string inet6_line(const proto::Interface& i) {
    std::string s;
    if (i.no_dad) s = "no_dad";
    if (!i.auto_linklocal) s += (s.empty() ? "" : ", ") + std::string("-auto_linklocal");
    return s.empty() ? s : "inet6 options: " + s;
}

bool link_local6(const proto::Address& a) { return a.local[0] == 0xfe && (a.local[1] & 0xc0) == 0x80; }

std::string dotted_mask(uint8_t prefix) {
    const uint32_t m = netmask_of(prefix);
    return std::to_string(m >> 24) + "." + std::to_string((m >> 16) & 0xff) + "." + std::to_string((m >> 8) & 0xff) +
           "." + std::to_string(m & 0xff);
}

std::string address_line(const proto::Interface& i, const proto::Address& a, const Painter& paint,
                         const TextFormat& fmt) {
    std::string local = proto::format_address(a.family, a.local.data());
    if (a.family == AF_INET6 && link_local6(a)) local += "%" + i.name;  // scope, as BSD prints it
    const bool cidr = a.family == AF_INET ? fmt.inet == TextFormat::Inet::Cidr : fmt.inet6 == TextFormat::Inet6::Cidr;
    if (cidr) local += "/" + std::to_string(a.prefix);
    std::string s = std::string(family_name(a.family)) + " " + paint(kGreen, local);
    if (a.peer) s += " --> " + proto::format_address(a.family, a.peer->data());
    if (a.family == AF_INET) {
        if (fmt.inet == TextFormat::Inet::Hex) s += " netmask 0x" + hex(netmask_of(a.prefix), 8);
        else if (fmt.inet == TextFormat::Inet::Dotted) s += " netmask " + dotted_mask(a.prefix);
        if (a.broadcast) s += " broadcast " + proto::format_address(AF_INET, a.broadcast->data());
    } else if (!cidr) {
        s += " prefixlen " + std::to_string(a.prefix);
    }
    return s;
}

std::string ownership_line(const proto::Interface& i, const Painter& paint) {
    if (!i.managed) return paint(kDim, "not managed by ifctld");
    std::string s = "managed by ifctld, owner " + user_name(i.owner) + " (uid " + std::to_string(i.owner) + ")";
    if (i.unique_id) s += ", unique id " + std::to_string(i.unique_id);
    if (i.queues) s += ", queues " + std::to_string(i.queues);
    if (i.persistent) s += ", persistent";
    return s;
}

}  // namespace

bool colour_wanted(int fd) {
    const char* no = std::getenv("NO_COLOR");
    return ::isatty(fd) && !(no && *no);
}

std::vector<std::string_view> offload_names(uint32_t tun_f) {
    static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
        {TUN_F_CSUM, "TXCSUM"}, {TUN_F_TSO4, "TSO4"}, {TUN_F_TSO6, "TSO6"}, {TUN_F_TSO_ECN, "TSO_ECN"}, {TUN_F_UFO, "UFO"},
    };
    std::vector<std::string_view> out;
    for (const auto& [bit, name] : kNames)
        if (tun_f & bit) out.push_back(name);
    return out;
}

bool parse_text_format(std::string_view spec, TextFormat& out, std::string& why) {
    TextFormat f = out;
    while (!spec.empty()) {
        const size_t comma = spec.find(',');
        const std::string_view part = spec.substr(0, comma);
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        const size_t colon = part.find(':');
        const std::string_view type = part.substr(0, colon);
        const std::string_view value = colon == std::string_view::npos ? std::string_view() : part.substr(colon + 1);
        bool ok = true;
        if (type == "inet") {
            if (value == "hex" || value == "default") f.inet = TextFormat::Inet::Hex;
            else if (value == "dotted") f.inet = TextFormat::Inet::Dotted;
            else if (value == "cidr") f.inet = TextFormat::Inet::Cidr;
            else ok = false;
        } else if (type == "inet6") {
            if (value == "numeric" || value == "default") f.inet6 = TextFormat::Inet6::Numeric;
            else if (value == "cidr") f.inet6 = TextFormat::Inet6::Cidr;
            else ok = false;
        } else if (type == "ether") {
            if (value == "colon" || value == "default") f.ether = TextFormat::Ether::Colon;
            else if (value == "dash") f.ether = TextFormat::Ether::Dash;
            else if (value == "dotted") f.ether = TextFormat::Ether::Dotted;
            else ok = false;
        } else {
            why = "\"" + std::string(part) + "\": the types are inet, inet6 and ether";
            return false;
        }
        if (!ok) {
            why = "\"" + std::string(part) + "\": " +
                  (type == "inet"    ? "inet formats are hex, dotted and cidr"
                   : type == "inet6" ? "inet6 formats are numeric and cidr"
                                     : "ether formats are colon, dash and dotted");
            return false;
        }
    }
    out = f;
    return true;
}

std::string text_interface(const proto::Interface& i, bool colour, const TextFormat& fmt) {
    const Painter paint{colour};
    std::string out = paint(kBold, i.name) + ": " + flags_line(i) + "\n";
    if (!i.description.empty()) out += "\tdescription: " + i.description + "\n";
    if (i.caps_enabled) out += "\t" + options_line(i.caps_enabled) + "\n";
    out += "\t" + link_line(i, fmt) + "\n";
    for (const proto::Address& a : i.addresses) out += "\t" + address_line(i, a, paint, fmt) + "\n";
    if (std::string l = inet6_line(i); !l.empty()) out += "\t" + l + "\n";
    for (const auto& m : i.multicast) out += "\tmulti " + format_mac({m.begin(), m.end()}, fmt.ether) + "\n";
    if (!i.groups.empty()) {
        out += "\tgroups:";
        for (const std::string& g : i.groups) out += " " + g;
        out += "\n";
    }
    out += std::string("\tstatus: ") + (i.carrier ? "active" : "no carrier") + "\n";
    out += "\t" + ownership_line(i, paint) + "\n";
    return out;
}

std::string text_names(const std::vector<proto::Interface>& list) {
    std::string out;
    for (const proto::Interface& i : list) out += (out.empty() ? "" : " ") + i.name;
    return out + "\n";
}

}  // namespace ifctl::cli
