// Events: what changed on an interface, as the daemon sends it to subscribers
// (frames with kFlagEvent, op Subscribe, the id of the Subscribe request) and
// as clients decode it. One kind per event; the kinds are bits so that a
// subscriber can ask for several (EventKinds).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace ifctl::proto {

enum EventKind : uint32_t {
    kEvLinkAdded = 1u << 0,
    kEvLinkRemoved = 1u << 1,
    kEvRenamed = 1u << 2,
    kEvFlags = 1u << 3,
    kEvMtu = 1u << 4,
    kEvCarrier = 1u << 5,
    kEvAddrAdded = 1u << 6,
    kEvAddrRemoved = 1u << 7,
    kEvLladdr = 1u << 8,
    // The daemon found a managed TAP changed behind its back through the TUN
    // driver (kernel owner or group, IFF_PERSIST, queues; docs/policy.md).
    kEvTampered = 1u << 9,
};
inline constexpr uint32_t kAllEvents = (1u << 10) - 1;
// What a subscribe without event-kinds gets: the kinds every client version
// knows (a client that cannot decode a newer kind never receives one it did
// not ask for by name).
inline constexpr uint32_t kDefaultEvents = (1u << 9) - 1;

struct Event {
    uint64_t seq = 0;      // daemon-wide, increasing by one per event published
    uint32_t kind = 0;     // exactly one EventKind bit
    uint32_t index = 0;
    std::string name;      // the interface's name after the change
    bool managed = false;  // ifctld created it
    uint64_t time_ms = 0;  // when the daemon saw it, ms since the epoch
    // What changed, by kind:
    std::string old_name;                     // renamed
    uint32_t flags = 0, old_flags = 0;        // flags (link-added: flags)
    uint32_t mtu = 0, old_mtu = 0;            // mtu (link-added: mtu)
    bool carrier = false;                     // carrier (link-added too)
    std::optional<Address> address;           // address-added, address-removed
    std::vector<uint8_t> lladdr;              // lladdr (link-added too)
    std::string detail;                       // tampered: what changed, and what the daemon did about it
};

// The kind's name ("link-added", ...), "" for a value that is not one kind.
std::string_view event_kind_name(uint32_t kind);
// Parses a comma-separated list of kind names into a mask; false on an unknown name.
bool parse_event_kinds(std::string_view list, uint32_t& mask, std::string& bad);

// Writes the event's attributes (after the header) into `w`.
void encode_event(Writer& w, const Event& e);
// Reads an event frame's attributes (the frame after its header).
Error decode_event(std::span<const uint8_t> attrs, Event& out);

}  // namespace ifctl::proto
