// The kernel view: the records of every link of the namespace, kept current
// from the event socket, re-read whole when events were lost.
#include "netlink.hpp"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "daemon/kernel/address_order.hpp"
#include "daemon/kernel/netlink_messages.hpp"

namespace ifctl::daemon {

using namespace rtnl;

namespace {

// More interfaces than this with stale address lists are re-read with one dump
// for all: 4096 TAPs read one at a time cost 8192 dumps.
constexpr size_t kFewStaleLists = 16;

}  // namespace

void Netlink::refresh_link(uint32_t index) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
    struct ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = static_cast<int>(index);
    nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
    cb_->ack = {};
    const int rc = nl_send_auto(req_, msg);
    nlmsg_free(msg);
    if (rc < 0) return;
    // The reply is the link message followed by the ack (nl_send_auto asks for one).
    while (!cb_->ack.done)
        if (nl_recvmsgs(req_, cb_->dump_cb) < 0) break;
    if (cb_->ack.error == -ENODEV) links_.erase(index);
}

void Netlink::refresh_addresses(uint32_t index) {
    if (index && !links_.count(index)) {
        stale_addresses_.erase(index);
        return;
    }
    // Read into a scratch list: a failed dump leaves the old lists, still marked stale.
    dumped_addresses_.clear();
    dumping_addresses_ = true;
    try {
        // Every family in one dump: rtnl_dump_all runs each family's dump in
        // family order, inet before inet6, and each honours the index under
        // strict checking (NETLINK_GET_STRICT_CHK, set on this socket).
        dump(RTM_GETADDR, AF_UNSPEC, index);
    } catch (...) {
        dumping_addresses_ = false;
        throw;
    }
    dumping_addresses_ = false;
    if (index) {
        links_[index].addresses.clear();
        stale_addresses_.erase(index);
    } else {
        for (auto& [_, rec] : links_) rec.addresses.clear();
        stale_addresses_.clear();
    }
    // Events still queued may be older than this read: until the queue has
    // been emptied, they mark the list stale instead of changing it.
    if (index) read_before_drain_.insert(index);
    else all_read_before_drain_ = true;
    // In the kernel's order: each interface's inet addresses, then its inet6 ones.
    for (auto& [idx, a] : dumped_addresses_)
        if (auto it = links_.find(idx); it != links_.end()) it->second.addresses.push_back(std::move(a));
    dumped_addresses_.clear();
}

std::set<uint32_t> Netlink::resync() {
    std::set<uint32_t> before;
    for (auto& [idx, _] : links_) before.insert(idx);
    links_.clear();
    stale_addresses_.clear();
    ++links_came_or_went_;  // whatever happened while events were lost
    dump(RTM_GETLINK, AF_UNSPEC, 0);
    refresh_addresses(0);
    std::set<uint32_t> vanished;
    for (uint32_t idx : before)
        if (!links_.count(idx)) vanished.insert(idx);
    return vanished;
}

// A listener may read the view (and so dump) from inside on_event: what those
// dumps bring is not an event.
void Netlink::emit(const Event& e) {
    if (!on_event) return;
    const bool was = reading_events_;
    reading_events_ = false;
    try {
        on_event(e);
    } catch (const std::exception& ex) {
        spdlog::error("handling a kernel event: {}", ex.what());
    }
    reading_events_ = was;
}

void Netlink::handle(struct nl_msg* msg, std::set<uint32_t>* changed) {
    struct nlmsghdr* nlh = nlmsg_hdr(msg);
    switch (nlh->nlmsg_type) {
        case RTM_NEWLINK: {
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return;
            auto* ifi = static_cast<struct ifinfomsg*>(nlmsg_data(nlh));
            // Only the interface's own message: wireless and bridge events use other families.
            if (ifi->ifi_family != AF_UNSPEC) return;
            auto [at, arrived] = links_.try_emplace(static_cast<uint32_t>(ifi->ifi_index));
            if (arrived) ++links_came_or_went_;
            proto::Interface& rec = at->second;
            std::vector<proto::Address> keep = std::move(rec.addresses);
            parse_link(nlh, rec);
            rec.addresses = std::move(keep);
            rec.change_time_ms = now_ms();
            if (changed) changed->insert(rec.index);
            if (reading_events_) emit({Event::Type::Link, rec.index, &rec, nullptr});
            break;
        }
        case RTM_DELLINK: {
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return;
            auto* ifi = static_cast<struct ifinfomsg*>(nlmsg_data(nlh));
            if (ifi->ifi_family != AF_UNSPEC) return;
            const auto idx = static_cast<uint32_t>(ifi->ifi_index);
            if (links_.erase(idx)) ++links_came_or_went_;
            stale_addresses_.erase(idx);
            if (changed) changed->insert(idx);
            if (reading_events_) emit({Event::Type::LinkGone, idx, nullptr, nullptr});
            break;
        }
        case RTM_NEWADDR:
        case RTM_DELADDR: {
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg))) return;
            proto::Address a;
            uint32_t idx = 0;
            if (!parse_address(nlh, a, idx)) return;
            if (dumping_addresses_) {
                if (nlh->nlmsg_type == RTM_NEWADDR) dumped_addresses_.emplace_back(idx, a);
            } else {
                // An event: applied where the kernel's order after it is known
                // (address_order.cpp), else the interface's list is read again.
                // A list to be read again stays so: the event may predate what
                // it lacks (an inet6 address without DAD, netlink_changes.cpp).
                // So is a list read while this event may have been queued: the
                // read has what the event says, and perhaps what came after it
                // (an address deleted and added again behind one added later).
                auto it = links_.find(idx);
                if (it != links_.end()) it->second.change_time_ms = now_ms();
                const AddressEvent what = nlh->nlmsg_type == RTM_NEWADDR ? AddressEvent::Added : AddressEvent::Removed;
                if (it == links_.end() || stale_addresses_.count(idx) || all_read_before_drain_ ||
                    read_before_drain_.count(idx) || !apply_address_event(it->second.addresses, what, a))
                    stale_addresses_.insert(idx);
                if (changed) changed->insert(idx);
                if (reading_events_)
                    emit({nlh->nlmsg_type == RTM_NEWADDR ? Event::Type::AddrNew : Event::Type::AddrGone, idx,
                              nullptr, &a});
            }
            break;
        }
        default:
            break;
    }
}

std::set<uint32_t> Netlink::poll_events() {
    std::set<uint32_t> changed;
    bool overrun = false, truncated = false, drained = false;
    // Bounded by the queue: each round takes up to kSlots datagrams, and a round
    // that gets fewer has emptied it (or met an overrun, which the kernel
    // reports on the next read: see DatagramBatch).
    for (;;) {
        const int n = events_.receive(nl_socket_get_fd(ev_));
        if (n == -ENOBUFS) {  // the kernel dropped events: read on, then resync
            overrun = true;
            continue;
        }
        if (n < 0) spdlog::warn("reading kernel events: {}", std::strerror(-n));
        if (n == 0) drained = true;
        if (n <= 0) break;
        reading_events_ = true;
        for (unsigned i = 0; i < static_cast<unsigned>(n); ++i) {
            // Only the kernel's messages are events. A process may send to our
            // port too (rtnetlink lets any process with CAP_NET_ADMIN in the
            // namespace do it); what it says is not the kernel's state.
            sockaddr_nl from{};
            std::memcpy(&from, &events_.sender(i), sizeof from);
            if (from.nl_family != AF_NETLINK || from.nl_pid != 0) continue;
            if (events_.truncated(i)) {  // longer than a slot: its content is lost
                spdlog::warn("a kernel event longer than {} bytes was cut short: reading everything again",
                             DatagramBatch::kSlotBytes);
                truncated = true;
                continue;
            }
            int len = static_cast<int>(events_.size(i));
            for (auto* nlh = reinterpret_cast<const nlmsghdr*>(events_.data(i)); nlmsg_ok(nlh, len);
                 nlh = nlmsg_next(const_cast<nlmsghdr*>(nlh), &len)) {
                struct nl_msg* m = nlmsg_convert(const_cast<nlmsghdr*>(nlh));
                if (!m) continue;
                handle(m, &changed);
                nlmsg_free(m);
            }
        }
        reading_events_ = false;
        if (static_cast<unsigned>(n) < DatagramBatch::kSlots) {
            drained = true;
            break;
        }
    }
    // Every event queued before a list was read has been handled.
    if (drained) {
        read_before_drain_.clear();
        all_read_before_drain_ = false;
    }
    if (overrun || truncated || resync_pending_) {
        std::set<uint32_t> vanished;
        try {
            if (overrun) spdlog::warn("kernel events were lost (ENOBUFS on the event socket): reading everything again");
            vanished = resync();
            resync_pending_ = false;
            // The reconciler compares its view first (a managed interface that
            // vanished is still in the registry then), the registry follows.
            emit({Event::Type::Resynced, 0, nullptr, nullptr});
        } catch (const std::exception& e) {
            // Keep serving what we have; try again at the next poll.
            spdlog::error("kernel view resync failed, will retry: {}", e.what());
            resync_pending_ = true;
        }
        if (on_change) {
            for (uint32_t idx : vanished) on_change(idx, nullptr);
            for (auto& [idx, rec] : links_) on_change(idx, &rec);
        }
        for (auto& [idx, _] : links_) changed.insert(idx);
        for (uint32_t idx : vanished) changed.insert(idx);
        return changed;
    }
    if (on_change)
        for (uint32_t idx : changed) {
            auto it = links_.find(idx);
            on_change(idx, it == links_.end() ? nullptr : &it->second);
        }
    return changed;
}

const proto::Interface* Netlink::find(uint32_t index) {
    auto it = links_.find(index);
    if (it == links_.end()) return nullptr;
    if (stale_addresses_.count(index)) refresh_addresses(index);
    return &it->second;
}

const proto::Interface* Netlink::find(const std::string& name) {
    for (auto& [idx, rec] : links_)
        if (rec.name == name) {
            if (stale_addresses_.count(idx)) refresh_addresses(idx);
            return &rec;
        }
    return nullptr;
}

std::vector<const proto::Interface*> Netlink::all() {
    // Many stale lists (a burst of address events): one dump for all of them.
    if (stale_addresses_.size() > kFewStaleLists) refresh_addresses(0);
    while (!stale_addresses_.empty()) refresh_addresses(*stale_addresses_.begin());
    std::vector<const proto::Interface*> out;
    out.reserve(links_.size());
    for (auto& [_, rec] : links_) out.push_back(&rec);
    return out;
}

}  // namespace ifctl::daemon
