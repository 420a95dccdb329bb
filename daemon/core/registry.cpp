#include "registry.hpp"

namespace ifctl::daemon {

Managed* Registry::find(uint32_t index) {
    auto it = by_index_.find(index);
    return it == by_index_.end() ? nullptr : &it->second;
}

Managed& Registry::add(uint32_t index, Managed m) { return by_index_.insert_or_assign(index, std::move(m)).first->second; }

void Registry::remove(uint32_t index) {
    auto it = by_index_.find(index);
    if (it == by_index_.end()) return;
    if (!it->second.unique_family.empty()) slots_.erase({it->second.unique_family, it->second.caller_id});
    by_index_.erase(it);
}

void Registry::detach(uint32_t index, Slot facts) {
    auto it = by_index_.find(index);
    if (it == by_index_.end()) return;
    facts.attached = false;
    if (!it->second.unique_family.empty()) slots_[{it->second.unique_family, it->second.caller_id}] = std::move(facts);
    by_index_.erase(it);
}

Slot* Registry::slot(const SlotKey& k) {
    auto it = slots_.find(k);
    return it == slots_.end() ? nullptr : &it->second;
}

size_t Registry::count_owned_by(uint32_t uid) const {
    size_t n = 0;
    for (const auto& [_, m] : by_index_) n += m.owner == uid;
    return n;
}

namespace {

// Every field but the lists a brief record leaves out. A field added to
// proto::Interface changes its size: add it here too, then the number.
proto::Interface brief_copy(const proto::Interface& k) {
    static_assert(sizeof(void*) != 8 || sizeof(proto::Interface) == 456, "proto::Interface changed: update brief_copy");
    proto::Interface v;
    v.index = k.index;
    v.name = k.name;
    v.kind = k.kind;
    v.hw_type = k.hw_type;
    v.flags = k.flags;
    v.mtu = k.mtu;
    v.min_mtu = k.min_mtu;
    v.max_mtu = k.max_mtu;
    v.metric = k.metric;
    v.txqlen = k.txqlen;
    v.lladdr = k.lladdr;
    v.queues = k.queues;
    v.queues_detached = k.queues_detached;
    v.carrier = k.carrier;
    v.operstate = k.operstate;
    v.stats = k.stats;
    v.change_time_ms = k.change_time_ms;
    v.managed = k.managed;
    v.owner = k.owner;
    v.unique_id = k.unique_id;
    v.persistent = k.persistent;
    v.netns = k.netns;
    v.unique_family = k.unique_family;
    v.caps_supported = k.caps_supported;
    v.caps_enabled = k.caps_enabled;
    v.promisc_refs = k.promisc_refs;
    v.allmulti_refs = k.allmulti_refs;
    v.may_change = k.may_change;
    v.description = k.description;
    v.groups = k.groups;
    v.no_dad = k.no_dad;
    v.auto_linklocal = k.auto_linklocal;
    return v;
}

}  // namespace

proto::Interface Registry::view(const proto::Interface& kernel, bool details) const {
    proto::Interface v = details ? kernel : brief_copy(kernel);
    auto it = by_index_.find(kernel.index);
    if (it == by_index_.end()) return v;
    const Managed& m = it->second;
    v.managed = true;
    v.owner = m.owner;
    v.unique_id = m.unique_family.empty() ? m.unique_id : m.caller_id;
    v.unique_family = m.unique_family;
    v.metric = m.metric;
    v.persistent = m.persistent;
    v.netns = m.netns;
    if (details) v.multicast = m.multicast.all();
    v.caps_supported = m.tap.offloads_supported();
    v.caps_enabled = m.caps_enabled;
    v.promisc_refs = static_cast<uint32_t>(m.promisc.clients.size());
    v.allmulti_refs = static_cast<uint32_t>(m.allmulti.clients.size());
    v.groups = m.groups;
    v.no_dad = m.no_dad;
    return v;
}

}  // namespace ifctl::daemon
