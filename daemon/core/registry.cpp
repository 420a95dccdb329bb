#include "registry.hpp"

namespace ifctl::daemon {

Managed* Registry::find(uint32_t index) {
    auto it = by_index_.find(index);
    return it == by_index_.end() ? nullptr : &it->second;
}

Managed& Registry::add(uint32_t index, Managed m) { return by_index_.insert_or_assign(index, std::move(m)).first->second; }

void Registry::remove(uint32_t index) { by_index_.erase(index); }

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
    v.metric = m.metric;
    v.multicast.assign(m.multicast.begin(), m.multicast.end());
    return v;
}

}  // namespace ifctl::daemon
