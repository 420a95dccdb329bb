// The JSON schema of docs/json.md: field names are the library model's
// (proto::Interface, proto::Address); addresses are strings, and "flag_names"
// and "operstate_name" spell out the numbers beside them. Keys keep the model's
// order (ordered_json) so diffs of saved output stay readable.
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "describe.hpp"
#include "output.hpp"

namespace ifctl::cli {

namespace {

using Json = nlohmann::ordered_json;

Json address(const proto::Address& a) {
    Json j;
    j["family"] = family_name(a.family);
    j["local"] = proto::format_address(a.family, a.local.data());
    j["prefix"] = a.prefix;
    j["broadcast"] = a.broadcast ? Json(proto::format_address(AF_INET, a.broadcast->data())) : Json(nullptr);
    j["peer"] = a.peer ? Json(proto::format_address(a.family, a.peer->data())) : Json(nullptr);
    j["label"] = a.label;
    j["flags"] = a.flags;
    return j;
}

Json stats(const proto::Stats& s) {
    return Json{{"rx_packets", s.rx_packets}, {"tx_packets", s.tx_packets}, {"rx_bytes", s.rx_bytes},
                {"tx_bytes", s.tx_bytes},     {"rx_errors", s.rx_errors},   {"tx_errors", s.tx_errors},
                {"rx_dropped", s.rx_dropped}, {"tx_dropped", s.tx_dropped}, {"multicast", s.multicast},
                {"collisions", s.collisions}};
}

Json interface(const proto::Interface& i) {
    Json j;
    j["index"] = i.index;
    j["name"] = i.name;
    j["kind"] = i.kind;
    j["hw_type"] = i.hw_type;
    j["flags"] = i.flags;
    j["flag_names"] = flag_names(i.flags);
    j["mtu"] = i.mtu;
    j["min_mtu"] = i.min_mtu;
    j["max_mtu"] = i.max_mtu;
    j["metric"] = i.metric;
    j["txqlen"] = i.txqlen;
    j["lladdr"] = proto::format_lladdr(i.lladdr);
    j["addresses"] = Json::array();
    for (const proto::Address& a : i.addresses) j["addresses"].push_back(address(a));
    j["multicast"] = Json::array();
    for (const auto& m : i.multicast) j["multicast"].push_back(proto::format_lladdr({m.begin(), m.end()}));
    j["queues"] = i.queues;
    j["queues_detached"] = i.queues_detached;
    j["carrier"] = i.carrier;
    j["operstate"] = i.operstate;
    j["operstate_name"] = operstate_name(i.operstate);
    j["stats"] = stats(i.stats);
    j["change_time_ms"] = i.change_time_ms;
    j["managed"] = i.managed;
    j["owner"] = i.owner;
    j["unique_id"] = i.unique_id;
    j["persistent"] = i.persistent;
    j["unique_family"] = i.unique_family;
    j["caps_supported"] = i.caps_supported;
    j["caps_enabled"] = i.caps_enabled;
    j["promisc_refs"] = i.promisc_refs;
    j["allmulti_refs"] = i.allmulti_refs;
    j["may_change"] = i.may_change;
    j["description"] = i.description;
    j["groups"] = i.groups;
    j["offload_names"] = offload_names(i.caps_enabled);
    j["no_dad"] = i.no_dad;
    j["auto_linklocal"] = i.auto_linklocal;
    return j;
}

std::string dump(const Json& j) { return j.dump(2) + "\n"; }

}  // namespace

std::string json_interface(const proto::Interface& i) { return dump(interface(i)); }

std::string json_interfaces(const std::vector<proto::Interface>& list) {
    Json arr = Json::array();
    for (const proto::Interface& i : list) arr.push_back(interface(i));
    return dump(Json{{"interfaces", arr}});
}

std::string json_names(const std::vector<proto::Interface>& list) {
    Json arr = Json::array();
    for (const proto::Interface& i : list) arr.push_back(i.name);
    return dump(Json{{"names", arr}});
}

}  // namespace ifctl::cli
