#include "policy.hpp"

#include <cerrno>

#include "daemon/core/registry.hpp"

namespace ifctl::daemon {

Decision authorize(const Peer& peer, proto::Op op, const std::string& target_name, const Managed* target) {
    const proto::OpSpec* spec = proto::op_spec(static_cast<uint16_t>(op));
    if (!spec->changes || peer.is_root()) return {};
    if (op == proto::Op::Create)
        return {EPERM, "only root may create interfaces (no policy grants uid " + std::to_string(peer.uid) + " creation)"};
    if (op == proto::Op::SetOwner) return {EPERM, "only root may change who owns " + target_name};
    if (target && target->owner == peer.uid) return {};
    return {EPERM, target_name + " is owned by uid " + std::to_string(target ? target->owner : 0) +
                       "; only its owner or root may change it"};
}

}  // namespace ifctl::daemon
