// The BSD personality's requests that rest on per-client state in the daemon
// (protocol operations: FlagRef, PerClient multicast, capabilities, LiveRename).
// Kept apart so that bsd.cpp reads the same whatever the daemon offers.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "flags.hpp"
#include "libifctl/src/connection.hpp"

namespace ifctl::ioctl_layer {

// After a SIOCSIFFLAGS: this client's references on PROMISC and ALLMULTI as
// the word asked (ifpromisc / if_allmulti). Returns 0 or a positive errno.
int set_flag_refs(const proto::Interface& rec, const FlagChange& fc);

// Rename, doing down-rename-up where the kernel refuses while up.
client::Result rename_live(client::Connection& c, const client::InterfaceRef& t, const std::string& to);

// This client's own membership: EADDRINUSE when held, ENOENT when not.
client::Result multi_per_client(client::Connection& c, const client::InterfaceRef& t, const std::array<uint8_t, 6>& mac, bool add);

// IFCAP_* bits from the TAP's TUN_F_* offloads, and back.
uint32_t caps_supported(const proto::Interface& rec);
uint32_t caps_enabled(const proto::Interface& rec);
client::Result set_caps(client::Connection& c, const client::InterfaceRef& t, uint32_t ifcap);

}  // namespace ifctl::ioctl_layer
