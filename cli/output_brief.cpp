// The summary view (ifctl -b, ifctl list), as `ip -br` and `networkctl list`
// give it: one line per interface, in columns:
//
//   NAME  STATE             MTU  OWNER  ADDRESSES
//   lo    unknown         65536  -      127.0.0.1/8 ::1/128
//   tap0  up               1500  alice  10.0.0.1/24 fe80::1/64
//
// STATE is the RFC 2863 operational state; OWNER is "-" for an interface
// ifctld does not manage. Colour (on a terminal only): the state green when
// up, red when down.
#include <sys/socket.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "describe.hpp"
#include "output.hpp"

namespace ifctl::cli {

namespace {

constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kReset = "\033[0m";

// The summary always writes ADDRESS/PREFIX: a mask would need a column of its own.
std::string cidr(const proto::Address& a) {
    return proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix);
}

std::string owner_of(const proto::Interface& i) { return i.managed ? user_name(i.owner) : "-"; }

std::string padded(std::string s, size_t width) {
    if (s.size() < width) s.resize(width, ' ');
    return s;
}

}  // namespace

std::string text_brief(const std::vector<proto::Interface>& list, bool colour) {
    size_t name_w = 4, owner_w = 5;  // at least the width of "NAME" and "OWNER"
    for (const proto::Interface& i : list) {
        name_w = std::max(name_w, i.name.size());
        owner_w = std::max(owner_w, owner_of(i).size());
    }
    std::string out = padded("NAME", name_w) + "  " + padded("STATE", 14) + "    MTU  " + padded("OWNER", owner_w) +
                      "  ADDRESSES\n";
    for (const proto::Interface& i : list) {
        const std::string_view state = operstate_name(i.operstate);
        std::string st = padded(std::string(state), 14);
        if (colour && (state == "up" || state == "down"))
            st = (state == "up" ? kGreen : kRed) + std::string(state) + kReset + st.substr(state.size());
        std::string mtu = std::to_string(i.mtu);
        mtu.insert(0, mtu.size() < 5 ? 5 - mtu.size() : 0, ' ');
        std::string line = padded(i.name, name_w) + "  " + st + "  " + mtu + "  " + padded(owner_of(i), owner_w) + " ";
        for (const proto::Address& a : i.addresses) line += " " + cidr(a);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string json_brief(const std::vector<proto::Interface>& list) {
    using Json = nlohmann::ordered_json;
    Json arr = Json::array();
    for (const proto::Interface& i : list) {
        Json j;
        j["name"] = i.name;
        j["index"] = i.index;
        j["operstate_name"] = operstate_name(i.operstate);
        j["mtu"] = i.mtu;
        j["managed"] = i.managed;
        j["owner"] = i.managed ? Json(i.owner) : Json(nullptr);
        j["owner_name"] = i.managed ? Json(user_name(i.owner)) : Json(nullptr);
        j["addresses"] = Json::array();
        for (const proto::Address& a : i.addresses) j["addresses"].push_back(cidr(a));
        arr.push_back(j);
    }
    return Json{{"interfaces", arr}}.dump(2) + "\n";
}

}  // namespace ifctl::cli
