#include "reconcile.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace ifctl::daemon {

namespace {

uint64_t now_ms() {
    using namespace std::chrono;
    return static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// One address is one (family, local, prefix); the kernel re-announces an
// address whose flags change (IPv6 duplicate address detection), which is not news.
bool same(const proto::Address& a, const proto::Address& b) { return a.same_local(b) && a.prefix == b.prefix; }

}  // namespace

Reconciler::Reconciler(Netlink& kernel, Registry& registry, EventBus& bus)
    : kernel_(kernel), registry_(registry), bus_(bus) {
    for (const proto::Interface* rec : kernel_.all()) take(*rec);
}

void Reconciler::take(const proto::Interface& rec) {
    Seen& s = seen_[rec.index];
    s.name = rec.name;
    s.flags = rec.flags;
    s.mtu = rec.mtu;
    s.carrier = rec.carrier;
    s.lladdr = rec.lladdr;
    if (kernel_.addresses_fresh(rec.index)) s.addresses = rec.addresses;
    s.managed = registry_.find(rec.index) != nullptr;
}

void Reconciler::record(uint32_t kind, uint32_t index, const Seen& s) {
    proto::Event e;
    e.kind = kind;
    e.index = index;
    e.name = s.name;
    e.time_ms = now_ms();
    e.flags = s.flags;
    e.mtu = s.mtu;
    e.carrier = s.carrier;
    if (kind == proto::kEvLinkAdded || kind == proto::kEvLladdr) e.lladdr = s.lladdr;
    pending_.push_back(std::move(e));
}

void Reconciler::on_kernel_event(const Netlink::Event& e) {
    using T = Netlink::Event::Type;
    switch (e.type) {
        case T::Link: {
            auto it = seen_.find(e.index);
            if (it == seen_.end()) {
                take(*e.link);
                record(proto::kEvLinkAdded, e.index, seen_[e.index]);
                return;
            }
            diff(*e.link, it->second);
            return;
        }
        case T::LinkGone: gone(e.index); return;
        case T::AddrNew: address_event(e.index, *e.address, true); return;
        case T::AddrGone: address_event(e.index, *e.address, false); return;
        case T::Resynced: resynced(); return;
    }
}

void Reconciler::diff(const proto::Interface& rec, Seen& s) {
    if (rec.name != s.name) {
        const std::string old = s.name;
        s.name = rec.name;
        record(proto::kEvRenamed, rec.index, s);
        pending_.back().old_name = old;
    }
    if (rec.flags != s.flags) {
        const uint32_t old = s.flags;
        s.flags = rec.flags;
        record(proto::kEvFlags, rec.index, s);
        pending_.back().old_flags = old;
    }
    if (rec.mtu != s.mtu) {
        const uint32_t old = s.mtu;
        s.mtu = rec.mtu;
        record(proto::kEvMtu, rec.index, s);
        pending_.back().old_mtu = old;
    }
    if (rec.carrier != s.carrier) {
        s.carrier = rec.carrier;
        record(proto::kEvCarrier, rec.index, s);
    }
    if (rec.lladdr != s.lladdr) {
        s.lladdr = rec.lladdr;
        record(proto::kEvLladdr, rec.index, s);
    }
    // A list read after the events so far is the kernel's own; compare it too,
    // which also catches what a lost event would have said.
    if (kernel_.addresses_fresh(rec.index)) diff_addresses(rec.index, rec.addresses, s);
}

void Reconciler::diff_addresses(uint32_t index, const std::vector<proto::Address>& now, Seen& s) {
    for (const proto::Address& old : std::vector<proto::Address>(s.addresses))
        if (std::none_of(now.begin(), now.end(), [&](const proto::Address& a) { return same(a, old); }))
            address_event(index, old, false);
    for (const proto::Address& a : now)
        if (std::none_of(s.addresses.begin(), s.addresses.end(), [&](const proto::Address& x) { return same(x, a); }))
            address_event(index, a, true);
}

void Reconciler::address_event(uint32_t index, const proto::Address& a, bool added) {
    auto it = seen_.find(index);
    if (it == seen_.end()) return;  // its link event comes first; the address is in that record
    Seen& s = it->second;
    auto at = std::find_if(s.addresses.begin(), s.addresses.end(), [&](const proto::Address& x) { return same(x, a); });
    if (added == (at != s.addresses.end())) return;  // already known either way
    if (added) s.addresses.push_back(a);
    else s.addresses.erase(at);
    record(added ? proto::kEvAddrAdded : proto::kEvAddrRemoved, index, s);
    pending_.back().address = a;
}

void Reconciler::gone(uint32_t index) {
    auto it = seen_.find(index);
    if (it == seen_.end()) return;
    Seen s = std::move(it->second);
    seen_.erase(it);
    // Still in the registry: nobody asked ifctld to destroy it.
    if (const Managed* m = registry_.find(index)) {
        s.managed = true;
        spdlog::warn("managed interface {} (index {}) was deleted outside ifctld", s.name, index);
        lost_.push_back({index, s.name, m->owner, m->max_queues, s.flags, s.mtu, s.lladdr, s.addresses});
    }
    record(proto::kEvLinkRemoved, index, s);
    pending_.back().managed = s.managed;
}

void Reconciler::resynced() {
    // Events were lost: compare everything with the fresh view.
    std::vector<uint32_t> vanished;
    for (const auto& [index, _] : seen_)
        if (!kernel_.find(index)) vanished.push_back(index);
    for (uint32_t index : vanished) gone(index);
    for (const proto::Interface* rec : kernel_.all()) {
        auto it = seen_.find(rec->index);
        if (it == seen_.end()) {
            take(*rec);
            record(proto::kEvLinkAdded, rec->index, seen_[rec->index]);
        } else {
            diff(*rec, it->second);
        }
    }
}

void Reconciler::flush() {
    if (pending_.empty() && lost_.empty()) return;
    std::vector<proto::Event> events;
    events.swap(pending_);
    for (proto::Event& e : events) {
        if (e.kind != proto::kEvLinkRemoved) {
            auto it = seen_.find(e.index);
            e.managed = registry_.find(e.index) != nullptr;
            if (it != seen_.end()) it->second.managed = e.managed;
        }
        bus_.publish(std::move(e));
    }
    std::vector<LostInterface> lost;
    lost.swap(lost_);
    if (on_lost)
        for (const LostInterface& l : lost) on_lost(l);
}

}  // namespace ifctl::daemon
