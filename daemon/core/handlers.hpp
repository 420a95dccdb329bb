// What the handlers (daemon/core/handlers/, one file per concern: queries,
// link settings, addresses, memberships and offloads, lifecycle, namespaces)
// share with the pipeline (dispatch.cpp) and the batch runner (batch.cpp): the
// resolved target, the handler context, the handlers and their inverses (named
// by the descriptors, operations.cpp), and target resolution with the managed
// rule. Internal to daemon/core.
#pragma once

#include <optional>
#include <string>

#include "daemon/core/dispatch.hpp"
#include "daemon/core/operations.hpp"

namespace ifctl::daemon::detail {

// The interface a request is about, resolved before its handler runs.
struct Target {
    const proto::Interface* record = nullptr;  // the kernel's record of it, if it exists
    Managed* managed = nullptr;
    std::string name;  // as the caller named it, for messages
};

struct Ctx {
    Kernel& kernel;
    Registry& registry;
    const Peer& peer;
    const DaemonLimits& limits;
    const Policy& policy;
    const proto::Request& req;
    Target& target;
    Persistence* persist;  // null without a state directory
    const Reloader& reloader;
};

// The handlers, one per operation (their descriptors: operations.cpp).
Reply do_list(Ctx& c);
Reply do_get(Ctx& c);
Reply do_create(Ctx& c);
Reply do_destroy(Ctx& c);
Reply do_set_flags(Ctx& c);
Reply do_set_mtu(Ctx& c);
Reply do_set_metric(Ctx& c);
Reply do_set_lladdr(Ctx& c);
Reply do_set_txqlen(Ctx& c);
Reply do_addr_add(Ctx& c);
Reply do_addr_del(Ctx& c);
Reply do_addr_replace(Ctx& c);
Reply do_rename(Ctx& c);
Reply do_multi_add(Ctx& c);
Reply do_multi_del(Ctx& c);
Reply do_open_queue(Ctx& c);
Reply do_set_owner(Ctx& c);
Reply do_flag_ref(Ctx& c);
Reply do_set_caps(Ctx& c);
Reply do_detach(Ctx& c);
Reply do_forget(Ctx& c);
Reply do_reload(Ctx& c);
Reply do_set_persistent(Ctx& c);
Reply do_move_netns(Ctx& c);
Reply do_move_home(Ctx& c);
Reply do_subscribe(Ctx& c);
Reply do_wait_ready(Ctx& c);
Reply do_set_description(Ctx& c);
Reply do_group_add(Ctx& c);
Reply do_group_del(Ctx& c);
Reply do_set_inet6(Ctx& c);

// The inverses a batch records before a step runs (OpDescriptor::undo).
void undo_set_flags(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_mtu(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_metric(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_lladdr(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_txqlen(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_addr_add(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_addr_del(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_addr_replace(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_rename(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_membership(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_owner(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_caps(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_inet6(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_set_description(const proto::Request& req, const Target& tg, ClientId client, Frames& out);
void undo_group(const proto::Request& req, const Target& tg, ClientId client, Frames& out);  // GroupAdd <-> GroupDel

// The same-subnet secondaries the kernel deletes with a primary inet address.
std::vector<proto::Address> secondaries_of(const proto::Interface& k, const proto::Address& a);

// The name a create with `pattern` ("lab%d") will get: the lowest free unit, as
// the kernel picks it. Names without %d are returned as they are.
std::string expected_name(Kernel& kernel, const std::string& pattern);

// Finds the request's target (ENODEV) and applies the row's managed rule
// (EPERM with unmanaged). An error reply, or nothing when the target is good.
std::optional<Reply> resolve(Kernel& kernel, Registry& registry, const OpDescriptor& op, const proto::Request& req,
                             Target& target);

}  // namespace ifctl::daemon::detail
