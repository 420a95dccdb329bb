#include "describe.hpp"

#include <linux/if.h>
#include <net/if_arp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <utility>

namespace ifctl::cli {

std::vector<std::string_view> flag_names(uint32_t flags) {
    static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
        {IFF_UP, "UP"},           {IFF_BROADCAST, "BROADCAST"}, {IFF_DEBUG, "DEBUG"},
        {IFF_LOOPBACK, "LOOPBACK"}, {IFF_POINTOPOINT, "POINTOPOINT"}, {IFF_NOTRAILERS, "NOTRAILERS"},
        {IFF_RUNNING, "RUNNING"}, {IFF_NOARP, "NOARP"},         {IFF_PROMISC, "PROMISC"},
        {IFF_ALLMULTI, "ALLMULTI"}, {IFF_MASTER, "MASTER"},     {IFF_SLAVE, "SLAVE"},
        {IFF_MULTICAST, "MULTICAST"}, {IFF_PORTSEL, "PORTSEL"}, {IFF_AUTOMEDIA, "AUTOMEDIA"},
        {IFF_DYNAMIC, "DYNAMIC"}, {IFF_LOWER_UP, "LOWER_UP"},   {IFF_DORMANT, "DORMANT"},
        {IFF_ECHO, "ECHO"},
    };
    std::vector<std::string_view> out;
    for (const auto& [bit, name] : kNames)
        if (flags & bit) out.push_back(name);
    return out;
}

std::string_view family_name(uint8_t family) {
    switch (family) {
        case AF_INET: return "inet";
        case AF_INET6: return "inet6";
        default: return "unknown";
    }
}

std::string_view link_type_name(uint32_t hw_type) {
    switch (hw_type) {
        case ARPHRD_ETHER: return "ether";
        case ARPHRD_LOOPBACK: return "loop";
        case ARPHRD_NONE: return "none";
        default: return "lladdr";
    }
}

std::string_view operstate_name(uint8_t state) {
    static constexpr std::string_view kNames[] = {"unknown", "notpresent", "down", "lowerlayerdown",
                                                  "testing", "dormant",    "up"};
    return state < std::size(kNames) ? kNames[state] : "unknown";
}

std::string user_name(uint32_t uid) {
    const passwd* pw = ::getpwuid(uid);
    return pw ? pw->pw_name : std::to_string(uid);
}

}  // namespace ifctl::cli
