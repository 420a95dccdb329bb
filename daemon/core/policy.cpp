#include "policy.hpp"

#include <fnmatch.h>
#include <linux/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "daemon/core/operations.hpp"
#include "daemon/core/registry.hpp"

namespace ifctl::daemon {

using proto::AttrType;

namespace {

struct PermName {
    Perm perm;
    const char* name;
};
constexpr PermName kPermNames[] = {
    {Perm::Address, "address"}, {Perm::Mtu, "mtu"},         {Perm::Flags, "flags"},   {Perm::Lladdr, "lladdr"},
    {Perm::Rename, "rename"},   {Perm::Multicast, "multicast"}, {Perm::Promisc, "promisc"}, {Perm::Queue, "queue"},
    {Perm::Destroy, "destroy"}, {Perm::Metric, "metric"},   {Perm::Txqlen, "txqlen"},
};

uint32_t bit(Perm p) { return static_cast<uint32_t>(p); }

Decision refuse(const Grant& g, std::string message, int err = EPERM) { return {err, std::move(message), g.label}; }

std::string who(const Peer& p) { return "uid " + std::to_string(p.uid); }

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
    if (patterns.empty()) return true;
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return ::fnmatch(p.c_str(), name.c_str(), 0) == 0; });
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

// Whether the first `len` bits of `addr` are those of `p`.
bool same_bits(const uint8_t* addr, const Prefix& p) {
    for (unsigned i = 0; i < p.len; i += 8) {
        const unsigned take = std::min(8u, p.len - i);
        const uint8_t mask = static_cast<uint8_t>(0xff << (8 - take));
        if ((addr[i / 8] & mask) != (p.addr[i / 8] & mask)) return false;
    }
    return true;
}

// `addr`/`len` (the route it implies, or a single address with the family's
// full length) lies inside `p`.
bool within(uint8_t family, const uint8_t* addr, unsigned len, const Prefix& p) {
    return family == p.family && len >= p.len && same_bits(addr, p);
}

Decision check_perm(const Grant& g, Perm p, const std::string& target) {
    if (g.perms & bit(p)) return {0, {}, g.label};
    return refuse(g, g.label + " does not allow \"" + perm_name(p) + "\" on owned interfaces (" + target +
                         "); add \"" + perm_name(p) + "\" to its operations to allow it");
}

Decision allow(const Grant& g) { return {0, {}, g.label}; }

// ---- the judges of the values operations install (OpDescriptor::installs) ----

using Judge = Decision (*)(const Grant& g, const Peer& peer, const Subject& s);

Decision judge_owner(const Grant& g, const Peer& peer, const Subject& s) {
    if (s.req.has(AttrType::Owner) && s.req.get(AttrType::Owner).as_u32() != peer.uid)
        return refuse(g, "only root may create an interface for another user");
    return allow(g);
}

Decision judge_group(const Grant& g, const Peer& peer, const Subject& s) {
    if (s.req.has(AttrType::Group) && !peer.in_group(s.req.get(AttrType::Group).as_u32()))
        return refuse(g, "gid " + std::to_string(s.req.get(AttrType::Group).as_u32()) + " is not a group of " + who(peer) +
                             "; only root may give a TAP to a group its creator is not in");
    return allow(g);
}

Decision judge_create_name(const Grant& g, const Peer&, const Subject& s) {
    if (matches_any(g.names, s.target_name)) return allow(g);
    return refuse(g, "\"" + s.target_name + "\" does not match the names " + g.label + " allows (" + joined(g.names) +
                         "); add a pattern that matches it to its names to allow it");
}

Decision judge_queues(const Grant& g, const Peer&, const Subject& s) {
    const uint32_t queues = s.req.has(AttrType::Queues) ? s.req.get(AttrType::Queues).as_u32() : 1;
    if (!g.max_queues || queues <= g.max_queues) return allow(g);
    return refuse(g, g.label + " allows at most " + std::to_string(g.max_queues) + " queue(s) per interface, not " +
                         std::to_string(queues) + "; raise its max_queues to allow more");
}

Decision judge_vnet_hdr(const Grant& g, const Peer&, const Subject& s) {
    if (s.req.has(AttrType::VnetHdr) && s.req.get(AttrType::VnetHdr).as_u8() && !g.vnet_hdr)
        return refuse(g, g.label + " does not allow vnet_hdr; set vnet_hdr = true in it to allow it");
    return allow(g);
}

// Persistence outlives the owner's session and reboots. Giving it up is always allowed.
Decision judge_persistent(const Grant& g, const Peer&, const Subject& s) {
    if (s.req.has(AttrType::Persistent) && s.req.get(AttrType::Persistent).as_u8() && !g.persist)
        return refuse(g, g.label + " does not allow persistent interfaces; set persist = true in it to allow it");
    return allow(g);
}

Decision judge_new_name(const Grant& g, const Peer&, const Subject& s) {
    const std::string to = resolved_new_name(s);
    if (matches_any(g.rename_to, to)) return allow(g);
    return refuse(g, "\"" + to + "\" does not match the names " + g.label + " allows renaming to (" +
                         joined(g.rename_to) + "); add a pattern that matches it to its rename_to");
}

Decision judge_mtu(const Grant& g, const Peer&, const Subject& s) {
    const uint32_t mtu = s.req.get(AttrType::Mtu).as_u32();
    if (mtu >= g.mtu_min && mtu <= g.mtu_max) return allow(g);
    return refuse(g, "MTU " + std::to_string(mtu) + " is outside " + std::to_string(g.mtu_min) + ".." +
                         std::to_string(g.mtu_max) + ", the range " + g.label + " allows; widen its mtu range to allow it");
}

// Only the bits that would change need a permission: ifconfig writes all of them back.
Decision judge_flags(const Grant& g, const Peer&, const Subject& s) {
    const uint32_t mask = s.req.get(AttrType::FlagsMask).as_u32();
    const uint32_t now = s.record ? s.record->flags : 0;
    const uint32_t changed = (s.req.get(AttrType::Flags).as_u32() ^ now) & mask;
    if (changed & IFF_PROMISC)
        if (Decision d = check_perm(g, Perm::Promisc, s.target_name); d.error) return d;
    if (changed & IFF_ALLMULTI)
        if (Decision d = check_perm(g, Perm::Multicast, s.target_name); d.error) return d;
    if (changed & ~uint32_t{IFF_PROMISC | IFF_ALLMULTI}) return check_perm(g, Perm::Flags, s.target_name);
    return allow(g);
}

// Dropping a reference only ever undoes what this client did.
Decision judge_flag_ref(const Grant& g, const Peer&, const Subject& s) {
    if (!s.req.get(AttrType::RefOn).as_u8()) return allow(g);
    const bool promisc = s.req.get(AttrType::RefFlag).as_u32() == IFF_PROMISC;
    return check_perm(g, promisc ? Perm::Promisc : Perm::Multicast, s.target_name);
}

proto::Address address_of(const Subject& s) {
    proto::Address a;
    proto::decode_address(s.req.get(AttrType::Address), a);  // validated with the request
    return a;
}

// `addr`/`len` must lie inside one of the grant's prefixes; none: any address.
Decision judge_inside(const Grant& g, uint8_t family, const uint8_t* addr, unsigned len, const char* what) {
    if (g.prefixes.empty()) return allow(g);
    for (const Prefix& p : g.prefixes)
        if (within(family, addr, len, p)) return allow(g);
    std::string allowed;
    for (const Prefix& p : g.prefixes) allowed += (allowed.empty() ? "" : ", ") + p.text;
    return refuse(g, std::string(what) + proto::format_address(family, addr) + "/" + std::to_string(len) +
                         " is outside the prefixes " + g.label + " allows (" + allowed +
                         "); add a prefix that contains it to its address_prefixes to allow it");
}

// The local address with its prefix: the prefix route it implies when it has no peer.
Decision judge_address_local(const Grant& g, const Peer&, const Subject& s) {
    const proto::Address a = address_of(s);
    return judge_inside(g, a.family, a.local.data(), a.prefix, "");
}

// The peer with the prefix: the kernel routes peer/prefix into the interface.
Decision judge_address_peer(const Grant& g, const Peer&, const Subject& s) {
    const proto::Address a = address_of(s);
    if (!a.peer) return allow(g);
    return judge_inside(g, a.family, a.peer->data(), a.prefix, "peer ");
}

// The broadcast address, a host route of the local table.
Decision judge_address_broadcast(const Grant& g, const Peer&, const Subject& s) {
    const proto::Address a = address_of(s);
    if (!a.broadcast) return allow(g);
    return judge_inside(g, a.family, a.broadcast->data(), 32, "broadcast ");
}

// A label names the interface it is on: NAME, or NAME:N for an alias (what
// ifconfig shows). Any other text would show as an alias of another interface.
Decision judge_address_label(const Grant& g, const Peer&, const Subject& s) {
    const std::string label = address_of(s).label;
    const std::string& name = s.target_name;
    if (label.empty() || label == name) return allow(g);
    const bool alias = label.size() > name.size() + 1 && label.compare(0, name.size(), name) == 0 &&
                       label[name.size()] == ':' &&
                       std::all_of(label.begin() + static_cast<long>(name.size()) + 1, label.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
    if (alias) return allow(g);
    return refuse(g, "the label of an address of " + name + " must be " + name + " or " + name +
                         ":N (N a number), not \"" + label + "\"");
}

// By value, in judging order; null: the value is covered by the operation's
// permission alone (or, for create's unique id, by the create right).
struct ValueJudge {
    Value value;
    Judge judge;
};
constexpr ValueJudge kValueJudges[] = {
    {Value::Owner, judge_owner},
    {Value::Group, judge_group},
    {Value::CreateName, judge_create_name},
    {Value::Queues, judge_queues},
    {Value::VnetHdr, judge_vnet_hdr},
    {Value::Persistent, judge_persistent},
    {Value::UniqueId, nullptr},
    {Value::NewName, judge_new_name},
    {Value::Mtu, judge_mtu},
    {Value::Metric, nullptr},
    {Value::Lladdr, nullptr},
    {Value::MulticastGroup, nullptr},
    {Value::Txqlen, nullptr},
    {Value::Flags, judge_flags},
    {Value::FlagRef, judge_flag_ref},
    {Value::Offloads, nullptr},
    {Value::AddressLocal, judge_address_local},
    {Value::AddressPeer, judge_address_peer},
    {Value::AddressBroadcast, judge_address_broadcast},
    {Value::AddressLabel, judge_address_label},
    {Value::Netns, nullptr},
    {Value::Description, nullptr},
    {Value::InterfaceGroup, nullptr},
    {Value::Inet6Settings, nullptr},
};
static_assert(std::size(kValueJudges) == static_cast<size_t>(Value::Count));

constexpr bool judges_in_order() {
    for (size_t i = 0; i < std::size(kValueJudges); ++i)
        if (static_cast<size_t>(kValueJudges[i].value) != i) return false;
    return true;
}
static_assert(judges_in_order(), "kValueJudges is indexed by Value");

// A root-only operation's refusal: the descriptor's text, "{name}" the target.
std::string root_only(const OpDescriptor& op, const std::string& target) {
    std::string text(op.root_only);
    if (const auto at = text.find("{name}"); at != std::string::npos) text.replace(at, 6, target);
    return text;
}

// Whether the target is the peer's own; a refusal saying whose it is if not.
// The TAP's group (create's `group`) are queue holders too: its members may open
// queues through the daemon, and nothing else (docs/policy.md, "The kernel owner").
Decision check_owner(const Grant& g, const OpDescriptor& op, const Subject& s, const Peer& peer) {
    if (s.target && s.target->owner == peer.uid) return allow(g);
    const bool queues = op.access == Access::QueueHolder;
    if (queues && s.target && s.target->group && peer.in_group(*s.target->group)) return allow(g);
    const std::string owner = s.target ? "uid " + std::to_string(s.target->owner) : "nobody";
    if (queues)
        return refuse(g, s.target_name + " is owned by " + owner + "; only its owner, members of its group or root " +
                             "may open its queues",
                      EACCES);
    return refuse(g, s.target_name + " is owned by " + owner + "; only its owner or root may change it");
}

Decision check_access(const Grant& g, const OpDescriptor& op, const Peer& peer, const Subject& s) {
    switch (op.access) {
        case Access::Root: return refuse(g, root_only(op, s.target_name));
        case Access::Creator:
            if (g.create) return allow(g);
            return refuse(g, g.label + " does not let " + who(peer) + " create interfaces; a [[policy.rule]] naming "
                                       "this user or one of its groups with create = true would (ifctl.conf(5))");
        case Access::Owner:
        case Access::QueueHolder: return check_owner(g, op, s, peer);
        case Access::OwnerThenRoot:
            if (Decision d = check_owner(g, op, s, peer); d.error) return d;
            return refuse(g, root_only(op, s.target_name));
        case Access::Unset:
        case Access::Anyone: break;
    }
    return refuse(g, "no policy permission covers " + std::string(proto::op_name(static_cast<uint16_t>(op.op))) +
                         "; only root may do it");
}

Decision check_count(const Grant& g, const Peer& peer, const Subject& s) {
    if (s.owned < g.max_interfaces) return allow(g);
    return refuse(g, who(peer) + " owns " + std::to_string(s.owned) + " interface(s), the most " + g.label +
                         " allows (max_interfaces = " + std::to_string(g.max_interfaces) +
                         "); destroy one or raise max_interfaces");
}

}  // namespace

const char* perm_name(Perm p) {
    for (const PermName& n : kPermNames)
        if (n.perm == p) return n.name;
    return "?";
}

uint32_t perm_from_name(const std::string& name) {
    if (name == "all") return kAllPerms;
    for (const PermName& n : kPermNames)
        if (name == n.name) return bit(n.perm);
    return 0;
}

const Grant& Policy::grant_for(const Peer& peer) const {
    for (const Rule& r : rules) {
        if (std::find(r.users.begin(), r.users.end(), peer.uid) != r.users.end()) return r.grant;
        for (gid_t g : r.groups)
            if (peer.in_group(g)) return r.grant;
    }
    return defaults;
}

bool may_configure(const Peer& peer, const Managed* m) { return m && (peer.is_root() || m->owner == peer.uid); }

bool policy_judges(Value v) { return kValueJudges[static_cast<size_t>(v)].judge != nullptr; }

std::string resolved_new_name(const Subject& s) {
    return s.new_name.empty() ? std::string(s.req.get(AttrType::NewName).as_str()) : s.new_name;
}

std::string policy_source(const Policy& p) { return p.source.empty() ? "built-in" : p.source; }

// The operation's descriptor says who may ask, which permission an owner needs
// and which values it installs: each is judged in turn; the first refusal wins.
Decision authorize(const Policy& policy, const Peer& peer, const Subject& s) {
    const OpDescriptor* op = descriptor(s.req.op());
    if (!op || op->access == Access::Anyone) return {};
    if (peer.is_root()) return {0, {}, "root"};
    const Grant& g = policy.grant_for(peer);
    if (Decision d = check_access(g, *op, peer, s); d.error) return d;
    if (op->perm != Perm::None)
        if (Decision d = check_perm(g, op->perm, s.target_name); d.error) return d;
    for (const ValueJudge& v : kValueJudges)
        if (v.judge && installs(op->installs, v.value))
            if (Decision d = v.judge(g, peer, s); d.error) return d;
    if (op->access == Access::Creator) return check_count(g, peer, s);
    return allow(g);
}

}  // namespace ifctl::daemon
