// The canonical interface record of DESIGN.md, as both ends hold it in memory,
// and its encoding as protocol attributes. Flags are Linux IFF_* values: the
// canonical flag space; personalities translate in the library.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema.hpp"
#include "wire.hpp"

namespace ifctl::proto {

struct Address {
    uint8_t family = 0;               // AF_INET or AF_INET6
    std::array<uint8_t, 16> local{};  // first 4 bytes for inet
    uint8_t prefix = 0;
    std::optional<std::array<uint8_t, 4>> broadcast;  // inet only
    std::optional<std::array<uint8_t, 16>> peer;      // point-to-point destination
    std::string label;                // Linux label; empty for inet6
    uint32_t flags = 0;               // IFA_F_*

    size_t length() const { return family == 2 ? 4 : 16; }
    bool same_local(const Address& o) const;  // same family and local address
    bool operator==(const Address& o) const;
};

struct Stats {
    uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
    uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
    uint64_t multicast = 0, collisions = 0;
};

struct Interface {
    uint32_t index = 0;
    std::string name;
    std::string kind;      // kernel link kind ("tun", "veth", "" for physical)
    uint32_t hw_type = 0;  // ARPHRD_*
    uint32_t flags = 0;    // as the kernel reports them (dev_get_flags)
    uint32_t mtu = 0, min_mtu = 0, max_mtu = 0;
    int32_t metric = 0;
    uint32_t txqlen = 0;
    std::vector<uint8_t> lladdr;
    std::vector<Address> addresses;  // kernel order: inet first, then inet6
    std::vector<std::array<uint8_t, 6>> multicast;  // memberships the daemon holds
    uint32_t queues = 0, queues_detached = 0;  // TAP queues (kernel's count)
    bool carrier = false;
    uint8_t operstate = 0;
    Stats stats;
    uint64_t change_time_ms = 0;
    bool managed = false;  // created and owned by ifctld
    uint32_t owner = 0;    // uid allowed to configure it (managed only)
    uint64_t unique_id = 0;
    bool persistent = false;  // managed only: outlives a daemon stop and a reboot
    std::string netns;        // managed only: set while the TAP lives in another network namespace
    std::string unique_family;  // "" for an id the daemon chose; else the caller's family ("ether")
    uint32_t caps_supported = 0, caps_enabled = 0;  // TUN_F_* offloads (managed TAPs)
    uint32_t promisc_refs = 0, allmulti_refs = 0;  // connections holding a flag reference (FlagRef)
    bool may_change = false;  // for the client that asked: it may configure this interface
    std::string description;  // the kernel's ifalias (IFLA_IFALIAS); empty: none
    std::vector<std::string> groups;  // managed only: interface groups, in the order joined
    bool no_dad = false;          // managed only: inet6 addresses are added without DAD
    bool auto_linklocal = true;   // the kernel makes an inet6 link-local address (addr_gen_mode not none)
};

void encode_address(Writer& w, AttrType type, const Address& a);
Error decode_address(const Attr& nested, Address& out);

// `details` false leaves out addresses, multicast memberships and statistics
// (a brief record, for callers that need none of them).
void encode_interface(Writer& w, const Interface& i, bool details = true);

// The parts of a record a decoder fills, for readers that use only some (the
// library's answers from the snapshot). The other parts' attributes are
// skipped and their fields keep their defaults; everything else is decoded
// and checked as in a whole record.
enum class RecordParts : uint8_t {
    Whole,
    Brief,    // what a brief record carries: no addresses, multicast memberships or statistics
    Listing,  // names and addresses: no multicast memberships, statistics, groups or description
};
// Decodes into `out` from scratch. `out`'s vectors keep their storage, so a
// record decoded into again and again stops allocating.
Error decode_interface(const Attr& nested, Interface& out, RecordParts parts = RecordParts::Whole);

// Formatting helpers shared by the CLI, logs and tests.
std::string format_address(uint8_t family, const uint8_t* bytes);
std::string format_lladdr(const std::vector<uint8_t>& ll);

}  // namespace ifctl::proto
