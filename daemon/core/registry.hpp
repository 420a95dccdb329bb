// The interfaces ifctld manages, keyed by ifindex (stable across renames), with
// what only the daemon knows about them: owner, unique id, metric, multicast
// memberships, and the TAP's own queue.
#pragma once

#include <array>
#include <cstdint>
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <set>

#include "daemon/kernel/tap.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

struct Managed {
    Tap tap;
    uint32_t owner = 0;
    uint64_t unique_id = 0;
    int32_t metric = 0;
    uint32_t max_queues = 1;  // queue descriptors clients may hold at once (create's "queues")
    std::set<std::array<uint8_t, 6>> multicast;
    std::optional<uint32_t> group;  // TUNSETGROUP, remembered for recreation after a reboot
    bool persistent = false;        // outlives a clean stop and a reboot (store/, docs/persistence.md)
    std::string netns;              // set while moved into another network namespace
};

class Registry {
public:
    Managed* find(uint32_t index);
    Managed& add(uint32_t index, Managed m);
    void remove(uint32_t index);
    size_t size() const { return by_index_.size(); }
    uint64_t next_unique_id() { return next_unique_id_++; }
    // Ids read back from the state directory are taken: new ones start above them.
    void reserve_unique_id(uint64_t id) { next_unique_id_ = std::max(next_unique_id_, id + 1); }
    uint64_t peek_next_unique_id() const { return next_unique_id_; }
    std::map<uint32_t, Managed>& all() { return by_index_; }
    // TAPs moved into another network namespace, by unique id: out of our
    // kernel view, still ours (their queue stays open).
    std::map<uint64_t, Managed>& moved() { return moved_; }

    // The kernel's record with the daemon's facts laid over it.
    proto::Interface view(const proto::Interface& kernel) const;

private:
    std::map<uint32_t, Managed> by_index_;
    std::map<uint64_t, Managed> moved_;
    uint64_t next_unique_id_ = 1;
};

}  // namespace ifctl::daemon
