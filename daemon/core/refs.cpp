#include "refs.hpp"

#include <algorithm>

namespace ifctl::daemon {

bool Memberships::held_by(ClientId c, const Mac& m) const {
    auto it = holders_.find(m);
    return it != holders_.end() && it->second.count(c);
}

bool Memberships::holds_any(ClientId c) const {
    for (const auto& [_, holders] : holders_)
        if (holders.count(c)) return true;
    return false;
}

bool Memberships::remove(ClientId c, const Mac& m) {
    auto it = holders_.find(m);
    if (it == holders_.end()) return false;
    it->second.erase(c);
    if (!it->second.empty()) return false;
    holders_.erase(it);
    return true;
}

std::vector<Mac> Memberships::drop(ClientId c) {
    std::vector<Mac> gone;
    for (auto it = holders_.begin(); it != holders_.end();) {
        it->second.erase(c);
        if (it->second.empty()) {
            gone.push_back(it->first);
            it = holders_.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

std::vector<Mac> Memberships::all() const {
    std::vector<Mac> out;
    for (const auto& [m, _] : holders_) out.push_back(m);
    return out;
}

std::vector<Mac> Memberships::of(ClientId c) const {
    std::vector<Mac> out;
    for (const auto& [m, who] : holders_)
        if (who.count(c)) out.push_back(m);
    return out;
}

TxFilter tx_filter_for(const Mac& own, const Memberships& groups, bool promisc, bool allmulti) {
    TxFilter f;
    if (promisc || (groups.empty() && !allmulti)) return f;
    f.enabled = true;
    f.allmulti = allmulti;
    constexpr Mac kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    f.addresses = {own, kBroadcast};
    // Unicast entries only ever match exactly, so they go before the multicast
    // ones, which still match when they fall into the hashed part.
    std::vector<Mac> all = groups.all();
    std::stable_partition(all.begin(), all.end(), [](const Mac& m) { return !(m[0] & 1); });
    for (const Mac& m : all)
        if (m != own && m != kBroadcast) f.addresses.push_back(m);
    return f;
}

}  // namespace ifctl::daemon
