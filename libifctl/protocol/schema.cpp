#include "schema.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace ifctl::proto {
namespace {

using K = AttrKind;

constexpr uint16_t kIfNameMax = 15;  // IFNAMSIZ - 1
constexpr uint32_t kIffPromisc = 0x100, kIffAllmulti = 0x200;  // Linux IFF_PROMISC, IFF_ALLMULTI
static_assert(static_cast<uint16_t>(A::AddrFlags) < 64, "check_address tracks address children in a 64-bit mask");

struct AttrRow {
    A type;
    AttrSpec spec;
};

// The attribute table: one row per attribute type.
constexpr AttrRow kAttrRows[] = {
    {A::Version, {"version", K::U32}},
    {A::Software, {"software", K::String, 0, 255}},
    {A::Name, {"name", K::String, 1, kIfNameMax}},
    {A::Index, {"index", K::U32}},
    {A::NewName, {"new-name", K::String, 1, kIfNameMax}},
    {A::Flags, {"flags", K::U32}},
    {A::FlagsMask, {"flags-mask", K::U32}},
    {A::Mtu, {"mtu", K::U32}},
    {A::Metric, {"metric", K::S32}},
    {A::Lladdr, {"lladdr", K::Bytes, 0, 32}},
    {A::Address, {"address", K::Nested}},
    {A::OldAddress, {"old-address", K::Nested}},
    {A::Interface, {"interface", K::Nested}},
    {A::Message, {"message", K::String, 0, 1024}},
    {A::Owner, {"owner", K::U32}},
    {A::Txqlen, {"txqlen", K::U32}},
    {A::Queues, {"queues", K::U32}},
    {A::HwType, {"hw-type", K::U32}},
    {A::Managed, {"managed", K::U8}},
    {A::Unmanaged, {"unmanaged", K::U8}},
    {A::MaxFrame, {"max-frame", K::U32}},
    {A::AddrFamily, {"family", K::U8}},
    {A::AddrLocal, {"local", K::Bytes, 4, 16}},
    {A::AddrPrefix, {"prefix", K::U8}},
    {A::AddrBroadcast, {"broadcast", K::Bytes, 4, 4}},
    {A::AddrPeer, {"peer", K::Bytes, 4, 16}},
    {A::AddrLabel, {"label", K::String, 1, kIfNameMax}},
    {A::AddrFlags, {"addr-flags", K::U32}},
    {A::Stats, {"stats", K::Nested}},
    {A::StatRxPackets, {"rx-packets", K::U64}},
    {A::StatTxPackets, {"tx-packets", K::U64}},
    {A::StatRxBytes, {"rx-bytes", K::U64}},
    {A::StatTxBytes, {"tx-bytes", K::U64}},
    {A::StatRxErrors, {"rx-errors", K::U64}},
    {A::StatTxErrors, {"tx-errors", K::U64}},
    {A::StatRxDropped, {"rx-dropped", K::U64}},
    {A::StatTxDropped, {"tx-dropped", K::U64}},
    {A::StatMulticast, {"multicast", K::U64}},
    {A::StatCollisions, {"collisions", K::U64}},
    {A::Carrier, {"carrier", K::U8}},
    {A::OperState, {"operstate", K::U8}},
    {A::ChangeTime, {"change-time", K::U64}},
    {A::MultiAddr, {"multicast-address", K::Bytes, 6, 6}},
    {A::LinkKind, {"link-kind", K::String, 0, 31}},
    {A::UniqueId, {"unique-id", K::U64}},
    {A::MinMtu, {"min-mtu", K::U32}},
    {A::MaxMtu, {"max-mtu", K::U32}},
    {A::QueuesDetached, {"queues-detached", K::U32}},
    {A::MayChange, {"may-change", K::U8}},
    {A::Cascade, {"cascade", K::U8}},
    {A::Brief, {"brief", K::U8}},
    {A::Group, {"group", K::U32}},
    {A::VnetHdr, {"vnet-hdr", K::U8}},
    {A::RefFlag, {"ref-flag", K::U32}},
    {A::RefOn, {"ref-on", K::U8}},
    {A::PerClient, {"per-client", K::U8}},
    {A::CapsSupported, {"caps-supported", K::U32}},
    {A::CapsEnabled, {"caps-enabled", K::U32}},
    {A::LiveRename, {"live-rename", K::U8}},
    {A::UniqueFamily, {"unique-family", K::String, 1, kIfNameMax}},
    {A::PromiscRefs, {"promisc-refs", K::U32}},
    {A::AllmultiRefs, {"allmulti-refs", K::U32}},
    {A::Persistent, {"persistent", K::U8}},
    {A::Durable, {"durable", K::U8}},
    {A::NetnsPid, {"netns-pid", K::U32}},
    {A::NetnsPath, {"netns-path", K::String, 1, 255}},
    {A::Netns, {"netns", K::String, 0, 255}},
    {A::EventKinds, {"event-kinds", K::U32}},
    {A::EventKind, {"event-kind", K::U32}},
    {A::EventSeq, {"event-seq", K::U64}},
    {A::OldName, {"old-name", K::String, 1, kIfNameMax}},
    {A::OldFlags, {"old-flags", K::U32}},
    {A::OldMtu, {"old-mtu", K::U32}},
    {A::TimeoutMs, {"timeout-ms", K::U32}},
    {A::Step, {"step", K::Bytes, kHeaderSize, 65000}},
    {A::StepIndex, {"step-index", K::U32}},
    {A::BatchContinues, {"batch-continues", K::U8}},
    {A::KeepInet6, {"keep-inet6", K::U8}},
    {A::Description, {"description", K::String, 0, 255}},
    {A::IfGroup, {"if-group", K::String, 1, kIfNameMax}},
    {A::NoDad, {"no-dad", K::U8}},
    {A::AutoLinklocal, {"auto-linklocal", K::U8}},
    {A::EventDetail, {"event-detail", K::String, 0, 1024}},
    {A::Snapshot, {"snapshot", K::U8}},
};

constexpr std::array<AttrSpec, kMaxAttr + 1> make_attr_table() {
    std::array<AttrSpec, kMaxAttr + 1> t{};
    for (const auto& row : kAttrRows) t[static_cast<uint16_t>(row.type)] = row.spec;
    return t;
}
constexpr auto kAttrs = make_attr_table();

struct OpRow {
    Op op;
    std::string_view name;
    bool needs_target;
    bool changes;
    std::initializer_list<std::pair<A, Presence>> attrs;
};

using P = Presence;

// The operation table: what each request carries. Name/Index are handled by
// needs_target and are allowed on every targeted operation.
const OpRow kOpRows[] = {
    {Op::Hello, "hello", false, false,
     {{A::Version, P::Required}, {A::Software, P::Optional}, {A::Snapshot, P::Optional}}},
    {Op::List, "list", false, false, {{A::Brief, P::Optional}}},
    {Op::Get, "get", true, false, {{A::Brief, P::Optional}}},
    {Op::Create, "create", false, true,
     {{A::NewName, P::Required}, {A::Queues, P::Optional}, {A::Owner, P::Optional}, {A::Group, P::Optional},
      {A::VnetHdr, P::Optional}, {A::UniqueId, P::Optional}, {A::UniqueFamily, P::Optional},
      {A::Persistent, P::Optional}}},
    {Op::Destroy, "destroy", true, true, {}},
    {Op::SetFlags, "set-flags", true, true,
     {{A::Flags, P::Required}, {A::FlagsMask, P::Required}, {A::KeepInet6, P::Optional}}},
    {Op::SetMtu, "set-mtu", true, true, {{A::Mtu, P::Required}}},
    {Op::SetMetric, "set-metric", true, true, {{A::Metric, P::Required}}},
    {Op::SetLladdr, "set-lladdr", true, true, {{A::Lladdr, P::Required}, {A::HwType, P::Optional}}},
    {Op::SetTxqlen, "set-txqlen", true, true, {{A::Txqlen, P::Required}}},
    {Op::AddrAdd, "addr-add", true, true, {{A::Address, P::Required}}},
    {Op::AddrDel, "addr-del", true, true, {{A::Address, P::Required}, {A::Cascade, P::Optional}}},
    {Op::AddrReplace, "addr-replace", true, true,
     {{A::OldAddress, P::Required}, {A::Address, P::Required}, {A::Cascade, P::Optional}}},
    {Op::Rename, "rename", true, true, {{A::NewName, P::Required}, {A::LiveRename, P::Optional}}},
    {Op::MultiAdd, "multi-add", true, true, {{A::Lladdr, P::Required}, {A::PerClient, P::Optional}}},
    {Op::MultiDel, "multi-del", true, true, {{A::Lladdr, P::Required}, {A::PerClient, P::Optional}}},
    {Op::OpenQueue, "open-queue", true, true, {}},
    {Op::SetOwner, "set-owner", true, true, {{A::Owner, P::Required}}},
    {Op::FlagRef, "flag-ref", true, true, {{A::RefFlag, P::Required}, {A::RefOn, P::Required}}},
    {Op::SetCaps, "set-caps", true, true, {{A::CapsEnabled, P::Required}}},
    {Op::Detach, "detach", true, true, {}},
    {Op::Forget, "forget", false, true, {{A::UniqueId, P::Required}, {A::UniqueFamily, P::Required}}},
    {Op::Reload, "reload", false, true, {}},
    {Op::SetPersistent, "set-persistent", true, true, {{A::Persistent, P::Required}}},
    {Op::MoveNetns, "move-netns", true, true, {{A::NetnsPid, P::Optional}, {A::NetnsPath, P::Optional}}},
    // Subscribe names its interface optionally, so it is not a targeted operation.
    {Op::Subscribe, "subscribe", false, false,
     {{A::Name, P::Optional}, {A::Index, P::Optional}, {A::EventKinds, P::Optional}}},
    {Op::WaitReady, "wait-ready", true, false, {{A::TimeoutMs, P::Optional}}},
    {Op::Batch, "batch", false, true, {{A::Step, P::Repeated}, {A::BatchContinues, P::Optional}}},
    {Op::SetDescription, "set-description", true, true, {{A::Description, P::Required}}},
    {Op::GroupAdd, "group-add", true, true, {{A::IfGroup, P::Required}}},
    {Op::GroupDel, "group-del", true, true, {{A::IfGroup, P::Required}}},
    {Op::SetInet6, "set-inet6", true, true, {{A::NoDad, P::Optional}, {A::AutoLinklocal, P::Optional}}},
    {Op::Snapshot, "snapshot", false, false, {}},
    // The name is looked for among the TAPs moved away, not in the daemon's namespace.
    {Op::MoveHome, "move-home", false, true, {{A::Name, P::Required}}},
};

struct OpTable {
    std::array<OpSpec, kMaxOp + 1> specs{};
    OpTable() {
        for (const auto& row : kOpRows) {
            OpSpec& s = specs[static_cast<uint16_t>(row.op)];
            s.name = row.name;
            s.needs_target = row.needs_target;
            s.changes = row.changes;
            for (auto [a, p] : row.attrs) s.attrs[static_cast<uint16_t>(a)] = p;
            // Any change may ask to be answered only once all of it is on disk.
            if (row.changes) s.attrs[static_cast<uint16_t>(A::Durable)] = P::Optional;
            if (row.needs_target) {
                s.attrs[static_cast<uint16_t>(A::Name)] = P::Optional;
                s.attrs[static_cast<uint16_t>(A::Index)] = P::Optional;
            }
        }
    }
};
const OpTable& op_table() {
    static const OpTable t;
    return t;
}

// Which children an Address may hold.
bool allowed_in_address(uint16_t t) {
    switch (static_cast<A>(t)) {
        case A::AddrFamily: case A::AddrLocal: case A::AddrPrefix: case A::AddrBroadcast:
        case A::AddrPeer: case A::AddrLabel: case A::AddrFlags:
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
        switch (static_cast<A>(k.type)) {
            case A::AddrFamily: family = k.as_u8(); break;
            case A::AddrPrefix: prefix = k.as_u8(); break;
            case A::AddrLocal: local_len = k.payload.size(); break;
            case A::AddrPeer: peer_len = k.payload.size(); break;
            case A::AddrBroadcast: broadcast = true; break;
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

// What the kinds cannot say: which values a switch or a flag reference may take,
// and attributes that only make sense together. Checked before any handler runs.
Error check_values(const Request& r) {
    for (A sw : {A::RefOn, A::PerClient, A::LiveRename, A::NoDad, A::AutoLinklocal, A::Snapshot})
        if (r.has(sw) && r.get(sw).as_u8() > 1)
            return {EINVAL, "attribute " + std::string(attr_spec(static_cast<uint16_t>(sw))->name) + " must be 0 or 1"};
    if (r.has(A::RefFlag)) {
        const uint32_t f = r.get(A::RefFlag).as_u32();
        if (f != kIffPromisc && f != kIffAllmulti)
            return {EINVAL, "a flag reference is for IFF_PROMISC (0x100) or IFF_ALLMULTI (0x200), not 0x" +
                                [f] { char b[12]; std::snprintf(b, sizeof b, "%x", f); return std::string(b); }()};
    }
    if (r.op() == Op::SetInet6 && !r.has(A::NoDad) && !r.has(A::AutoLinklocal))
        return {EINVAL, "set-inet6 needs no-dad or auto-linklocal"};
    if (r.op() == Op::Create || r.op() == Op::Forget) {
        if (r.has(A::UniqueId) != r.has(A::UniqueFamily))
            return {EINVAL, "a unique id needs its family (unique-family) and a family needs an id"};
        if (r.has(A::UniqueId) && r.get(A::UniqueId).as_u64() == 0) return {EINVAL, "unique id 0 means \"none\""};
    }
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
        case K::U8: return n == 1;
        case K::U32: case K::S32: return n == 4;
        case K::U64: return n == 8;
        case K::String:
            return n > 0 && p[n - 1] == 0 && !std::memchr(p, 0, n - 1) && n - 1 >= s.min_len && n - 1 <= s.max_len;
        case K::Bytes: return n >= s.min_len && n <= s.max_len;
        case K::Nested: return true;
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
        case K::U8: if (n != 1) return bad_size(1); break;
        case K::U32: case K::S32: if (n != 4) return bad_size(4); break;
        case K::U64: if (n != 8) return bad_size(8); break;
        case K::String: {
            if (n == 0 || a.payload[n - 1] != 0)
                return {EINVAL, "attribute " + std::string(s->name) + " is not a NUL-terminated string"};
            for (size_t i = 0; i + 1 < n; ++i)
                if (a.payload[i] == 0) return {EINVAL, "attribute " + std::string(s->name) + " has an embedded NUL"};
            if (n - 1 < s->min_len || n - 1 > s->max_len)
                return {EINVAL, "attribute " + std::string(s->name) + " must be " + std::to_string(s->min_len) + ".." +
                                    std::to_string(s->max_len) + " characters"};
            break;
        }
        case K::Bytes:
            if (n < s->min_len || n > s->max_len)
                return {EINVAL, "attribute " + std::string(s->name) + " must be " + std::to_string(s->min_len) + ".." +
                                    std::to_string(s->max_len) + " bytes"};
            break;
        case K::Nested: break;
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
        if (a.type == static_cast<uint16_t>(A::Address) || a.type == static_cast<uint16_t>(A::OldAddress))
            if (Error e = check_address(a)) return e;
    }
    if (it.error()) return it.error();

    for (uint16_t t = 1; t <= kMaxAttr; ++t)
        if (spec->attrs[t] == Presence::Required && !req.attrs[t])
            return {EINVAL, std::string(spec->name) + " needs attribute " + std::string(attr_spec(t)->name)};
    if (spec->needs_target && req.has(A::Name) == req.has(A::Index))
        return {EINVAL, std::string(spec->name) + " needs exactly one of name or index"};
    return check_values(req);
}

}  // namespace ifctl::proto
