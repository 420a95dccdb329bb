// limits.max_addresses_per_interface and limits.max_addresses_per_owner: an
// interface's record must stay small enough to send, store and destroy, and
// one user's interfaces must not fill the daemon's state. Judged before
// anything is applied, for a single request and for every step of a batch
// (counting the batch's own additions). They bind every client, root too.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "daemon/core/dispatch.hpp"

namespace ifctl::daemon {

// Addresses the batch adds so far, per interface (kernel index, or the
// batch's name for one it creates) and per owner.
struct AddressTally {
    std::map<std::string, size_t> per_interface;
    std::map<uint32_t, size_t> per_owner;
};

// Whether `req` may add its address to interface `k` (null: made by the
// batch) owned by `owner` (nullopt: unmanaged). With a tally (a batch), the
// addition is counted there when allowed.
std::optional<Reply> address_room(const DaemonLimits& limits, Kernel& kernel, Registry& registry,
                                  const proto::Request& req, const std::string& name, const proto::Interface* k,
                                  std::optional<uint32_t> owner, AddressTally* tally = nullptr);

}  // namespace ifctl::daemon
