// One line per event, for ifctl monitor: text (ifctl(8)) or a JSON object
// (docs/json.md). Pure, so the unit tests check the layout.
#include <sys/socket.h>

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "describe.hpp"
#include "output.hpp"

namespace ifctl::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string flags_text(uint32_t flags) {
    std::string s = "<";
    for (std::string_view n : flag_names(flags)) s += (s.size() > 1 ? "," : "") + std::string(n);
    return s + ">";
}

std::string address_text(const proto::Address& a) {
    return std::string(family_name(a.family)) + " " + proto::format_address(a.family, a.local.data()) + "/" +
           std::to_string(a.prefix);
}

// Milliseconds since the epoch as local time, ISO 8601 without the zone.
std::string local_time(uint64_t ms) {
    const time_t secs = static_cast<time_t>(ms / 1000);
    tm t{};
    localtime_r(&secs, &t);
    char b[40];
    std::snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%03u", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                  t.tm_hour, t.tm_min, t.tm_sec, static_cast<unsigned>(ms % 1000));
    return b;
}

}  // namespace

std::string text_event(const proto::Event& e, bool timestamp) {
    const std::string kind(proto::event_kind_name(e.kind));
    std::string s = (timestamp ? local_time(e.time_ms) + " " : "") + std::to_string(e.seq) + " " + e.name + " " + kind;
    switch (e.kind) {
        case proto::kEvLinkAdded:
            s += " index " + std::to_string(e.index) + " " + flags_text(e.flags) + " mtu " + std::to_string(e.mtu);
            break;
        case proto::kEvLinkRemoved: s += " index " + std::to_string(e.index); break;
        case proto::kEvRenamed: s += " from " + e.old_name; break;
        case proto::kEvFlags: s += " " + flags_text(e.flags) + " was " + flags_text(e.old_flags); break;
        case proto::kEvMtu: s += " " + std::to_string(e.mtu) + " was " + std::to_string(e.old_mtu); break;
        case proto::kEvCarrier: s += e.carrier ? " on" : " off"; break;
        case proto::kEvAddrAdded:
        case proto::kEvAddrRemoved:
            if (e.address) s += " " + address_text(*e.address);
            break;
        case proto::kEvLladdr: s += " " + proto::format_lladdr(e.lladdr); break;
        case proto::kEvTampered: s += ": " + e.detail; break;
        default: break;
    }
    if (e.managed) s += " (managed)";
    return s + "\n";
}

std::string json_event(const proto::Event& e) {
    Json j;
    j["seq"] = e.seq;
    j["event"] = proto::event_kind_name(e.kind);
    j["index"] = e.index;
    j["name"] = e.name;
    j["managed"] = e.managed;
    j["time_ms"] = e.time_ms;
    switch (e.kind) {
        case proto::kEvLinkAdded:
            j["flags"] = e.flags;
            j["mtu"] = e.mtu;
            j["carrier"] = e.carrier;
            j["lladdr"] = proto::format_lladdr(e.lladdr);
            break;
        case proto::kEvRenamed: j["old_name"] = e.old_name; break;
        case proto::kEvFlags:
            j["flags"] = e.flags;
            j["old_flags"] = e.old_flags;
            j["flag_names"] = flag_names(e.flags);
            break;
        case proto::kEvMtu:
            j["mtu"] = e.mtu;
            j["old_mtu"] = e.old_mtu;
            break;
        case proto::kEvCarrier: j["carrier"] = e.carrier; break;
        case proto::kEvAddrAdded:
        case proto::kEvAddrRemoved:
            if (e.address) {
                j["family"] = family_name(e.address->family);
                j["local"] = proto::format_address(e.address->family, e.address->local.data());
                j["prefix"] = e.address->prefix;
            }
            break;
        case proto::kEvLladdr: j["lladdr"] = proto::format_lladdr(e.lladdr); break;
        case proto::kEvTampered: j["detail"] = e.detail; break;
        default: break;
    }
    return j.dump() + "\n";
}

}  // namespace ifctl::cli
