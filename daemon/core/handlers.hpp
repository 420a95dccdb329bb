// What the request handlers of dispatch.cpp share with the batch runner
// (batch.cpp): the resolved target, the handler context, the handler table,
// and target resolution with the managed check. Internal to daemon/core.
#pragma once

#include <optional>
#include <string>

#include "daemon/core/dispatch.hpp"

namespace ifctl::daemon::detail {

// The interface a request is about, resolved before its handler runs.
struct Target {
    const proto::Interface* kernel = nullptr;
    Managed* managed = nullptr;
    std::string name;  // as the caller named it, for messages
};

struct Ctx {
    Netlink& kernel;
    Registry& registry;
    const Peer& peer;
    const DaemonLimits& limits;
    const Policy& policy;
    const proto::Request& req;
    Target& target;
    Persistence* persist;  // null without a state directory
    const Reloader& reloader;
};

using Handler = Reply (*)(Ctx&);
struct HandlerRow {
    proto::Op op;
    Handler fn;
    bool needs_managed;  // the target must be an interface ifctld manages
};

const HandlerRow* handler_for(proto::Op op);

// The same-subnet secondaries the kernel deletes with a primary inet address.
std::vector<proto::Address> secondaries_of(const proto::Interface& k, const proto::Address& a);

// The name a create with `pattern` ("lab%d") will get: the lowest free unit, as
// the kernel picks it. Names without %d are returned as they are.
std::string expected_name(Netlink& kernel, const std::string& pattern);

// Finds the request's target (ENODEV) and applies the row's managed rule
// (EPERM with unmanaged). An error reply, or nothing when the target is good.
std::optional<Reply> resolve(Netlink& kernel, Registry& registry, const HandlerRow& row, const proto::Request& req,
                             Target& target);

}  // namespace ifctl::daemon::detail
