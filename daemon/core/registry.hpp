// The interfaces ifctld manages, keyed by ifindex (stable across renames), with
// what only the daemon knows about them: owner, unique id, metric, multicast
// memberships, and the TAP's own queue.
#pragma once

#include <array>
#include <cstdint>
#include <map>
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
};

class Registry {
public:
    Managed* find(uint32_t index);
    Managed& add(uint32_t index, Managed m);
    void remove(uint32_t index);
    size_t size() const { return by_index_.size(); }
    size_t count_owned_by(uint32_t uid) const;  // for the policy's max_interfaces
    uint64_t next_unique_id() { return next_unique_id_++; }
    std::map<uint32_t, Managed>& all() { return by_index_; }

    // The kernel's record with the daemon's facts laid over it.
    proto::Interface view(const proto::Interface& kernel) const;

private:
    std::map<uint32_t, Managed> by_index_;
    uint64_t next_unique_id_ = 1;
};

}  // namespace ifctl::daemon
