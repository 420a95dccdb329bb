// What the handlers share: replies from kernel answers, writing a record
// before acknowledging, the record a client sees, the TAP's frame filter,
// names, target resolution and requests the daemon writes itself.
#include "daemon/core/handlers/support.hpp"

#include <linux/if.h>
#include <spdlog/spdlog.h>

#include <cstring>

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

Reply ok() { return {}; }

Reply from_kernel(int rc, const std::string& what) {
    if (rc == 0) return ok();
    return Reply::error(-rc, what + ": " + std::strerror(-rc));
}

std::string expected_name(Kernel& kernel, const std::string& pattern) {
    const auto pct = pattern.find("%d");
    if (pct == std::string::npos) return pattern;
    for (unsigned n = 0; n < 32768; ++n) {  // the kernel's own bound (__dev_alloc_name)
        std::string name = pattern.substr(0, pct) + std::to_string(n) + pattern.substr(pct + 2);
        if (!kernel.find(name)) return name;
    }
    return pattern;
}

// The record as this client sees it: kernel facts, daemon facts, its own access.
proto::Interface view_for(Ctx& c, const proto::Interface& k, bool details) {
    proto::Interface v = c.registry.view(k, details);
    v.may_change = may_configure(c.peer, c.registry.find(k.index));
    return v;
}

Reply reply_with(Ctx& c, uint32_t index) {
    Reply r;
    if (const proto::Interface* k = c.kernel.find(index)) r.interfaces.push_back(view_for(c, *k));
    return r;
}

Mac own_mac(const proto::Interface& k) {
    Mac own{};
    if (k.lladdr.size() == own.size()) std::copy(k.lladdr.begin(), k.lladdr.end(), own.begin());
    return own;
}

// Programs the TAP's filter from the memberships and flag references (refs.hpp).
// A failure is logged: the reference counts stay right and the next change
// tries again.
void sync_tx_filter(Managed& m, const Mac& own) {
    const TxFilter f = tx_filter_for(own, m.multicast, m.promisc.on(), m.allmulti.on());
    if (int rc = m.tap.set_tx_filter(f.enabled ? f.addresses : std::vector<Mac>{}, f.allmulti); rc < 0)
        spdlog::warn("could not program the frame filter of {}: {}", m.tap.name(), std::strerror(-rc));
}

std::optional<Reply> resolve(Kernel& kernel, Registry& registry, const OpDescriptor& op,
                                     const proto::Request& req, Target& target) {
    if (req.has(AttrType::Name)) {
        target.name = req.get(AttrType::Name).as_str();
        target.record = kernel.find(target.name);
        if (!target.record) return Reply::error(ENODEV, "no interface named " + target.name);
    } else {
        const uint32_t index = req.get(AttrType::Index).as_u32();
        target.record = kernel.find(index);
        if (!target.record) return Reply::error(ENODEV, "no interface with index " + std::to_string(index));
        target.name = target.record->name;
    }
    target.managed = registry.find(target.record->index);
    if (op.needs_managed && !target.managed) {
        Reply r = Reply::error(EPERM, target.name + " is not managed by ifctld (only interfaces it created can be "
                                                    "changed through it)");
        r.unmanaged = true;
        return r;
    }
    return std::nullopt;
}

proto::Writer request_by_index(Op op, uint32_t index) {
    proto::Writer w(static_cast<uint16_t>(op), 0, 0);
    w.u32(wire_type(AttrType::Index), index);
    return w;
}

proto::Address address_of(const proto::Request& req, AttrType which) {
    proto::Address a;
    proto::decode_address(req.get(which), a);  // validated with the request
    return a;
}

}  // namespace ifctl::daemon::detail
