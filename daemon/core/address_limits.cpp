#include "daemon/core/address_limits.hpp"

#include <cerrno>

namespace ifctl::daemon {

using proto::AttrType;

namespace {

// Addresses on the interfaces `owner` holds, as the kernel has them now.
size_t owned_addresses(Kernel& kernel, Registry& registry, uint32_t owner) {
    size_t n = 0;
    for (const auto& [index, m] : registry.all())
        if (m.owner == owner)
            if (const proto::Interface* k = kernel.find(index)) n += k->addresses.size();
    return n;
}

}  // namespace

std::optional<Reply> address_room(const DaemonLimits& limits, Kernel& kernel, Registry& registry,
                                  const proto::Request& req, const std::string& name, const proto::Interface* k,
                                  std::optional<uint32_t> owner, AddressTally* tally) {
    if (req.op() != proto::Op::AddrAdd) return std::nullopt;
    proto::Address a;
    if (proto::decode_address(req.get(AttrType::Address), a)) return std::nullopt;  // validated before: not reached
    if (k)
        for (const proto::Address& have : k->addresses)
            if (have.same_local(a) && have.prefix == a.prefix) return std::nullopt;  // adds nothing (EEXIST)
    const std::string key = k ? std::to_string(k->index) : name;
    const size_t on_it = (k ? k->addresses.size() : 0) + (tally ? tally->per_interface[key] : 0);
    if (on_it + 1 > limits.max_addresses_per_interface)
        return Reply::error(ENOSPC, name + " has " + std::to_string(on_it) + " addresses, the most one interface may "
                                    "carry (limits.max_addresses_per_interface = " +
                                    std::to_string(limits.max_addresses_per_interface) + ")");
    if (owner && *owner != 0) {
        const size_t held = owned_addresses(kernel, registry, *owner) + (tally ? tally->per_owner[*owner] : 0);
        if (held + 1 > limits.max_addresses_per_owner)
            return Reply::error(EDQUOT, "uid " + std::to_string(*owner) + " has " + std::to_string(held) +
                                            " addresses on its interfaces, the most one owner may "
                                            "(limits.max_addresses_per_owner = " +
                                            std::to_string(limits.max_addresses_per_owner) + ")");
    }
    if (tally) {
        ++tally->per_interface[key];
        if (owner) ++tally->per_owner[*owner];
    }
    return std::nullopt;
}

}  // namespace ifctl::daemon
