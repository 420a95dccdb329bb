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
    if (!it->second.unique_family.empty()) slots_.erase({it->second.unique_family, it->second.unique_id});
    by_index_.erase(it);
}

void Registry::detach(uint32_t index, Slot facts) {
    auto it = by_index_.find(index);
    if (it == by_index_.end()) return;
    facts.attached = false;
    if (!it->second.unique_family.empty()) slots_[{it->second.unique_family, it->second.unique_id}] = std::move(facts);
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

proto::Interface Registry::view(const proto::Interface& kernel) const {
    proto::Interface v = kernel;
    auto it = by_index_.find(kernel.index);
    if (it == by_index_.end()) return v;
    const Managed& m = it->second;
    v.managed = true;
    v.owner = m.owner;
    v.unique_id = m.unique_id;
    v.unique_family = m.unique_family;
    v.metric = m.metric;
    v.multicast = m.multicast.all();
    v.caps_supported = m.tap.offloads_supported();
    v.caps_enabled = m.caps_enabled;
    v.promisc_refs = static_cast<uint32_t>(m.promisc.clients.size());
    v.allmulti_refs = static_cast<uint32_t>(m.allmulti.clients.size());
    return v;
}

}  // namespace ifctl::daemon
