// The interfaces ifctld manages, keyed by ifindex (stable across renames), with
// what only the daemon knows about them: owner, unique id, metric, multicast
// memberships and promiscuous/all-multicast references per client, offloads,
// and the TAP's own queue. Also the unique-id slots (ifnet_allocate's model):
// a slot outlives a Detach so that a later Create with the same id reuses it.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/core/refs.hpp"
#include "daemon/kernel/tap.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

struct Managed {
    Tap tap;
    uint32_t owner = 0;
    uint64_t unique_id = 0;
    std::string unique_family;  // non-empty: the caller chose unique_id; a slot exists
    int32_t metric = 0;
    uint32_t max_queues = 1;  // queue descriptors clients may hold at once (create's "queues")
    Memberships multicast;    // by holder: kPlain or a connection
    FlagHolders promisc, allmulti;
    uint32_t caps_enabled = 0;  // TUN_F_* last set with TUNSETOFFLOAD (the kernel starts with none)
};

// A caller-chosen unique id and its family ("ether", 42).
struct SlotKey {
    std::string family;
    uint64_t id = 0;
    auto operator<=>(const SlotKey&) const = default;
};

// What a slot remembers of its interface, to give it back on reuse. A plain
// struct so the state store can write it out.
struct Slot {
    std::string name;
    uint32_t index = 0;
    std::vector<uint8_t> lladdr;
    uint32_t mtu = 0;
    bool attached = false;  // an interface with this id exists now (at `index`)
};

class Registry {
public:
    Managed* find(uint32_t index);
    Managed& add(uint32_t index, Managed m);
    // The interface is gone for good (Destroy, or deleted outside): its slot too.
    void remove(uint32_t index);
    // The interface left the system but its slot stays, remembering `facts`.
    void detach(uint32_t index, Slot facts);
    size_t size() const { return by_index_.size(); }
    size_t count_owned_by(uint32_t uid) const;  // for the policy's max_interfaces
    uint64_t next_unique_id() { return next_unique_id_++; }
    std::map<uint32_t, Managed>& all() { return by_index_; }

    Slot* slot(const SlotKey& k);
    void set_slot(const SlotKey& k, Slot s) { slots_[k] = std::move(s); }
    bool forget_slot(const SlotKey& k) { return slots_.erase(k) != 0; }
    const std::map<SlotKey, Slot>& slots() const { return slots_; }

    // The kernel's record with the daemon's facts laid over it.
    proto::Interface view(const proto::Interface& kernel) const;

private:
    std::map<uint32_t, Managed> by_index_;
    std::map<SlotKey, Slot> slots_;
    uint64_t next_unique_id_ = 1;
};

}  // namespace ifctl::daemon
