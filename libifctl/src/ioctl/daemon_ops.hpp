// What the personalities ask of the daemon, with the answers they act on:
// whether the daemon could be reached, whether it manages the interface, and
// the daemon's errno. Requests about interfaces the daemon does not manage
// are the kernel's business; the personalities hand those over unchanged.
#pragma once

#include <functional>
#include <span>

#include "libifctl/src/connection.hpp"
#include "libifctl/src/snapshot.hpp"

namespace ifctl::ioctl_layer {

// Unreachable: no daemon answers. Broken: it answered, then the connection broke
// while the request was under way (it may or may not have been applied).
enum class Reach { Unreachable, Broken, Unknown, Unmanaged, Managed };

struct Lookup {
    Reach reach = Reach::Unreachable;
    proto::Interface rec;
};
// `with_addresses` false asks for a brief record (no addresses, statistics).
Lookup lookup(const client::InterfaceRef& t, bool with_addresses);

// The whole list, for SIOCGIFCONF and SIOCGIFNUM. False if the daemon cannot
// be reached. `out` views a list of this thread's, valid until its next call.
// From the snapshot, the records hold what such a list reads
// (proto::RecordParts::Listing): no multicast memberships, statistics, groups
// or description. `version` says which state of the snapshot the list is
// (not known() when the daemon sent it).
bool list_all(std::span<const proto::Interface>& out, client::snapshot::Version* version = nullptr);

// The kernel's SIOCGIFCONF answer in the daemon's namespace, from the
// snapshot (for a caller in that namespace); false when the snapshot cannot
// give it, and the kernel is asked. A snapshot the daemon replaced, or one a
// stopped daemon left, is replaced first (a round trip).
bool kernel_conf(std::span<const uint8_t>& out);

struct Sent {
    Reach reach = Reach::Unreachable;
    int err = 0;  // positive errno from the daemon, 0 on success
};
// Sends one change: `op` is one of Connection's change methods.
Sent change(const std::function<client::Result(client::Connection&)>& op);

}  // namespace ifctl::ioctl_layer
