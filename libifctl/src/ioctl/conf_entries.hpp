// A SIOCGIFCONF answer, built whole from the interface list and then copied
// into the caller's buffer as far as whole entries fit (every personality
// stops at the first entry that does not fit).
//
// Built from the snapshot, the answer depends on nothing but the list and the
// way it is built, so a thread keeps what it built, for each way, while the
// snapshot is in the same state (client::snapshot::Version): a program that
// polls its interfaces is answered with a copy. A list the daemon sent is
// built again every time.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "daemon_ops.hpp"
#include "ifctl/ifctl.h"
#include "libifctl/protocol/model.hpp"
#include "libifctl/src/snapshot.hpp"

namespace ifctl::ioctl_layer {

// The ways of building (conf_entries' `kind`).
inline constexpr int kConfLinux = 1;
inline constexpr int kConfSvr4 = 2;
inline constexpr int conf_kind_bsd(ifctl_ifconf_layout_t layout) { return 16 + static_cast<int>(layout); }

struct ConfEntries {
    std::vector<char> bytes;
    std::vector<int> ends;  // where each entry ends in `bytes`

    void clear();
    void add(const void* entry, size_t size);
    bool empty() const { return ends.empty(); }
    int total() const { return ends.empty() ? 0 : ends.back(); }
    // The bytes of the leading entries that fit in `space`.
    int fitting(int space) const;
    // Copies those into `buf`; returns how many bytes that is.
    int copy_into(char* buf, int space) const;
};

// The thread's entries of `kind`, and whether they were built from the
// snapshot state `version` (then they are that state's answer already).
ConfEntries& conf_slot(int kind, const client::snapshot::Version& version, bool& current);

// The entries `build(list, entries)` makes of the interface list; `kind` names
// the way it builds (a personality, and a layout where it has several) and
// must always build the same way. nullptr when there is no list.
template <class Build>
const ConfEntries* conf_entries(int kind, Build&& build) {
    std::span<const proto::Interface> all;
    client::snapshot::Version version;
    if (!list_all(all, &version)) return nullptr;
    bool current = false;
    ConfEntries& e = conf_slot(kind, version, current);
    if (!current) {
        e.clear();
        build(all, e);
    }
    return &e;
}

}  // namespace ifctl::ioctl_layer
