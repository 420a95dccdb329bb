// One managed interface as the state directory holds it: what only the daemon
// knows (owner, unique id, metric, persistence, ...) and the configuration the
// kernel holds (name, index, MAC, MTU, flags, addresses), kept so that a
// persistent TAP can be made again after a reboot.
//
// On disk each record is one JSON file wrapped in an envelope that carries the
// format version and a checksum of the record (docs/persistence.md):
//   {"format":"ifctld-interface","version":1,"checksum":"fnv1a64:...","record":{...}}
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

inline constexpr int kStateVersion = 1;  // the newest format this daemon writes and reads

struct StoredInterface {
    // What only the daemon knows (on disk before a change is acknowledged).
    uint64_t unique_id = 0;       // the daemon's own id: the file's name
    std::string unique_family;    // non-empty: the caller chose caller_id in this family (a slot)
    uint64_t caller_id = 0;
    bool attached = true;  // false: a detached unique-id slot (remembered, not in the kernel)
    uint32_t owner = 0;
    std::optional<uint32_t> group;
    bool vnet_hdr = false;
    uint32_t max_queues = 1;
    int32_t metric = 0;
    bool persistent = false;
    std::string netns;  // empty: the daemon's own namespace
    std::vector<std::array<uint8_t, 6>> multicast;
    // What the kernel holds (written by group commit, for recreation after a reboot).
    uint32_t index = 0;
    std::string name;
    uint32_t mtu = 0;
    uint32_t txqlen = 0;
    uint32_t flags = 0;
    std::vector<uint8_t> lladdr;
    std::vector<proto::Address> addresses;
    std::string description;          // IFLA_IFALIAS
    std::vector<std::string> groups;  // interface groups
    bool no_dad = false;
    bool auto_linklocal = true;       // inet6 addr_gen_mode not none

    bool operator==(const StoredInterface&) const = default;
};

// The file's bytes for a record.
std::string encode_record(const StoredInterface& r);

// Parses a file. 0, or -EBADMSG (torn, corrupt, checksum mismatch, missing
// fields) or -EPROTONOSUPPORT (written by a newer daemon); `why` says what.
// On failure `out` is left untouched: a record is never half-read.
int decode_record(std::string_view bytes, StoredInterface& out, std::string& why);

// The daemon-wide counter file, ids.json: the next unique id to hand out,
// so that ids are not reused after the interface with the largest one is gone.
// Same envelope, format "ifctld-ids".
std::string encode_ids(uint64_t next_unique_id);
int decode_ids(std::string_view bytes, uint64_t& next_unique_id, std::string& why);

// The batch journal, batch.json: a batch's intent, on disk from before its
// first step until it commits, so that a batch a crash interrupted is rolled
// back at the next start (docs/persistence.md). Same envelope, format "ifctld-batch".
struct BatchIntent {
    size_t steps = 0;
    uint64_t first_new_id = 0;             // unique ids from here on were handed out by the batch
    std::vector<StoredInterface> before;  // every interface it may change, as it was
};
std::string encode_batch(const BatchIntent& b);
int decode_batch(std::string_view bytes, BatchIntent& out, std::string& why);

// FNV-1a, 64 bits: detects torn and damaged files (not an integrity seal).
uint64_t fnv1a64(std::string_view s);

}  // namespace ifctl::daemon
