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

// Where the linux personality's SIOCGIFCONF on a socket of network namespace
// `socket_netns` (0: not known) is answered from. In the daemon's namespace
// the answer is the kernel's: Published (its bytes in `out`, from the
// snapshot) or, when the snapshot cannot give them, Kernel. A socket of
// another namespace gets the daemon's list (DaemonList). A snapshot the
// daemon replaced, or one a stopped daemon left, is replaced first (a round
// trip). Without cookies to compare, the connection's answer decides
// (daemon_in_our_netns()).
enum class Conf { Published, Kernel, DaemonList };
Conf kernel_conf(uint64_t socket_netns, std::span<const uint8_t>& out);

// A change this process handed to the kernel itself (on an interface the
// daemon does not manage) is in the kernel at once, and in the snapshot only
// once the daemon has read the kernel's event: the next read from the
// snapshot first makes a round trip, in which the daemon reads its pending
// events and publishes them (read-your-writes).
void note_kernel_change();

struct Sent {
    Reach reach = Reach::Unreachable;
    int err = 0;  // positive errno from the daemon, 0 on success
};
// Sends one change: `op` is one of Connection's change methods.
Sent change(const std::function<client::Result(client::Connection&)>& op);

}  // namespace ifctl::ioctl_layer
