// One descriptor per operation of the wire schema: everything the daemon knows
// about it, in one row (operations.cpp). The request pipeline, the policy, the
// audit trail and the batch runner read these rows; none of them switches on
// the operation. tests/unit/test_operations.cpp walks the schema and fails when
// an operation has no row or a row leaves a question unanswered.
//
// Adding an operation: its schema row (libifctl/protocol/schema.cpp), its
// descriptor here, its handler in the handler file of its concern.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "daemon/core/peer.hpp"
#include "daemon/core/policy.hpp"
#include "daemon/core/refs.hpp"
#include "libifctl/protocol/schema.hpp"

namespace ifctl::daemon {

struct Reply;
namespace detail {
struct Ctx;
struct Target;
}  // namespace detail

// A set of attribute types, written as a list in a descriptor.
class AttrSet {
public:
    constexpr AttrSet() = default;
    constexpr AttrSet(std::initializer_list<proto::AttrType> list) {
        for (proto::AttrType a : list) add(a);
    }
    constexpr void add(proto::AttrType a) {
        const auto t = wire_type(a);
        bits_[t / 64] |= uint64_t{1} << (t % 64);
    }
    constexpr bool has(proto::AttrType a) const {
        const auto t = wire_type(a);
        return (bits_[t / 64] >> (t % 64)) & 1;
    }

private:
    std::array<uint64_t, 4> bits_{};
};

// Who may ask, the policy's first question (policy.cpp).
enum class Access : uint8_t {
    Unset,          // a descriptor must say
    Anyone,         // reads: not judged
    Root,           // root alone; `root_only` is the refusal's text
    Creator,        // create: the grant's create right and max_interfaces
    Owner,          // the target's owner (or root), then `perm` and the values
    QueueHolder,    // as Owner, but a stranger is refused with EACCES (open(2)'s errno)
    OwnerThenRoot,  // a stranger hears who owns it; the owner then hears `root_only`
};

// A value an operation installs in the kernel or the daemon, which the policy
// judges on its own (policy.cpp, kValueJudges). Every attribute of an
// operation's schema row is either such a value or a modifier (`modifiers`).
// Judged in this order.
enum class Value : uint8_t {
    Owner,             // Owner: who owns the interface
    Group,             // Group: the TAP's group
    CreateName,        // NewName on create, as the kernel will resolve the pattern
    Queues,            // Queues on create
    VnetHdr,           // VnetHdr on create
    Persistent,        // Persistent
    UniqueId,          // UniqueId/UniqueFamily on create: a caller's id for a slot
    NewName,           // NewName on rename
    Mtu,               // Mtu
    Metric,            // Metric
    Lladdr,            // Lladdr on set-lladdr: the link address
    MulticastGroup,    // Lladdr on multi-add: a link-level group joined
    Txqlen,            // Txqlen
    Flags,             // Flags under FlagsMask
    FlagRef,           // RefFlag with RefOn
    Offloads,          // CapsEnabled
    AddressLocal,      // the nested Address: its local side and prefix (the route it implies)
    AddressPeer,       // its peer (point-to-point destination) with the prefix: the route the kernel adds
    AddressBroadcast,  // its broadcast (a host route of the local table)
    AddressLabel,      // its label: the interface's name, or NAME:N
    Netns,             // NetnsPid or NetnsPath: where the interface goes
    Description,       // Description: the interface's description (the kernel's ifalias)
    InterfaceGroup,    // IfGroup on group-add: a group the interface joins
    Inet6Settings,     // NoDad, AutoLinklocal: how inet6 addresses are made
    Count
};
using ValueSet = uint32_t;
constexpr ValueSet values(std::initializer_list<Value> list) {
    ValueSet s = 0;
    for (Value v : list) s |= ValueSet{1} << static_cast<unsigned>(v);
    return s;
}
constexpr bool installs(ValueSet s, Value v) { return (s >> static_cast<unsigned>(v)) & 1; }
// The top-level attributes a value is read from.
const AttrSet& value_sources(Value v);
std::string_view value_name(Value v);

// The state an operation changes (for the audit trail's before/after, and
// for readers of cached state: what a change invalidates).
enum Facet : uint32_t {
    kNoFacet = 0,
    kExistence = 1u << 0,  // the interface appears or goes
    kName = 1u << 1,
    kFlags = 1u << 2,
    kMtu = 1u << 3,
    kLladdr = 1u << 4,
    kTxqlen = 1u << 5,
    kAddresses = 1u << 6,
    kMulticast = 1u << 7,
    kQueues = 1u << 8,
    kDaemonFacts = 1u << 9,  // owner, metric, persistence, offloads, references: the registry's
    kNamespace = 1u << 10,
    kSlots = 1u << 11,       // unique-id slots
    kPolicy = 1u << 12,      // the daemon's configuration
};

// What the audit record shows before and after (audit.cpp).
enum class AuditField : uint8_t {
    Unset, None, Presence, Flags, Mtu, Metric, Lladdr, Txqlen, Addresses, Name, Multicast, Queues, Owner, PolicySource
};

// Where a request's target comes from.
enum class TargetFrom : uint8_t {
    None,     // daemon-wide, or names its interface optionally (subscribe)
    Request,  // Name or Index, resolved before the handler (ENODEV)
    NewName,  // create: the name NewName's pattern will give
};

// Who serves the operation.
enum class Route : uint8_t { Unset, Handler, Session, Batch };

// Whether the operation may be a step of a batch.
enum class BatchRole : uint8_t {
    Unset,
    Never,           // its effect cannot be undone (or is not a change)
    Undoable,        // `undo` gives the requests that put back what it changes
    UndoneByDestroy, // create: destroying what it made
    RunsLast,        // destroy: cannot be undone, so it runs once every other step succeeded
};

using Frames = std::vector<std::vector<uint8_t>>;
using Handler = Reply (*)(detail::Ctx&);
// The requests that undo `req` on `target`, worked out before it runs.
using Inverse = void (*)(const proto::Request& req, const detail::Target& target, ClientId client, Frames& out);

struct OpDescriptor {
    proto::Op op{};
    Route route = Route::Unset;
    Handler handler = nullptr;
    TargetFrom target = TargetFrom::None;
    bool needs_managed = false;  // the target must be an interface ifctld manages (else EPERM, unmanaged)
    // The policy: who may ask, the permission on an owned interface, every
    // value it installs, the attributes that only qualify how (not judged).
    Access access = Access::Unset;
    Perm perm = Perm::None;
    std::string_view root_only = {};  // Root, OwnerThenRoot: the refusal
    ValueSet installs = 0;
    AttrSet modifiers = {};
    // The audit trail and what changes.
    AuditField audit = AuditField::Unset;
    uint32_t facets = kNoFacet;
    bool needs_store = true;  // a change refused while the state directory cannot be written
    // Batches.
    BatchRole batch = BatchRole::Unset;
    Inverse undo = nullptr;
    // Work units it costs (kernel round trips, roughly), for budgets.
    uint16_t cost = 0;
};

// The descriptor of `op`; null for an operation the daemon does not know.
const OpDescriptor* descriptor(proto::Op op);
const OpDescriptor* descriptor(uint16_t op);
// Every descriptor, in table order (for tests and documentation).
std::vector<const OpDescriptor*> all_descriptors();

}  // namespace ifctl::daemon
