// The read-only snapshot the daemon publishes (docs/snapshot.md): every
// interface's record, as a get would send it, in a sealed memfd that clients
// map read-only and read without a round trip. The layout is
// libifctl/protocol/snapshot_layout.hpp.
//
// Kept in step by the pipeline: a request marks what it touched and the
// region is written before the reply leaves (read-your-writes); kernel events
// mark their interface and are published as soon as they are read.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/kernel/unique_fd.hpp"

namespace ifctl::proto {
struct Interface;
}

namespace ifctl::daemon {

class Kernel;
class Registry;

class Snapshot {
public:
    Snapshot();
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    // False when no region could be made (no memfd): clients then ask the daemon.
    bool usable() const { return base_ != nullptr; }
    // The current region's descriptor, to pass to a client (dup it).
    int fd() const { return fd_.get(); }
    size_t bytes() const { return size_; }
    uint32_t capacity() const { return capacity_; }

    // The record of `index` may have changed (0: any record may have).
    void touch(uint32_t index);
    void touch_all() { all_touched_ = true; }

    // Brings the region in step with the kernel's view and the registry:
    // records of touched interfaces are written again if they changed, the
    // directory if interfaces came, went or were renamed; a region too small
    // is replaced by a larger one (the old one says kMoved).
    void publish(Kernel& kernel, const Registry& registry);

    // The kernel's SIOCGIFCONF answer is read again after an IPv4 address or
    // the set of devices changed, not at once: the region says "ask the
    // kernel" from the change on, and the daemon is asked to call
    // refresh_ifconf() `after` from now (at least 1 ms, and 20 times what the
    // last read took: however much address churn, the reads take at most a
    // twentieth of the daemon's time). Until then callers ask the kernel.
    std::function<void(std::chrono::microseconds after)> on_ifconf_stale;
    void refresh_ifconf(Kernel& kernel);

    // Once a second: the daemon vouches for the region for kLeaseNs more.
    void renew_lease();
    // The daemon stops: readers must ask (and find a new daemon, or none).
    void retire();

private:
    struct Pending;
    bool build(Kernel& kernel, const Registry& registry, Pending& p);
    bool make_region(uint32_t capacity);
    bool read_ifconf(Kernel& kernel);
    void write_all();
    void write_slot(uint32_t entry);
    void write_ifconf();
    void begin_write();
    void end_write();

    UniqueFd fd_;
    uint8_t* base_ = nullptr;
    size_t size_ = 0;
    uint32_t capacity_ = 0;
    uint64_t generation_ = 0;
    uint64_t netns_cookie_ = 0;  // the daemon's namespace, for the header

    // What the region holds, in list order: the interface index and record bytes.
    std::vector<uint32_t> order_;
    std::vector<std::string> names_;
    std::vector<std::vector<uint8_t>> records_;
    // Each entry's IPv4 addresses as SIOCGIFCONF lists them (labels and
    // addresses): when none of these changed, nor the set of devices, the
    // kernel's answer is the one the region holds.
    std::vector<std::string> inet_;
    std::vector<uint8_t> ifconf_;  // the kernel's SIOCGIFCONF answer, as last read
    bool ifconf_ok_ = false;       // it could be read
    bool ifconf_stale_ = false;    // changed since, refresh_ifconf() pending
    std::chrono::microseconds ifconf_cost_{0};  // what the last read took
    uint64_t links_seen_ = ~uint64_t{0};  // Kernel::links_came_or_went() when it was
    std::unordered_map<uint32_t, uint32_t> entry_of_;  // index -> entry
    std::unordered_set<uint32_t> touched_;
    bool all_touched_ = true;
};

// A record as the snapshot holds it: the view every client may read, without
// what depends on the asker (may_change) or moves without events (statistics).
// Empty for a record larger than a frame (it is then marked kOverflow).
std::vector<uint8_t> snapshot_record(const proto::Interface& view);

}  // namespace ifctl::daemon
