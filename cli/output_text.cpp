// The text layout, one interface per block (see ifctl(8), OUTPUT):
//
//   NAME: flags=HEX<NAMES> mtu N [metric N]
//   	ether MAC  txqueuelen N
//   	inet ADDR netmask 0xHEX [broadcast ADDR | --> PEER]
//   	inet6 ADDR[%NAME] prefixlen N [--> PEER]
//   	multi MAC                      (one per membership ifctld holds)
//   	status: active | no carrier
//   	managed by ifctld, owner USER (uid N)[, unique id N][, queues N][, persistent] | not managed by ifctld
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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

std::string link_line(const proto::Interface& i) {
    const std::string_view type = link_type_name(i.hw_type);
    std::string s;
    if (type == "loop") s = "loop";
    else if (!i.lladdr.empty()) s = std::string(type == "ether" ? "ether" : "lladdr") + " " + proto::format_lladdr(i.lladdr);
    return s + (s.empty() ? "" : "  ") + "txqueuelen " + std::to_string(i.txqlen);
}

bool link_local6(const proto::Address& a) { return a.local[0] == 0xfe && (a.local[1] & 0xc0) == 0x80; }

std::string address_line(const proto::Interface& i, const proto::Address& a, const Painter& paint) {
    std::string local = proto::format_address(a.family, a.local.data());
    if (a.family == AF_INET6 && link_local6(a)) local += "%" + i.name;  // scope, as BSD prints it
    std::string s = std::string(family_name(a.family)) + " " + paint(kGreen, local);
    if (a.peer) s += " --> " + proto::format_address(a.family, a.peer->data());
    if (a.family == AF_INET) {
        s += " netmask 0x" + hex(netmask_of(a.prefix), 8);
        if (a.broadcast) s += " broadcast " + proto::format_address(AF_INET, a.broadcast->data());
    } else {
        s += " prefixlen " + std::to_string(a.prefix);
    }
    return s;
}

std::string user_name(uint32_t uid) {
    const passwd* pw = ::getpwuid(uid);
    return pw ? pw->pw_name : std::to_string(uid);
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

std::string text_interface(const proto::Interface& i, bool colour) {
    const Painter paint{colour};
    std::string out = paint(kBold, i.name) + ": " + flags_line(i) + "\n";
    out += "\t" + link_line(i) + "\n";
    for (const proto::Address& a : i.addresses) out += "\t" + address_line(i, a, paint) + "\n";
    for (const auto& m : i.multicast) out += "\tmulti " + proto::format_lladdr({m.begin(), m.end()}) + "\n";
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
