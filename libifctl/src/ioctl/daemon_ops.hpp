// What the personalities ask of the daemon, with the answers they act on:
// whether the daemon could be reached, whether it manages the interface, and
// the daemon's errno. Requests about interfaces the daemon does not manage
// are the kernel's business; the personalities hand those over unchanged.
#pragma once

#include <functional>
#include <span>

#include "libifctl/src/connection.hpp"

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
// or description.
bool list_all(std::span<const proto::Interface>& out);

struct Sent {
    Reach reach = Reach::Unreachable;
    int err = 0;  // positive errno from the daemon, 0 on success
};
// Sends one change: `op` is one of Connection's change methods.
Sent change(const std::function<client::Result(client::Connection&)>& op);

}  // namespace ifctl::ioctl_layer
