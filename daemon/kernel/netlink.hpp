// The only place that talks netlink. Two libnl sockets: one for requests (each
// change waits for the kernel's ack and returns the kernel's own errno) and one
// subscribed to link and address events, which keeps the kernel view current.
#pragma once

#include <netlink/netlink.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/kernel/datagram_batch.hpp"
#include "daemon/kernel/unique_fd.hpp"
#include "daemon/kernel/kernel.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

// What the kernel reports about every interface of the namespace, kept up to
// date from events. Records carry kernel facts only; daemon facts (owner,
// metric, ...) are layered on by the registry.
class Netlink : public Kernel {
public:
    Netlink();
    ~Netlink() override;
    Netlink(const Netlink&) = delete;
    Netlink& operator=(const Netlink&) = delete;

    // Changes. Each returns 0 or the kernel's negative errno.
    int change_link(uint32_t index, const LinkChange& c) override;
    int add_address(uint32_t index, const proto::Address& a) override;
    int restore_address(uint32_t index, const proto::Address& a) override;
    int delete_address(uint32_t index, const proto::Address& a) override;
    int delete_link(uint32_t index) override;
    // Deletes many links at once, for a clean stop: each goes into one new
    // link group (IFLA_GROUP, a random number; checked, before anything is
    // deleted, to hold no other link), and one RTM_DELLINK deletes the group,
    // which the kernel does in one unregister_netdevice_many(): one wait for
    // RCU for them all instead of one each (a clean stop with 4096 TAPs: 161 s
    // one by one, 15 s in all now; docs/persistence.md). Returns the indexes
    // it did not delete (none, unless the kernel refused a step), for delete_link().
    std::vector<uint32_t> delete_links(const std::vector<uint32_t>& indexes);
    // The links in link group `group` (a dump), or nullopt if it failed.
    std::optional<std::set<uint32_t>> group_members(uint32_t group);
    // Makes `noqueue` the link's root queueing discipline (RTM_NEWQDISC).
    int set_root_noqueue(uint32_t index) override;

    // The event socket's descriptor, to wait on; poll_events() drains it.
    int event_fd() const;
    // Reads every pending event; returns the indexes whose state changed.
    std::set<uint32_t> poll_events() override;

    // The kernel view, as of the last poll_events(). Callers poll once per
    // request (and after a change of their own whose result they read).
    const proto::Interface* find(uint32_t index) override;
    const proto::Interface* find(const std::string& name) override;
    std::vector<const proto::Interface*> all() override;  // in ifindex order

    // Reads one link again, for facts that change without an event (queue counts, stats).
    void refresh_link(uint32_t index) override;
    uint64_t links_came_or_went() const override { return links_came_or_went_; }
    int inet_ifconf(std::vector<uint8_t>& out) override;  // inet_ifconf.cpp
    TunDriver& tun() override { return linux_tun(); }

    // Dumps everything again (at start and after an event overrun). Returns
    // the interfaces that vanished; on_change is left to the caller, so that
    // listeners hear Resynced (and see what vanished) first.
    std::set<uint32_t> resync();

    // Called for every interface whose kernel state changed or that vanished
    // (then the pointer is null).
    std::function<void(uint32_t index, const proto::Interface*)> on_change;

    // One kernel event as it is read, in the kernel's order (on_change comes
    // later, once per interface and read). Resynced follows a full resync
    // (events were lost): every record is fresh, addresses included.
    struct Event {
        enum class Type { Link, LinkGone, AddrNew, AddrGone, Resynced } type = Type::Link;
        uint32_t index = 0;
        const proto::Interface* link = nullptr;    // Link: the record after the change
        const proto::Address* address = nullptr;  // AddrNew, AddrGone
    };
    std::function<void(const Event&)> on_event;
    // Whether the record's address list is as the kernel has it now (no address
    // event has come since it was read).
    bool addresses_fresh(uint32_t index) const { return !stale_addresses_.count(index); }

    struct Callbacks;

private:
    int add_address(uint32_t index, const proto::Address& a, bool as_it_was);
    int transact(struct nl_msg* msg);
    struct DumpInterrupted {};
    // Dumps links (RTM_GETLINK) or the addresses of `index` (0: all), into the
    // kernel view, or to `cb` when given. Throws when the kernel cannot answer.
    void dump(int type, int family, uint32_t index, struct nl_cb* cb = nullptr);
    void dump_once(int type, int family, uint32_t index, struct nl_cb* cb);
    // Re-reads the address list of `index`, or of every interface (0): one
    // dump either way (the kernel filters by index).
    void refresh_addresses(uint32_t index);
    void handle(struct nl_msg* msg, std::set<uint32_t>* changed);
    void emit(const Event& e);

    std::unique_ptr<Callbacks> cb_;
    struct nl_sock* req_ = nullptr;
    struct nl_sock* ev_ = nullptr;
    DatagramBatch events_;  // what poll_events() reads the event socket into
    std::map<uint32_t, proto::Interface> links_;
    std::set<uint32_t> stale_addresses_;  // lists an address event left unknown: to re-read
    // Lists read since the event queue was last emptied (all of them after a resync).
    std::set<uint32_t> read_before_drain_;
    bool all_read_before_drain_ = false;
    bool dumping_addresses_ = false;
    std::vector<std::pair<uint32_t, proto::Address>> dumped_addresses_;  // (index, address) while dumping them
    bool resync_pending_ = false;                   // a resync failed; try again at the next poll
    uint64_t links_came_or_went_ = 0;
    UniqueFd inet_socket_;                          // for inet_ifconf, made when first needed
    bool reading_events_ = false;                   // handle() is fed from the event socket
};

}  // namespace ifctl::daemon
