// Reconciliation: turns the kernel's link and address events into protocol
// events (what changed, compared with what the daemon saw last) and notices
// managed interfaces deleted behind the daemon's back.
//
// Kernel events are read both from the io_context (the event socket is
// watched) and before every request; either way on_kernel_event() runs in the
// kernel's order and only records. flush() publishes, once the request or the
// read is done, so that an event says whether the interface is managed as of
// then (a TAP's "link-added" is read before create registers it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "daemon/core/events.hpp"
#include "daemon/core/registry.hpp"
#include "daemon/kernel/netlink.hpp"

namespace ifctl::daemon {

// A managed interface that was deleted from outside, as it was last seen.
struct LostInterface {
    uint32_t index = 0;
    std::string name;
    uint32_t owner = 0;
    uint32_t max_queues = 1;
    uint32_t flags = 0, mtu = 0;
    std::vector<uint8_t> lladdr;
    std::vector<proto::Address> addresses;
};

class Reconciler {
public:
    Reconciler(Netlink& kernel, Registry& registry, EventBus& bus);

    void on_kernel_event(const Netlink::Event& e);
    // Publishes what was recorded since the last flush.
    void flush();

    // Called from flush() for each managed interface deleted outside ifctld
    // (after the log line and the event); main decides whether to recreate it.
    std::function<void(const LostInterface&)> on_lost;

private:
    struct Seen {
        std::string name;
        uint32_t flags = 0, mtu = 0;
        bool carrier = false;
        std::vector<uint8_t> lladdr;
        std::vector<proto::Address> addresses;
        bool managed = false;  // as of the last flush that mentioned it
    };

    void take(const proto::Interface& rec);
    void diff(const proto::Interface& rec, Seen& s);
    void diff_addresses(uint32_t index, const std::vector<proto::Address>& now, Seen& s);
    void gone(uint32_t index);
    void record(uint32_t kind, uint32_t index, const Seen& s);
    void address_event(uint32_t index, const proto::Address& a, bool added);
    void resynced();

    Netlink& kernel_;
    Registry& registry_;
    EventBus& bus_;
    std::map<uint32_t, Seen> seen_;
    std::vector<proto::Event> pending_;
    std::vector<LostInterface> lost_;
};

}  // namespace ifctl::daemon
