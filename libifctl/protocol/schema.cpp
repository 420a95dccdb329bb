#include "schema.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "event.hpp"
#include "ifname.hpp"

namespace ifctl::proto {
namespace {

constexpr uint32_t kIffPromisc = 0x100, kIffAllmulti = 0x200;  // Linux IFF_PROMISC, IFF_ALLMULTI
constexpr uint32_t kMaxTapQueues = 256;                          // the kernel's MAX_TAP_QUEUES
using R = ValueRule;
static_assert(wire_type(AttrType::AddrFlags) < 64, "check_address tracks address children in a 64-bit mask");

struct AttrRow {
    AttrType type;
    AttrSpec spec;
};

// The attribute table: one row per attribute type.
constexpr AttrRow kAttrRows[] = {
    {AttrType::Version, {"version", AttrKind::U32}},
    {AttrType::Software, {"software", AttrKind::String, 0, 255}},
    {AttrType::Name, {"name", AttrKind::String, 1, kIfNameMax}},
    {AttrType::Index, {"index", AttrKind::U32}},
    {AttrType::NewName, {"new-name", AttrKind::String, 1, kIfNameMax, R::NewIfName}},
    {AttrType::Flags, {"flags", AttrKind::U32}},
    {AttrType::FlagsMask, {"flags-mask", AttrKind::U32}},
    {AttrType::Mtu, {"mtu", AttrKind::U32}},
    {AttrType::Metric, {"metric", AttrKind::S32}},
    {AttrType::Lladdr, {"lladdr", AttrKind::Bytes, 0, 32}},
    {AttrType::Address, {"address", AttrKind::Nested}},
    {AttrType::OldAddress, {"old-address", AttrKind::Nested}},
    {AttrType::Interface, {"interface", AttrKind::Nested}},
    {AttrType::Message, {"message", AttrKind::String, 0, 1024}},
    {AttrType::Owner, {"owner", AttrKind::U32}},
    {AttrType::Txqlen, {"txqlen", AttrKind::U32}},
    {AttrType::Queues, {"queues", AttrKind::U32, 0, 0, R::QueueCount}},
    {AttrType::HwType, {"hw-type", AttrKind::U32}},
    {AttrType::Managed, {"managed", AttrKind::U8}},
    {AttrType::Unmanaged, {"unmanaged", AttrKind::U8}},
    {AttrType::MaxFrame, {"max-frame", AttrKind::U32}},
    {AttrType::AddrFamily, {"family", AttrKind::U8}},
    {AttrType::AddrLocal, {"local", AttrKind::Bytes, 4, 16}},
    {AttrType::AddrPrefix, {"prefix", AttrKind::U8}},
    {AttrType::AddrBroadcast, {"broadcast", AttrKind::Bytes, 4, 4}},
    {AttrType::AddrPeer, {"peer", AttrKind::Bytes, 4, 16}},
    {AttrType::AddrLabel, {"label", AttrKind::String, 1, kIfNameMax}},
    {AttrType::AddrFlags, {"addr-flags", AttrKind::U32}},
    {AttrType::Stats, {"stats", AttrKind::Nested}},
    {AttrType::StatRxPackets, {"rx-packets", AttrKind::U64}},
    {AttrType::StatTxPackets, {"tx-packets", AttrKind::U64}},
    {AttrType::StatRxBytes, {"rx-bytes", AttrKind::U64}},
    {AttrType::StatTxBytes, {"tx-bytes", AttrKind::U64}},
    {AttrType::StatRxErrors, {"rx-errors", AttrKind::U64}},
    {AttrType::StatTxErrors, {"tx-errors", AttrKind::U64}},
    {AttrType::StatRxDropped, {"rx-dropped", AttrKind::U64}},
    {AttrType::StatTxDropped, {"tx-dropped", AttrKind::U64}},
    {AttrType::StatMulticast, {"multicast", AttrKind::U64}},
    {AttrType::StatCollisions, {"collisions", AttrKind::U64}},
    {AttrType::Carrier, {"carrier", AttrKind::U8}},
    {AttrType::OperState, {"operstate", AttrKind::U8}},
    {AttrType::ChangeTime, {"change-time", AttrKind::U64}},
    {AttrType::MultiAddr, {"multicast-address", AttrKind::Bytes, 6, 6}},
    {AttrType::LinkKind, {"link-kind", AttrKind::String, 0, 31}},
    {AttrType::UniqueId, {"unique-id", AttrKind::U64, 0, 0, R::NotZero}},
    {AttrType::MinMtu, {"min-mtu", AttrKind::U32}},
    {AttrType::MaxMtu, {"max-mtu", AttrKind::U32}},
    {AttrType::QueuesDetached, {"queues-detached", AttrKind::U32}},
    {AttrType::MayChange, {"may-change", AttrKind::U8}},
    {AttrType::Cascade, {"cascade", AttrKind::U8}},
    {AttrType::Brief, {"brief", AttrKind::U8}},
    {AttrType::Group, {"group", AttrKind::U32}},
    {AttrType::VnetHdr, {"vnet-hdr", AttrKind::U8}},
    {AttrType::RefFlag, {"ref-flag", AttrKind::U32, 0, 0, R::FlagReference}},
    {AttrType::RefOn, {"ref-on", AttrKind::U8, 0, 0, R::Switch}},
    {AttrType::PerClient, {"per-client", AttrKind::U8, 0, 0, R::Switch}},
    {AttrType::CapsSupported, {"caps-supported", AttrKind::U32}},
    {AttrType::CapsEnabled, {"caps-enabled", AttrKind::U32}},
    {AttrType::LiveRename, {"live-rename", AttrKind::U8, 0, 0, R::Switch}},
    {AttrType::UniqueFamily, {"unique-family", AttrKind::String, 1, kIfNameMax}},
    {AttrType::PromiscRefs, {"promisc-refs", AttrKind::U32}},
    {AttrType::AllmultiRefs, {"allmulti-refs", AttrKind::U32}},
    {AttrType::Persistent, {"persistent", AttrKind::U8}},
    {AttrType::Durable, {"durable", AttrKind::U8}},
    {AttrType::NetnsPid, {"netns-pid", AttrKind::U32}},
    {AttrType::NetnsPath, {"netns-path", AttrKind::String, 1, 255}},
    {AttrType::Netns, {"netns", AttrKind::String, 0, 255}},
    {AttrType::EventKinds, {"event-kinds", AttrKind::U32, 0, 0, R::EventMask}},
    {AttrType::EventKind, {"event-kind", AttrKind::U32}},
    {AttrType::EventSeq, {"event-seq", AttrKind::U64}},
    {AttrType::OldName, {"old-name", AttrKind::String, 1, kIfNameMax}},
    {AttrType::OldFlags, {"old-flags", AttrKind::U32}},
    {AttrType::OldMtu, {"old-mtu", AttrKind::U32}},
    {AttrType::TimeoutMs, {"timeout-ms", AttrKind::U32}},
    {AttrType::Step, {"step", AttrKind::Bytes, kHeaderSize, 65000}},
    {AttrType::StepIndex, {"step-index", AttrKind::U32}},
    {AttrType::BatchContinues, {"batch-continues", AttrKind::U8}},
    {AttrType::KeepInet6, {"keep-inet6", AttrKind::U8}},
    {AttrType::Description, {"description", AttrKind::String, 0, 255}},
    {AttrType::IfGroup, {"if-group", AttrKind::String, 1, kIfNameMax}},
    {AttrType::NoDad, {"no-dad", AttrKind::U8, 0, 0, R::Switch}},
    {AttrType::AutoLinklocal, {"auto-linklocal", AttrKind::U8, 0, 0, R::Switch}},
    {AttrType::EventDetail, {"event-detail", AttrKind::String, 0, 1024}},
    {AttrType::Snapshot, {"snapshot", AttrKind::U8, 0, 0, R::Switch}},
};

constexpr std::array<AttrSpec, kMaxAttr + 1> make_attr_table() {
    std::array<AttrSpec, kMaxAttr + 1> t{};
    for (const auto& row : kAttrRows) t[static_cast<uint16_t>(row.type)] = row.spec;
    return t;
}
constexpr auto kAttrs = make_attr_table();

// An attribute an operation takes, and the rule this operation adds to its value.
struct AttrUse {
    AttrType type;
    Presence presence;
    ValueRule rule = ValueRule::Any;
};

struct OpRow {
    Op op;
    std::string_view name;
    bool needs_target;
    bool changes;
    std::initializer_list<AttrUse> attrs;
    std::initializer_list<AttrGroup> groups = {};
};

using P = Presence;
using G = AttrGroup::Rule;

// The operation table: what each request carries. Name/Index are handled by
// needs_target and are allowed on every targeted operation.
const OpRow kOpRows[] = {
    {Op::Hello, "hello", false, false,
     {{AttrType::Version, P::Required}, {AttrType::Software, P::Optional}, {AttrType::Snapshot, P::Optional}}},
    {Op::List, "list", false, false, {{AttrType::Brief, P::Optional}}},
    {Op::Get, "get", true, false, {{AttrType::Brief, P::Optional}}},
    {Op::Create, "create", false, true,
     {{AttrType::NewName, P::Required}, {AttrType::Queues, P::Optional}, {AttrType::Owner, P::Optional},
      {AttrType::Group, P::Optional}, {AttrType::VnetHdr, P::Optional}, {AttrType::UniqueId, P::Optional},
      {AttrType::UniqueFamily, P::Optional}, {AttrType::Persistent, P::Optional}},
     {{G::Together, AttrType::UniqueId, AttrType::UniqueFamily}}},
    {Op::Destroy, "destroy", true, true, {}},
    {Op::SetFlags, "set-flags", true, true,
     {{AttrType::Flags, P::Required}, {AttrType::FlagsMask, P::Required}, {AttrType::KeepInet6, P::Optional}}},
    {Op::SetMtu, "set-mtu", true, true, {{AttrType::Mtu, P::Required}}},
    {Op::SetMetric, "set-metric", true, true, {{AttrType::Metric, P::Required}}},
    {Op::SetLladdr, "set-lladdr", true, true, {{AttrType::Lladdr, P::Required}, {AttrType::HwType, P::Optional}}},
    {Op::SetTxqlen, "set-txqlen", true, true, {{AttrType::Txqlen, P::Required}}},
    {Op::AddrAdd, "addr-add", true, true, {{AttrType::Address, P::Required}}},
    {Op::AddrDel, "addr-del", true, true, {{AttrType::Address, P::Required}, {AttrType::Cascade, P::Optional}}},
    {Op::AddrReplace, "addr-replace", true, true,
     {{AttrType::OldAddress, P::Required}, {AttrType::Address, P::Required}, {AttrType::Cascade, P::Optional}}},
    {Op::Rename, "rename", true, true, {{AttrType::NewName, P::Required}, {AttrType::LiveRename, P::Optional}}},
    {Op::MultiAdd, "multi-add", true, true,
     {{AttrType::Lladdr, P::Required, R::Ethernet}, {AttrType::PerClient, P::Optional}}},
    {Op::MultiDel, "multi-del", true, true,
     {{AttrType::Lladdr, P::Required, R::Ethernet}, {AttrType::PerClient, P::Optional}}},
    {Op::OpenQueue, "open-queue", true, true, {}},
    {Op::SetOwner, "set-owner", true, true, {{AttrType::Owner, P::Required}}},
    {Op::FlagRef, "flag-ref", true, true, {{AttrType::RefFlag, P::Required}, {AttrType::RefOn, P::Required}}},
    {Op::SetCaps, "set-caps", true, true, {{AttrType::CapsEnabled, P::Required}}},
    {Op::Detach, "detach", true, true, {}},
    {Op::Forget, "forget", false, true, {{AttrType::UniqueId, P::Required}, {AttrType::UniqueFamily, P::Required}}},
    {Op::Reload, "reload", false, true, {}},
    {Op::SetPersistent, "set-persistent", true, true, {{AttrType::Persistent, P::Required}}},
    {Op::MoveNetns, "move-netns", true, true, {{AttrType::NetnsPid, P::Optional}, {AttrType::NetnsPath, P::Optional}},
     {{G::ExactlyOne, AttrType::NetnsPid, AttrType::NetnsPath}}},
    // Subscribe names its interface optionally, so it is not a targeted operation.
    {Op::Subscribe, "subscribe", false, false,
     {{AttrType::Name, P::Optional}, {AttrType::Index, P::Optional}, {AttrType::EventKinds, P::Optional}},
     {{G::AtMostOne, AttrType::Name, AttrType::Index}}},
    {Op::WaitReady, "wait-ready", true, false, {{AttrType::TimeoutMs, P::Optional}}},
    {Op::Batch, "batch", false, true, {{AttrType::Step, P::Repeated}, {AttrType::BatchContinues, P::Optional}}},
    {Op::SetDescription, "set-description", true, true, {{AttrType::Description, P::Required}}},
    {Op::GroupAdd, "group-add", true, true, {{AttrType::IfGroup, P::Required}}},
    {Op::GroupDel, "group-del", true, true, {{AttrType::IfGroup, P::Required}}},
    {Op::SetInet6, "set-inet6", true, true, {{AttrType::NoDad, P::Optional}, {AttrType::AutoLinklocal, P::Optional}},
     {{G::AtLeastOne, AttrType::NoDad, AttrType::AutoLinklocal}}},
    {Op::Snapshot, "snapshot", false, false, {}},
    // The name is looked for among the TAPs moved away, not in the daemon's namespace.
    {Op::MoveHome, "move-home", false, true, {{AttrType::Name, P::Required}}},
};

struct OpTable {
    std::array<OpSpec, kMaxOp + 1> specs{};
    OpTable() {
        for (const auto& row : kOpRows) {
            OpSpec& s = specs[static_cast<uint16_t>(row.op)];
            s.name = row.name;
            s.needs_target = row.needs_target;
            s.changes = row.changes;
            for (const AttrUse& use : row.attrs) {
                s.attrs[wire_type(use.type)] = use.presence;
                s.rules[wire_type(use.type)] = use.rule;
            }
            s.groups.assign(row.groups.begin(), row.groups.end());
            // Any change may ask to be answered only once all of it is on disk.
            if (row.changes) s.attrs[wire_type(AttrType::Durable)] = P::Optional;
            if (row.needs_target) {
                s.attrs[wire_type(AttrType::Name)] = P::Optional;
                s.attrs[wire_type(AttrType::Index)] = P::Optional;
                s.groups.insert(s.groups.begin(), {G::ExactlyOne, AttrType::Name, AttrType::Index});  // checked first
            }
            for (uint16_t t = 0; t <= kMaxAttr; ++t)
                if (s.rules[t] == R::Any) s.rules[t] = kAttrs[t].rule;
        }
    }
};
const OpTable& op_table() {
    static const OpTable t;
    return t;
}

// Which children an Address may hold.
bool allowed_in_address(uint16_t t) {
    switch (static_cast<AttrType>(t)) {
        case AttrType::AddrFamily: case AttrType::AddrLocal: case AttrType::AddrPrefix: case AttrType::AddrBroadcast:
        case AttrType::AddrPeer: case AttrType::AddrLabel: case AttrType::AddrFlags:
            return true;
        default:
            return false;
    }
}

Error check_address(const Attr& a) {
    std::vector<Attr> kids;
    if (Error e = validate_nested(a, kids)) return e;
    std::optional<uint8_t> family, prefix;
    size_t local_len = 0, peer_len = 0;
    bool broadcast = false;
    uint64_t seen = 0;  // only address children (22..28) get here
    for (const Attr& k : kids) {
        if (!allowed_in_address(k.type))
            return {EINVAL, "attribute " + std::string(attr_spec(k.type)->name) + " is not allowed in an address"};
        if (seen & (uint64_t{1} << k.type))
            return {EINVAL, "attribute " + std::string(attr_spec(k.type)->name) + " appears twice in an address"};
        seen |= uint64_t{1} << k.type;
        switch (static_cast<AttrType>(k.type)) {
            case AttrType::AddrFamily: family = k.as_u8(); break;
            case AttrType::AddrPrefix: prefix = k.as_u8(); break;
            case AttrType::AddrLocal: local_len = k.payload.size(); break;
            case AttrType::AddrPeer: peer_len = k.payload.size(); break;
            case AttrType::AddrBroadcast: broadcast = true; break;
            default: break;
        }
    }
    if (!family) return {EINVAL, "address without a family"};
    const size_t want = *family == 2 ? 4 : *family == 10 ? 16 : 0;  // AF_INET, AF_INET6
    if (!want) return {EAFNOSUPPORT, "address family " + std::to_string(*family) + " is not inet or inet6"};
    if (local_len != want) return {EINVAL, "address length does not match its family"};
    if (peer_len && peer_len != want) return {EINVAL, "peer address length does not match its family"};
    if (broadcast && want != 4) return {EINVAL, "only inet addresses have a broadcast address"};
    if (!prefix) return {EINVAL, "address without a prefix length"};
    if (*prefix > want * 8) return {EINVAL, "prefix length " + std::to_string(*prefix) + " is out of range"};
    return {};
}

std::string hex(uint32_t v) {
    char b[12];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

// What a kind and a length cannot say about one value (ValueRule).
Error check_rule(ValueRule rule, const AttrSpec& s, const Attr& a) {
    const std::string name(s.name);  // only attributes with a rule get here
    switch (rule) {
        case R::Any: return {};
        case R::Switch:
            if (a.as_u8() > 1) return {EINVAL, "attribute " + name + " must be 0 or 1"};
            return {};
        case R::NewIfName:
            if (std::string_view why = new_ifname_problem(a.as_str()); !why.empty())
                return {EINVAL, name + " \"" + std::string(a.as_str()) + "\": " + std::string(why)};
            return {};
        case R::QueueCount:
            if (a.as_u32() < 1 || a.as_u32() > kMaxTapQueues)
                return {EINVAL, "attribute " + name + " must be 1.." + std::to_string(kMaxTapQueues) + ", not " +
                                    std::to_string(a.as_u32())};
            return {};
        case R::FlagReference:
            if (a.as_u32() != kIffPromisc && a.as_u32() != kIffAllmulti)
                return {EINVAL, "a flag reference is for IFF_PROMISC (0x100) or IFF_ALLMULTI (0x200), not " +
                                    hex(a.as_u32())};
            return {};
        case R::EventMask:
            if (!a.as_u32() || (a.as_u32() & ~kAllEvents))
                return {EINVAL, name + " must be a non-empty set of known kinds (mask " + hex(kAllEvents) + ")"};
            return {};
        case R::NotZero:
            if (a.as_u64() == 0) return {EINVAL, "attribute " + name + " cannot be 0, which means \"none\""};
            return {};
        case R::Ethernet:
            if (a.payload.size() != 6)
                return {EINVAL, "attribute " + name + " must be 6 bytes (an Ethernet address) in this request, not " +
                                    std::to_string(a.payload.size())};
            return {};
    }
    return {};
}

Error check_group(const OpSpec& op, const AttrGroup& g, const Request& r) {
    const bool first = r.has(g.first), second = r.has(g.second);
    bool ok = true;
    switch (g.rule) {
        case G::ExactlyOne: ok = first != second; break;
        case G::AtMostOne: ok = !(first && second); break;
        case G::AtLeastOne: ok = first || second; break;
        case G::Together: ok = first == second; break;
    }
    if (ok) return {};  // the message only for a refusal: this runs for every request
    const std::string a(attr_spec(wire_type(g.first))->name), b(attr_spec(wire_type(g.second))->name);
    const std::string opname(op.name);
    switch (g.rule) {
        case G::ExactlyOne: return {EINVAL, opname + " needs exactly one of " + a + " or " + b};
        case G::AtMostOne: return {EINVAL, opname + " takes " + a + " or " + b + ", not both"};
        case G::AtLeastOne: return {EINVAL, opname + " needs " + a + " or " + b};
        case G::Together: return {EINVAL, opname + " takes " + a + " and " + b + " together, or neither"};
    }
    return {};
}

// What the kinds cannot say: which values an attribute may take here, and
// which attributes go together. Checked before any handler runs.
Error check_values(const OpSpec& op, const Request& r) {
    for (const AttrGroup& g : op.groups)
        if (Error e = check_group(op, g, r)) return e;
    for (uint16_t t = 1; t <= kMaxAttr; ++t)
        if (op.rules[t] != R::Any && r.attrs[t])
            if (Error e = check_rule(op.rules[t], kAttrs[t], *r.attrs[t])) return e;
    return {};
}

}  // namespace

const AttrSpec* attr_spec(uint16_t type) {
    if (type > kMaxAttr || kAttrs[type].name.empty()) return nullptr;
    return &kAttrs[type];
}

const OpSpec* op_spec(uint16_t op) {
    if (op > kMaxOp || op_table().specs[op].name.empty()) return nullptr;
    return &op_table().specs[op];
}

std::string_view op_name(uint16_t op) {
    const OpSpec* s = op_spec(op);
    return s ? s->name : std::string_view{"unknown"};
}

bool attr_fits(const AttrSpec& s, const Attr& a) {
    const size_t n = a.payload.size();
    const uint8_t* p = a.payload.data();
    switch (s.kind) {
        case AttrKind::U8: return n == 1;
        case AttrKind::U32: case AttrKind::S32: return n == 4;
        case AttrKind::U64: return n == 8;
        case AttrKind::String:
            return n > 0 && p[n - 1] == 0 && !std::memchr(p, 0, n - 1) && n - 1 >= s.min_len && n - 1 <= s.max_len;
        case AttrKind::Bytes: return n >= s.min_len && n <= s.max_len;
        case AttrKind::Nested: return true;
    }
    return false;
}

Error check_attr(const Attr& a) {
    const AttrSpec* s = attr_spec(a.type);
    if (!s) return {EINVAL, "unknown attribute type " + std::to_string(a.type)};
    if (attr_fits(*s, a)) return {};
    // Why not, in words.
    const size_t n = a.payload.size();
    auto bad_size = [&](size_t want) {
        return Error{EINVAL, "attribute " + std::string(s->name) + " must be " + std::to_string(want) +
                                 " bytes, not " + std::to_string(n)};
    };
    switch (s->kind) {
        case AttrKind::U8: if (n != 1) return bad_size(1); break;
        case AttrKind::U32: case AttrKind::S32: if (n != 4) return bad_size(4); break;
        case AttrKind::U64: if (n != 8) return bad_size(8); break;
        case AttrKind::String: {
            if (n == 0 || a.payload[n - 1] != 0)
                return {EINVAL, "attribute " + std::string(s->name) + " is not a NUL-terminated string"};
            for (size_t i = 0; i + 1 < n; ++i)
                if (a.payload[i] == 0) return {EINVAL, "attribute " + std::string(s->name) + " has an embedded NUL"};
            if (n - 1 < s->min_len || n - 1 > s->max_len)
                return {EINVAL, "attribute " + std::string(s->name) + " must be " + std::to_string(s->min_len) + ".." +
                                    std::to_string(s->max_len) + " characters"};
            break;
        }
        case AttrKind::Bytes:
            if (n < s->min_len || n > s->max_len)
                return {EINVAL, "attribute " + std::string(s->name) + " must be " + std::to_string(s->min_len) + ".." +
                                    std::to_string(s->max_len) + " bytes"};
            break;
        case AttrKind::Nested: break;
    }
    return {};
}

Error validate_nested(const Attr& outer, std::vector<Attr>& children) {
    AttrIter it(outer.payload);
    Attr a;
    while (it.next(a)) {
        if (Error e = check_attr(a)) return e;
        children.push_back(a);
    }
    return it.error();
}

Error validate_request(std::span<const uint8_t> frame, Request& req) {
    if (Error e = parse_header(frame, req.header, false)) return e;
    const OpSpec* spec = op_spec(req.header.op);
    if (!spec) return {EOPNOTSUPP, "unknown operation " + std::to_string(req.header.op)};

    AttrIter it(frame.subspan(kHeaderSize));
    Attr a;
    while (it.next(a)) {
        if (Error e = check_attr(a)) return e;
        const Presence p = spec->attrs[a.type];
        if (p == Presence::Forbidden)
            return {EINVAL, "attribute " + std::string(attr_spec(a.type)->name) + " is not allowed in " +
                                std::string(spec->name)};
        auto& slot = req.attrs[a.type];
        if (slot && p != Presence::Repeated)
            return {EINVAL, "attribute " + std::string(attr_spec(a.type)->name) + " appears twice"};
        if (!slot) slot = a;
        if (p == Presence::Repeated) req.repeated.push_back(a);
        if (a.type == wire_type(AttrType::Address) || a.type == wire_type(AttrType::OldAddress))
            if (Error e = check_address(a)) return e;
    }
    if (it.error()) return it.error();

    for (uint16_t t = 1; t <= kMaxAttr; ++t)
        if (spec->attrs[t] == Presence::Required && !req.attrs[t])
            return {EINVAL, std::string(spec->name) + " needs attribute " + std::string(attr_spec(t)->name)};
    return check_values(*spec, req);
}

}  // namespace ifctl::proto
