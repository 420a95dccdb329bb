// Protocol v1 vocabulary: the operations, the attributes, and for each operation
// which attributes a request must or may carry. One table each (schema.cpp);
// validate_request() applies them so that handlers only ever see well-formed input.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "wire.hpp"

namespace ifctl::proto {

enum class Op : uint16_t {
    Hello = 1,        // version exchange; must be the first request
    List = 2,         // every interface of the daemon's namespace
    Get = 3,          // one interface, by Name or Index
    Create = 4,       // a new TAP (NewName = name or pattern such as "tap%d")
    Destroy = 5,
    SetFlags = 6,     // Flags under FlagsMask; bits outside the mask are kept
    SetMtu = 7,
    SetMetric = 8,
    SetLladdr = 9,
    SetTxqlen = 10,
    AddrAdd = 11,     // Address
    AddrDel = 12,     // Address (exact local address and prefix)
    AddrReplace = 13, // OldAddress -> Address, as one change
    Rename = 14,      // NewName
    MultiAdd = 15,    // Lladdr
    MultiDel = 16,    // Lladdr
    OpenQueue = 17,   // reply carries a queue fd of the TAP (SCM_RIGHTS)
    SetOwner = 18,    // Owner: who may configure the interface (root only)
    FlagRef = 19,     // RefFlag, RefOn: take or drop this connection's reference on IFF_PROMISC/IFF_ALLMULTI
    SetCaps = 20,     // CapsEnabled: TAP offloads (TUNSETOFFLOAD), within CapsSupported
    Detach = 21,      // the interface leaves the system; its unique-id slot stays for a later Create
    Forget = 22,      // UniqueId, UniqueFamily: drop a detached unique-id slot (no target)
    Reload = 23,      // re-read the configuration file's [policy] (root only)
    // 24: unused
    SetPersistent = 25, // Persistent: keep it across daemon stops and reboots (or not)
    MoveNetns = 26,     // NetnsPid or NetnsPath: move the TAP into that network namespace
    // 27-28: unused
    Subscribe = 29,   // [Name|Index], [EventKinds]: events follow as frames with kFlagEvent
    WaitReady = 30,   // target, [TimeoutMs]: replies once the interface is up with carrier
    Batch = 31,       // Step...: sub-requests applied all or none; [BatchContinues]
    SetDescription = 32, // Description (empty: remove it): the kernel's ifalias, kept in the record
    GroupAdd = 33,    // IfGroup: the interface joins the interface group (FreeBSD's "group NAME")
    GroupDel = 34,    // IfGroup: and leaves it
    SetInet6 = 35,    // [NoDad], [AutoLinklocal]: inet6 settings of the interface
    // 36-38: other work
    Snapshot = 39,    // reply carries the current read-only snapshot (SCM_RIGHTS; docs/snapshot.md)
    // 40: unused
    MoveHome = 41,    // Name: bring a TAP moved away (MoveNetns) back into the daemon's namespace
};
inline constexpr uint16_t kMaxOp = 41;

enum class AttrKind : uint8_t { U8, U32, S32, U64, String, Bytes, Nested };

// Attribute types. One number space for top level and nested attributes.
enum class AttrType : uint16_t {
    Version = 1,      // u32
    Software = 2,     // string: "ifctld 0.1.0" / client name
    Name = 3,         // string: target interface
    Index = 4,        // u32: target interface (alternative to Name)
    NewName = 5,      // string: rename target or create name/pattern
    Flags = 6,        // u32: interface flags, Linux IFF_* values (the canonical flag space)
    FlagsMask = 7,    // u32
    Mtu = 8,          // u32
    Metric = 9,       // s32
    Lladdr = 10,      // bytes 0..32: link-level address
    Address = 11,     // nested: AddrFamily, AddrLocal, AddrPrefix, [AddrBroadcast|AddrPeer], [AddrLabel]
    OldAddress = 12,  // nested, same layout
    Interface = 13,   // nested: an interface record (replies)
    Message = 14,     // string: human-readable explanation of a failure
    Owner = 15,       // u32 uid
    Txqlen = 16,      // u32
    Queues = 17,      // u32: queues on create; attached TAP queues in a record
    HwType = 18,      // u32: ARPHRD_* of the link-level address
    Managed = 19,     // u8: 1 if ifctld created and owns the interface
    Unmanaged = 20,   // u8 in an error reply: the target exists but ifctld does not manage it
    MaxFrame = 21,    // u32 in the Hello reply
    AddrFamily = 22,  // u8: AF_INET / AF_INET6
    AddrLocal = 23,   // bytes 4|16
    AddrPrefix = 24,  // u8
    AddrBroadcast = 25, // bytes 4
    AddrPeer = 26,    // bytes 4|16: destination of a point-to-point address
    AddrLabel = 27,   // string: Linux address label ("tap0:1")
    AddrFlags = 28,   // u32: IFA_F_*
    Stats = 29,       // nested: Stat* u64 counters
    StatRxPackets = 30, StatTxPackets = 31, StatRxBytes = 32, StatTxBytes = 33,
    StatRxErrors = 34, StatTxErrors = 35, StatRxDropped = 36, StatTxDropped = 37,
    StatMulticast = 38, StatCollisions = 39,
    Carrier = 40,     // u8
    OperState = 41,   // u8: IF_OPER_*
    ChangeTime = 42,  // u64: last change, ms since the epoch (daemon's clock)
    MultiAddr = 43,   // bytes 6: a multicast membership (in a record)
    LinkKind = 44,    // string: "tun", "veth", ... (from the kernel)
    UniqueId = 45,    // u64
    MinMtu = 46,      // u32
    MaxMtu = 47,      // u32
    QueuesDetached = 48, // u32: TAP queues open but detached (in a record)
    MayChange = 49,   // u8 in a record: the requesting client may configure this interface
    Cascade = 50,     // u8 on AddrDel/AddrReplace: 1 = as the kernel does, same-subnet
                      // secondaries of a deleted primary go too; 0 (default) = they stay
    Brief = 51,       // u8 on Get/List: 1 = records without addresses, statistics and multicast
    Group = 52,       // u32 gid on Create: the TAP's group (TUNSETGROUP): its members may attach
    VnetHdr = 53,     // u8 on Create: frames carry a virtio-net header (IFF_VNET_HDR)
    RefFlag = 54,     // u32 on FlagRef: IFF_PROMISC or IFF_ALLMULTI (Linux values)
    RefOn = 55,       // u8 0|1 on FlagRef: take (1) or drop (0) the reference
    PerClient = 56,   // u8 0|1 on MultiAdd/MultiDel: the membership is this connection's own
    CapsSupported = 57, // u32 in a record: TUN_F_* offloads the TAP can have
    CapsEnabled = 58, // u32: TUN_F_* offloads on (record; SetCaps)
    LiveRename = 59,  // u8 0|1 on Rename: if the kernel refuses while up, do down, rename, up
    UniqueFamily = 60, // string 1..15 on Create and in a record: the family of UniqueId ("ether")
    PromiscRefs = 61, // u32 in a record: connections holding an IFF_PROMISC reference
    AllmultiRefs = 62, // u32 in a record: connections holding an IFF_ALLMULTI reference
    // 63-71: unused
    Persistent = 72,  // u8: on Create/SetPersistent, and in a record: the TAP outlives a daemon stop and a reboot
    Durable = 73,     // u8 on any change: reply only once the whole record (kernel config too) is on disk
    NetnsPid = 74,    // u32 on MoveNetns: the network namespace of this process
    NetnsPath = 75,   // string on MoveNetns: a network namespace file (/run/netns/NAME, /proc/PID/ns/net)
    Netns = 76,       // string in a record: where a moved TAP lives now (as the mover named it)
    // 77-79: unused
    EventKinds = 80,  // u32 on Subscribe: which kinds of event (bits of EventKind); absent = all
    EventKind = 81,   // u32 in an event frame: the one kind it reports
    EventSeq = 82,    // u64 in an event frame (daemon-wide, monotonic); Subscribe reply: the last so far
    OldName = 83,     // string in a "renamed" event
    OldFlags = 84,    // u32 in a "flags" event
    OldMtu = 85,      // u32 in an "mtu" event
    TimeoutMs = 86,   // u32 on WaitReady: give up after this many milliseconds (ETIMEDOUT)
    Step = 87,        // bytes on Batch: one whole sub-request frame (header included)
    StepIndex = 88,   // u32 in a Batch error reply: the failing step, from 0
    BatchContinues = 89, // u8 on Batch: 1 = more steps follow in the next Batch request
    KeepInet6 = 90,   // u8 on SetFlags: 1 = a change that takes the interface down keeps its
                      // permanent global inet6 addresses, as BSD does (re-added after the down)
    Description = 91, // string 0..255: on SetDescription and in a record (IFLA_IFALIAS)
    IfGroup = 92,     // string 1..15: on GroupAdd/GroupDel; repeated in a record, one per group
    NoDad = 93,       // u8 0|1: on SetInet6 and in a record: inet6 addresses are added without DAD
    AutoLinklocal = 94, // u8 0|1: on SetInet6 and in a record: the kernel makes a link-local address
    // 95-99 and 101-109: unassigned
    EventDetail = 100, // string 0..1024 in a tampered event: what changed behind the daemon's back
    Snapshot = 110,   // u8 on Hello: 1 = pass the read-only snapshot with the reply (docs/snapshot.md)
};
inline constexpr uint16_t kMaxAttr = 110;
// An attribute type as it is written on the wire.
constexpr uint16_t wire_type(AttrType a) { return static_cast<uint16_t>(a); }

// What a request's attribute value must be beyond its kind and length.
enum class ValueRule : uint8_t {
    Any,
    Switch,         // u8: 0 or 1
    NewIfName,      // string: a name the kernel would give an interface, or a %d pattern (ifname.hpp)
    QueueCount,     // u32: 1..256, the kernel's MAX_TAP_QUEUES
    FlagReference,  // u32: IFF_PROMISC (0x100) or IFF_ALLMULTI (0x200)
    EventMask,      // u32: a non-empty set of known event kinds (kAllEvents)
    NotZero,        // u64: 0 means "none" and cannot be asked for
    Ethernet,       // bytes: exactly 6 (a multicast group's link-layer address)
};

struct AttrSpec {
    std::string_view name;
    AttrKind kind = AttrKind::U8;
    uint16_t min_len = 0;  // for String (characters, without NUL) and Bytes
    uint16_t max_len = 0;
    ValueRule rule = ValueRule::Any;  // in every request that carries it
};
// Indexed by attribute type; entries with an empty name are unassigned.
const AttrSpec* attr_spec(uint16_t type);

// How an attribute may appear in a request.
enum class Presence : uint8_t { Forbidden, Optional, Required, Repeated };

// Attributes that are only meaningful together, or only one at a time.
struct AttrGroup {
    enum class Rule : uint8_t {
        ExactlyOne,  // one of the two, not both
        AtMostOne,   // not both
        AtLeastOne,  // one or both
        Together,    // both or neither
    };
    Rule rule;
    AttrType first, second;
};

struct OpSpec {
    std::string_view name;
    bool needs_target = false;  // Name or Index required (exactly one)
    bool changes = false;       // modifies kernel or daemon state
    std::array<Presence, kMaxAttr + 1> attrs{};  // by attribute type
    std::array<ValueRule, kMaxAttr + 1> rules{};  // by attribute type: the attribute's own, or this operation's
    std::vector<AttrGroup> groups;                 // needs_target's Name/Index pair among them
};
const OpSpec* op_spec(uint16_t op);
std::string_view op_name(uint16_t op);

// A request that passed validation: the attributes by type (first occurrence),
// with repeated ones collected in order.
struct Request {
    Header header;
    std::array<std::optional<Attr>, kMaxAttr + 1> attrs{};
    std::vector<Attr> repeated;  // every occurrence of Repeated attributes

    Op op() const { return static_cast<Op>(header.op); }
    bool has(AttrType a) const { return attrs[wire_type(a)].has_value(); }
    const Attr& get(AttrType a) const { return *attrs[wire_type(a)]; }
};

// Checks every attribute against the tables: known type, right size, allowed for
// this operation, required ones present, nested contents valid. The frame must
// outlive the Request (attributes point into it).
Error validate_request(std::span<const uint8_t> frame, Request& out);

// Validates the attributes nested in `outer` against the kind table (used for
// Address and Interface). Unknown or malformed children fail.
Error validate_nested(const Attr& outer, std::vector<Attr>& children);

// Checks one attribute's payload against its kind and length limits.
Error check_attr(const Attr& a);
// The same check without the message, for decoders that walk every attribute
// of a record (check_attr then says why, for the one that fails).
bool attr_fits(const AttrSpec& s, const Attr& a);

}  // namespace ifctl::proto
