// The interfaces ifctld manages, keyed by ifindex (stable across renames), with
// what only the daemon knows about them: owner, unique id, metric, multicast
// memberships and promiscuous/all-multicast references per client, offloads,
// and the TAP's own queue. Also the unique-id slots (ifnet_allocate's model):
// a slot outlives a Detach so that a later Create with the same id reuses it.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <algorithm>
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
    uint64_t unique_id = 0;     // the daemon's own id, never reused: the key of its state and fd store entries
    uint64_t caller_id = 0;     // with unique_family: the id the caller chose (records show it); a slot exists
    std::string unique_family;
    int32_t metric = 0;
    uint32_t max_queues = 1;  // queue descriptors clients may hold at once (create's "queues")
    Memberships multicast;    // by holder: kPlain or a connection
    FlagHolders promisc, allmulti;
    std::optional<uint32_t> group;  // TUNSETGROUP, remembered for recreation after a reboot
    bool persistent = false;        // outlives a clean stop and a reboot (store/, docs/persistence.md)
    std::string netns;              // set while moved into another network namespace
    std::string name_on_record;     // while moved: the name its record holds (Persistence::watch_moved)
    uint32_t caps_enabled = 0;  // TUN_F_* last set with TUNSETOFFLOAD (the kernel starts with none)
    std::vector<std::string> groups;  // interface groups (FreeBSD's), in the order joined
    bool no_dad = false;              // inet6 addresses are added without DAD (IFA_F_NODAD)
    uint32_t queues_reported = 0;     // client queues last reported as beyond max_queues (tap_guard.hpp)
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
    uint64_t unique_id = 0;  // the daemon's id it had: kept on reuse, the key of its state record
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
    // Ids read back from the state directory are taken: new ones start above them.
    void reserve_unique_id(uint64_t id) { next_unique_id_ = std::max(next_unique_id_, id + 1); }
    uint64_t peek_next_unique_id() const { return next_unique_id_; }
    std::map<uint32_t, Managed>& all() { return by_index_; }
    // TAPs moved into another network namespace, by unique id: out of our
    // kernel view, still ours (their queue stays open).
    std::map<uint64_t, Managed>& moved() { return moved_; }

    Slot* slot(const SlotKey& k);
    void set_slot(const SlotKey& k, Slot s) { slots_[k] = std::move(s); }
    bool forget_slot(const SlotKey& k) { return slots_.erase(k) != 0; }
    const std::map<SlotKey, Slot>& slots() const { return slots_; }

    // The kernel's record with the daemon's facts laid over it. Without
    // `details`, only what a brief record carries (encode_interface): no
    // addresses and multicast memberships, whose copies are most of the cost.
    proto::Interface view(const proto::Interface& kernel, bool details = true) const;

private:
    std::map<uint32_t, Managed> by_index_;
    std::map<uint64_t, Managed> moved_;
    std::map<SlotKey, Slot> slots_;
    uint64_t next_unique_id_ = 1;
};

}  // namespace ifctl::daemon
