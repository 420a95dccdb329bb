#include "operations.hpp"

#include "daemon/core/handlers.hpp"

namespace ifctl::daemon {

using proto::AttrType;
using proto::Op;
using namespace detail;

namespace {

constexpr AttrSet kBrief{AttrType::Brief};
constexpr ValueSet kAddress =
    values({Value::AddressLocal, Value::AddressPeer, Value::AddressBroadcast, Value::AddressLabel});

// One row per operation of the wire schema, in its order. Costs are kernel
// round trips, roughly: a read 1, a link change 1, an address change that
// restores secondaries 2-3, a create 6, a move to another namespace 8.
const OpDescriptor kOperations[] = {
    {.op = Op::Hello, .route = Route::Session, .access = Access::Anyone,
     .modifiers = {AttrType::Version, AttrType::Software, AttrType::Snapshot}, .audit = AuditField::None, .batch = BatchRole::Never,
     .cost = 1},
    {.op = Op::List, .route = Route::Handler, .handler = do_list, .access = Access::Anyone, .modifiers = kBrief,
     .audit = AuditField::None, .batch = BatchRole::Never, .cost = 4},
    {.op = Op::Get, .route = Route::Handler, .handler = do_get, .target = TargetFrom::Request,
     .access = Access::Anyone, .modifiers = kBrief, .audit = AuditField::None, .batch = BatchRole::Never, .cost = 1},
    {.op = Op::Create, .route = Route::Handler, .handler = do_create, .target = TargetFrom::NewName,
     .access = Access::Creator,
     .installs = values({Value::Owner, Value::Group, Value::CreateName, Value::Queues, Value::VnetHdr,
                         Value::Persistent, Value::UniqueId}),
     .audit = AuditField::Presence, .facets = kExistence | kDaemonFacts | kSlots,
     .batch = BatchRole::UndoneByDestroy, .cost = 6},
    {.op = Op::Destroy, .route = Route::Handler, .handler = do_destroy, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Destroy, .audit = AuditField::Presence,
     .facets = kExistence, .batch = BatchRole::RunsLast, .cost = 2},
    {.op = Op::SetFlags, .route = Route::Handler, .handler = do_set_flags, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .installs = values({Value::Flags}),
     .modifiers = {AttrType::KeepInet6}, .audit = AuditField::Flags,
     .facets = kFlags | kDaemonFacts, .batch = BatchRole::Undoable, .undo = undo_set_flags, .cost = 1},
    {.op = Op::SetMtu, .route = Route::Handler, .handler = do_set_mtu, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Mtu, .installs = values({Value::Mtu}),
     .audit = AuditField::Mtu, .facets = kMtu, .batch = BatchRole::Undoable, .undo = undo_set_mtu, .cost = 1},
    {.op = Op::SetMetric, .route = Route::Handler, .handler = do_set_metric, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Metric, .installs = values({Value::Metric}),
     .audit = AuditField::Metric, .facets = kDaemonFacts, .batch = BatchRole::Undoable, .undo = undo_set_metric,
     .cost = 1},
    {.op = Op::SetLladdr, .route = Route::Handler, .handler = do_set_lladdr, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Lladdr, .installs = values({Value::Lladdr}),
     .modifiers = {AttrType::HwType}, .audit = AuditField::Lladdr, .facets = kLladdr, .batch = BatchRole::Undoable,
     .undo = undo_set_lladdr, .cost = 1},
    {.op = Op::SetTxqlen, .route = Route::Handler, .handler = do_set_txqlen, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Txqlen, .installs = values({Value::Txqlen}),
     .audit = AuditField::Txqlen, .facets = kTxqlen, .batch = BatchRole::Undoable, .undo = undo_set_txqlen,
     .cost = 1},
    {.op = Op::AddrAdd, .route = Route::Handler, .handler = do_addr_add, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Address, .installs = kAddress,
     .audit = AuditField::Addresses, .facets = kAddresses, .batch = BatchRole::Undoable, .undo = undo_addr_add,
     .cost = 1},
    // The address deleted is a selector: nothing is installed.
    {.op = Op::AddrDel, .route = Route::Handler, .handler = do_addr_del, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Address, .modifiers = {AttrType::Address, AttrType::Cascade},
     .audit = AuditField::Addresses, .facets = kAddresses, .batch = BatchRole::Undoable, .undo = undo_addr_del,
     .cost = 2},
    {.op = Op::AddrReplace, .route = Route::Handler, .handler = do_addr_replace, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Address, .installs = kAddress,
     .modifiers = {AttrType::OldAddress, AttrType::Cascade}, .audit = AuditField::Addresses, .facets = kAddresses,
     .batch = BatchRole::Undoable, .undo = undo_addr_replace, .cost = 3},
    {.op = Op::Rename, .route = Route::Handler, .handler = do_rename, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Rename, .installs = values({Value::NewName}),
     .modifiers = {AttrType::LiveRename}, .audit = AuditField::Name, .facets = kName, .batch = BatchRole::Undoable,
     .undo = undo_rename, .cost = 1},
    {.op = Op::MultiAdd, .route = Route::Handler, .handler = do_multi_add, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Multicast,
     .installs = values({Value::MulticastGroup}), .modifiers = {AttrType::PerClient}, .audit = AuditField::Multicast,
     .facets = kMulticast, .batch = BatchRole::Undoable, .undo = undo_membership, .cost = 1},
    {.op = Op::MultiDel, .route = Route::Handler, .handler = do_multi_del, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Multicast, .modifiers = {AttrType::Lladdr, AttrType::PerClient},
     .audit = AuditField::Multicast, .facets = kMulticast, .batch = BatchRole::Undoable, .undo = undo_membership,
     .cost = 1},
    // A queue is not state the store records: it is served while the store cannot be written.
    {.op = Op::OpenQueue, .route = Route::Handler, .handler = do_open_queue, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::QueueHolder, .perm = Perm::Queue, .audit = AuditField::Queues,
     .facets = kQueues, .needs_store = false, .batch = BatchRole::Never, .cost = 2},
    {.op = Op::SetOwner, .route = Route::Handler, .handler = do_set_owner, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Root, .root_only = "only root may change who owns {name}",
     .installs = values({Value::Owner}), .audit = AuditField::Owner, .facets = kDaemonFacts,
     .batch = BatchRole::Undoable, .undo = undo_set_owner, .cost = 1},
    {.op = Op::FlagRef, .route = Route::Handler, .handler = do_flag_ref, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .installs = values({Value::FlagRef}), .audit = AuditField::None,
     .facets = kFlags | kDaemonFacts, .batch = BatchRole::Never, .cost = 1},
    // Offloads are interface features like the flags word: the same permission.
    {.op = Op::SetCaps, .route = Route::Handler, .handler = do_set_caps, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Flags, .installs = values({Value::Offloads}),
     .audit = AuditField::None, .facets = kDaemonFacts, .batch = BatchRole::Undoable, .undo = undo_set_caps,
     .cost = 1},
    // The description and interface groups are the owner's labels: no permission of their own.
    {.op = Op::SetDescription, .route = Route::Handler, .handler = do_set_description,
     .target = TargetFrom::Request, .needs_managed = true, .access = Access::Owner,
     .installs = values({Value::Description}), .audit = AuditField::None, .facets = kDaemonFacts,
     .batch = BatchRole::Undoable, .undo = undo_set_description, .cost = 1},
    {.op = Op::GroupAdd, .route = Route::Handler, .handler = do_group_add, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .installs = values({Value::InterfaceGroup}),
     .audit = AuditField::None, .facets = kDaemonFacts, .batch = BatchRole::Undoable, .undo = undo_group, .cost = 1},
    // The group left is a selector: nothing is installed.
    {.op = Op::GroupDel, .route = Route::Handler, .handler = do_group_del, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .modifiers = {AttrType::IfGroup}, .audit = AuditField::None,
     .facets = kDaemonFacts, .batch = BatchRole::Undoable, .undo = undo_group, .cost = 1},
    // How inet6 addresses are made is address configuration: the address permission.
    {.op = Op::SetInet6, .route = Route::Handler, .handler = do_set_inet6, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Address, .installs = values({Value::Inet6Settings}),
     .audit = AuditField::None, .facets = kDaemonFacts | kAddresses, .batch = BatchRole::Undoable,
     .undo = undo_set_inet6, .cost = 1},
    // Detach takes the interface out of the system, as destroy does.
    {.op = Op::Detach, .route = Route::Handler, .handler = do_detach, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .perm = Perm::Destroy, .audit = AuditField::None,
     .facets = kExistence | kSlots, .batch = BatchRole::Never, .cost = 2},
    {.op = Op::Forget, .route = Route::Handler, .handler = do_forget, .access = Access::Root,
     .root_only = "no policy permission covers forget; only root may do it",
     .modifiers = {AttrType::UniqueId, AttrType::UniqueFamily}, .audit = AuditField::None, .facets = kSlots,
     .batch = BatchRole::Never, .cost = 1},
    {.op = Op::Reload, .route = Route::Handler, .handler = do_reload, .access = Access::Root,
     .root_only = "only root may reload ifctld's configuration", .audit = AuditField::PolicySource,
     .facets = kPolicy, .batch = BatchRole::Never, .cost = 4},
    // Persistence outlives the owner's session and reboots: the create option's
    // judgement (Value::Persistent), no permission of its own.
    {.op = Op::SetPersistent, .route = Route::Handler, .handler = do_set_persistent, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::Owner, .installs = values({Value::Persistent}),
     .audit = AuditField::None, .facets = kDaemonFacts, .batch = BatchRole::Never, .cost = 1},
    {.op = Op::MoveNetns, .route = Route::Handler, .handler = do_move_netns, .target = TargetFrom::Request,
     .needs_managed = true, .access = Access::OwnerThenRoot,
     .root_only = "no policy permission covers move-netns yet; only root may do it",
     .installs = values({Value::Netns}), .audit = AuditField::Presence, .facets = kExistence | kNamespace,
     .batch = BatchRole::Never, .cost = 8},
    // Subscribe names its interface optionally: the handler resolves it.
    {.op = Op::Subscribe, .route = Route::Handler, .handler = do_subscribe, .access = Access::Anyone,
     .modifiers = {AttrType::Name, AttrType::Index, AttrType::EventKinds}, .audit = AuditField::None, .batch = BatchRole::Never,
     .cost = 1},
    {.op = Op::WaitReady, .route = Route::Handler, .handler = do_wait_ready, .target = TargetFrom::Request,
     .access = Access::Anyone, .modifiers = {AttrType::TimeoutMs}, .audit = AuditField::None, .batch = BatchRole::Never,
     .cost = 1},
    // Each step is judged, audited and costed as its own operation.
    {.op = Op::Batch, .route = Route::Batch, .access = Access::Anyone, .modifiers = {AttrType::Step, AttrType::BatchContinues},
     .audit = AuditField::None, .facets = kNoFacet, .batch = BatchRole::Never, .cost = 1},
    // The snapshot holds what a list tells anyone (docs/snapshot.md).
    {.op = Op::Snapshot, .route = Route::Session, .access = Access::Anyone, .audit = AuditField::None,
     .batch = BatchRole::Never, .cost = 1},
    // The TAP is not in the daemon's namespace, so not a target the pipeline
    // resolves: the handler finds it among those moved away. Root's, as the move.
    {.op = Op::MoveHome, .route = Route::Handler, .handler = do_move_home, .access = Access::Root,
     .root_only = "no policy permission covers move-home yet; only root may do it", .modifiers = {AttrType::Name},
     .audit = AuditField::Presence,
     .facets = kExistence | kNamespace, .batch = BatchRole::Never, .cost = 8},
};

struct ValueRow {
    Value value;
    std::string_view name;
    AttrSet sources;
};
constexpr ValueRow kValues[] = {
    {Value::Owner, "owner", {AttrType::Owner}},
    {Value::Group, "group", {AttrType::Group}},
    {Value::CreateName, "name", {AttrType::NewName}},
    {Value::Queues, "queues", {AttrType::Queues}},
    {Value::VnetHdr, "vnet-hdr", {AttrType::VnetHdr}},
    {Value::Persistent, "persistent", {AttrType::Persistent}},
    {Value::UniqueId, "unique-id", {AttrType::UniqueId, AttrType::UniqueFamily}},
    {Value::NewName, "new-name", {AttrType::NewName}},
    {Value::Mtu, "mtu", {AttrType::Mtu}},
    {Value::Metric, "metric", {AttrType::Metric}},
    {Value::Lladdr, "lladdr", {AttrType::Lladdr}},
    {Value::MulticastGroup, "multicast-group", {AttrType::Lladdr}},
    {Value::Txqlen, "txqlen", {AttrType::Txqlen}},
    {Value::Flags, "flags", {AttrType::Flags, AttrType::FlagsMask}},
    {Value::FlagRef, "flag-ref", {AttrType::RefFlag, AttrType::RefOn}},
    {Value::Offloads, "offloads", {AttrType::CapsEnabled}},
    {Value::AddressLocal, "address-local", {AttrType::Address}},
    {Value::AddressPeer, "address-peer", {AttrType::Address}},
    {Value::AddressBroadcast, "address-broadcast", {AttrType::Address}},
    {Value::AddressLabel, "address-label", {AttrType::Address}},
    {Value::Netns, "netns", {AttrType::NetnsPid, AttrType::NetnsPath}},
    {Value::Description, "description", {AttrType::Description}},
    {Value::InterfaceGroup, "interface-group", {AttrType::IfGroup}},
    {Value::Inet6Settings, "inet6-settings", {AttrType::NoDad, AttrType::AutoLinklocal}},
};
static_assert(std::size(kValues) == static_cast<size_t>(Value::Count));

struct Index {
    std::array<const OpDescriptor*, 256> by_op{};
    Index() {
        for (const OpDescriptor& d : kOperations) by_op[static_cast<uint16_t>(d.op)] = &d;
    }
};
const Index& index() {
    static const Index i;
    return i;
}

const ValueRow& row(Value v) {
    for (const ValueRow& r : kValues)
        if (r.value == v) return r;
    return kValues[0];  // unreachable: the static_assert above keeps the table whole
}

}  // namespace

const OpDescriptor* descriptor(uint16_t op) { return op < index().by_op.size() ? index().by_op[op] : nullptr; }
const OpDescriptor* descriptor(Op op) { return descriptor(static_cast<uint16_t>(op)); }

std::vector<const OpDescriptor*> all_descriptors() {
    std::vector<const OpDescriptor*> out;
    for (const OpDescriptor& d : kOperations) out.push_back(&d);
    return out;
}

const AttrSet& value_sources(Value v) { return row(v).sources; }
std::string_view value_name(Value v) { return row(v).name; }

}  // namespace ifctl::daemon
