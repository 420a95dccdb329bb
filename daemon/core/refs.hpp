// Per-connection references on an interface (DESIGN.md: "multicast and
// promiscuous reference counts per client"), kept apart from the kernel calls
// so the counting can be tested alone. A connection is a ClientId (1, 2, ...);
// kPlain stands for requests made without PerClient and for flags set plainly
// with SetFlags: such a holder is one, shared by everybody, as in the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace ifctl::daemon {

using ClientId = uint64_t;
using Mac = std::array<uint8_t, 6>;
inline constexpr ClientId kPlain = 0;

// Link-level multicast memberships by holder. The kernel holds the union: one
// SIOCADDMULTI when an address enters it, one SIOCDELMULTI when it leaves.
class Memberships {
public:
    bool held(const Mac& m) const { return holders_.count(m) != 0; }
    bool held_by(ClientId c, const Mac& m) const;
    bool holds_any(ClientId c) const;  // does `c` hold any address?
    void add(ClientId c, const Mac& m) { holders_[m].insert(c); }
    // Returns true if `m` left the union (nobody holds it any more).
    bool remove(ClientId c, const Mac& m);
    // Drops everything `c` holds; returns the addresses that left the union.
    std::vector<Mac> drop(ClientId c);
    std::vector<Mac> all() const;               // the union, sorted
    std::vector<Mac> of(ClientId c) const;      // what one holder holds (kPlain: plain joins)
    bool empty() const { return holders_.empty(); }

private:
    std::map<Mac, std::set<ClientId>> holders_;
};

// Who keeps IFF_PROMISC or IFF_ALLMULTI on (BSD ifpromisc / if_allmulti): each
// connection at most once, plus a plain setting. The kernel flag is on while
// anyone holds it.
struct FlagHolders {
    std::set<ClientId> clients;
    bool plain = false;
    bool on() const { return plain || !clients.empty(); }
};

// What TUNSETTXFILTER should hold for a TAP: which frames sent out of the
// interface its readers get. `enabled` false: every frame (the kernel's
// default, filter off).
struct TxFilter {
    bool enabled = false;
    bool allmulti = false;       // TUN_FLT_ALLMULTI: every multicast frame
    std::vector<Mac> addresses;  // exact matches first (the kernel keeps 8), the rest hashed
    bool operator==(const TxFilter&) const = default;
};

// The filter for a TAP whose own address is `own` (see semantics.md, "TAP
// receive filter"): off while promiscuous, and off while nothing was asked for
// (no membership, no all-multicast reference), so a TAP used the Linux way
// keeps getting every frame; otherwise the TAP's own address, broadcast, and
// the memberships, with every multicast frame while all-multicast is on.
TxFilter tx_filter_for(const Mac& own, const Memberships& groups, bool promisc, bool allmulti);

}  // namespace ifctl::daemon
