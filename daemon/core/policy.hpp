// Who may do what. Without a configured policy: root may do everything; anyone
// may read; only root creates; the owner of a managed interface may configure
// it. Part 4 of the plan widens this into a configurable policy.
#pragma once

#include <string>

#include "daemon/core/peer.hpp"
#include "libifctl/protocol/schema.hpp"

namespace ifctl::daemon {

struct Managed;

struct Decision {
    int error = 0;  // 0: allowed; else a positive errno (EPERM)
    std::string message;
};

// `target` is null for operations without one (create, list).
Decision authorize(const Peer& peer, proto::Op op, const std::string& target_name, const Managed* target);

}  // namespace ifctl::daemon
