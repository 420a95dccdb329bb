// The process-wide mapping of the daemon's read-only snapshot
// (docs/snapshot.md): adopted from the descriptor hello brings, replaced when
// the daemon says it moved or when a new connection brings another, and read
// without a system call by the lookups of read-only requests (daemon_ops.cpp).
#pragma once

#include <span>

#include "libifctl/src/snapshot.hpp"

namespace ifctl::ioctl_layer {

// Whether this process reads from the snapshot: $IFCTL_SNAPSHOT, read once
// ("0", "off" or "no": every read asks the daemon, the kernel's present state).
bool snapshot_wanted();

// Maps the snapshot a connection brought (takes the descriptor). Called with
// the connection's lock held (daemon_link.cpp), so replacements are serialised.
void adopt_snapshot(int fd);

// Reads from the mapped snapshot, decoding `parts` of each record; Ask (with
// why) when there is none or it cannot say.
client::snapshot::Found snapshot_record(const client::InterfaceRef& t, proto::Interface& out,
                                        client::snapshot::Why& why, proto::RecordParts parts);
client::snapshot::Found snapshot_all(std::span<const proto::Interface>& out, client::snapshot::Why& why,
                                     proto::RecordParts parts, client::snapshot::Version* version = nullptr);

// The kernel's SIOCGIFCONF answer in the daemon's namespace, from the mapped
// snapshot; Ask when there is none or it cannot say.
client::snapshot::Found snapshot_kernel_ifconf(std::span<const uint8_t>& out, client::snapshot::Why& why,
                                               uint64_t& daemon_netns);

}  // namespace ifctl::ioctl_layer
