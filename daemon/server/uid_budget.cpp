#include "uid_budget.hpp"

namespace ifctl::daemon {

void UidBudget::sub(uid_t uid, Kind k, size_t n) {
    auto it = held_.find(uid);
    if (it == held_.end()) return;
    Held& h = it->second;
    h.bytes[k] -= n < h.bytes[k] ? n : h.bytes[k];
    if (k == Reply && h.bytes[Reply] < reply_limit_ && !h.waiters.empty()) {
        std::vector<std::function<void()>> wake;
        wake.swap(h.waiters);
        for (auto& w : wake) w();
        it = held_.find(uid);  // a waiter may have added or given back bytes
        if (it == held_.end()) return;
    }
    const Held& now = it->second;
    if (now.waiters.empty() && now.bytes[Batch] == 0 && now.bytes[Reply] == 0) held_.erase(it);
}

size_t UidBudget::held(uid_t uid, Kind k) const {
    auto it = held_.find(uid);
    return it == held_.end() ? 0 : it->second.bytes[k];
}

}  // namespace ifctl::daemon
