#include "policy.hpp"

#include <fnmatch.h>
#include <linux/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "daemon/core/registry.hpp"

namespace ifctl::daemon {

using proto::A;
using proto::Op;

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

bool within(const proto::Address& a, const Prefix& p) {
    if (a.family != p.family || a.prefix < p.len) return false;
    for (unsigned i = 0; i < p.len; i += 8) {
        const unsigned take = std::min(8u, p.len - i);
        const uint8_t mask = static_cast<uint8_t>(0xff << (8 - take));
        if ((a.local[i / 8] & mask) != (p.addr[i / 8] & mask)) return false;
    }
    return true;
}

Decision check_perm(const Grant& g, Perm p, const std::string& target) {
    if (g.perms & bit(p)) return {0, {}, g.label};
    return refuse(g, g.label + " does not allow \"" + perm_name(p) + "\" on owned interfaces (" + target +
                         "); add \"" + perm_name(p) + "\" to its operations to allow it");
}

Decision check_address(const Grant& g, const proto::Request& req, A which, const std::string& target) {
    if (Decision d = check_perm(g, Perm::Address, target); d.error) return d;
    if (g.prefixes.empty()) return {0, {}, g.label};
    proto::Address a;
    proto::decode_address(req.get(which), a);  // validated with the request
    for (const Prefix& p : g.prefixes)
        if (within(a, p)) return {0, {}, g.label};
    std::string allowed;
    for (const Prefix& p : g.prefixes) allowed += (allowed.empty() ? "" : ", ") + p.text;
    return refuse(g, proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix) +
                         " is outside the prefixes " + g.label + " allows (" + allowed +
                         "); add a prefix that contains it to its address_prefixes to allow it");
}

Decision check_flags(const Grant& g, const Subject& s) {
    const uint32_t mask = s.req.get(A::FlagsMask).as_u32();
    const uint32_t now = s.kernel ? s.kernel->flags : 0;
    // Only the bits that would change need a permission: ifconfig writes all of them back.
    const uint32_t changed = (s.req.get(A::Flags).as_u32() ^ now) & mask;
    if (changed & IFF_PROMISC)
        if (Decision d = check_perm(g, Perm::Promisc, s.target_name); d.error) return d;
    if (changed & IFF_ALLMULTI)
        if (Decision d = check_perm(g, Perm::Multicast, s.target_name); d.error) return d;
    if (changed & ~uint32_t{IFF_PROMISC | IFF_ALLMULTI}) return check_perm(g, Perm::Flags, s.target_name);
    return {0, {}, g.label};
}

Decision check_create(const Grant& g, const Peer& peer, const Subject& s) {
    const proto::Request& req = s.req;
    if (!g.create)
        return refuse(g, g.label + " does not let " + who(peer) + " create interfaces; a [[policy.rule]] naming this "
                                   "user or one of its groups with create = true would (ifctl.conf(5))");
    if (req.has(A::Owner) && req.get(A::Owner).as_u32() != peer.uid)
        return refuse(g, "only root may create an interface for another user");
    if (req.has(A::Group) && !peer.in_group(req.get(A::Group).as_u32()))
        return refuse(g, "gid " + std::to_string(req.get(A::Group).as_u32()) + " is not a group of " + who(peer) +
                             "; only root may give a TAP to a group its creator is not in");
    if (!matches_any(g.names, s.target_name))
        return refuse(g, "\"" + s.target_name + "\" does not match the names " + g.label + " allows (" +
                             joined(g.names) + "); add a pattern that matches it to its names to allow it");
    const uint32_t queues = req.has(A::Queues) ? req.get(A::Queues).as_u32() : 1;
    if (g.max_queues && queues > g.max_queues)
        return refuse(g, g.label + " allows at most " + std::to_string(g.max_queues) + " queue(s) per interface, not " +
                             std::to_string(queues) + "; raise its max_queues to allow more");
    if (req.has(A::VnetHdr) && req.get(A::VnetHdr).as_u8() && !g.vnet_hdr)
        return refuse(g, g.label + " does not allow vnet_hdr; set vnet_hdr = true in it to allow it");
    if (s.owned >= g.max_interfaces)
        return refuse(g, who(peer) + " owns " + std::to_string(s.owned) + " interface(s), the most " + g.label +
                             " allows (max_interfaces = " + std::to_string(g.max_interfaces) +
                             "); destroy one or raise max_interfaces");
    return {0, {}, g.label};
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

Decision authorize(const Policy& policy, const Peer& peer, const Subject& s) {
    const Op op = s.req.op();
    const proto::OpSpec* spec = proto::op_spec(static_cast<uint16_t>(op));
    if (!spec->changes) return {};
    if (peer.is_root()) return {0, {}, "root"};
    const Grant& g = policy.grant_for(peer);
    switch (op) {
        case Op::Create: return check_create(g, peer, s);
        case Op::SetOwner: return refuse(g, "only root may change who owns " + s.target_name);
        case Op::Reload: return refuse(g, "only root may reload ifctld's configuration");
        default: break;
    }
    if (!spec->needs_target)  // nothing to own: a daemon-wide change
        return refuse(g, "no policy permission covers " + std::string(spec->name) + "; only root may do it");
    if (!s.target || s.target->owner != peer.uid) {
        const std::string owner = s.target ? "uid " + std::to_string(s.target->owner) : "nobody";
        if (op == Op::OpenQueue)
            return refuse(g, s.target_name + " is owned by " + owner + "; only its owner or root may open its queues",
                          EACCES);
        return refuse(g, s.target_name + " is owned by " + owner + "; only its owner or root may change it");
    }
    switch (op) {
        case Op::Destroy: return check_perm(g, Perm::Destroy, s.target_name);
        case Op::SetFlags: return check_flags(g, s);
        case Op::SetMtu: {
            if (Decision d = check_perm(g, Perm::Mtu, s.target_name); d.error) return d;
            const uint32_t mtu = s.req.get(A::Mtu).as_u32();
            if (mtu >= g.mtu_min && mtu <= g.mtu_max) return {0, {}, g.label};
            return refuse(g, "MTU " + std::to_string(mtu) + " is outside " + std::to_string(g.mtu_min) + ".." +
                                 std::to_string(g.mtu_max) + ", the range " + g.label +
                                 " allows; widen its mtu range to allow it");
        }
        case Op::SetMetric: return check_perm(g, Perm::Metric, s.target_name);
        case Op::SetLladdr: return check_perm(g, Perm::Lladdr, s.target_name);
        case Op::SetTxqlen: return check_perm(g, Perm::Txqlen, s.target_name);
        case Op::AddrAdd: return check_address(g, s.req, A::Address, s.target_name);
        case Op::AddrReplace: return check_address(g, s.req, A::Address, s.target_name);
        case Op::AddrDel: return check_perm(g, Perm::Address, s.target_name);
        case Op::Rename: {
            if (Decision d = check_perm(g, Perm::Rename, s.target_name); d.error) return d;
            const std::string to(s.req.get(A::NewName).as_str());
            if (matches_any(g.rename_to, to)) return {0, {}, g.label};
            return refuse(g, "\"" + to + "\" does not match the names " + g.label + " allows renaming to (" +
                                 joined(g.rename_to) + "); add a pattern that matches it to its rename_to");
        }
        case Op::MultiAdd:
        case Op::MultiDel: return check_perm(g, Perm::Multicast, s.target_name);
        case Op::OpenQueue: return check_perm(g, Perm::Queue, s.target_name);
        case Op::FlagRef: {
            // Dropping a reference only ever undoes what this client did.
            if (!s.req.get(A::RefOn).as_u8()) return {0, {}, g.label};
            const bool promisc = s.req.get(A::RefFlag).as_u32() == IFF_PROMISC;
            return check_perm(g, promisc ? Perm::Promisc : Perm::Multicast, s.target_name);
        }
        // Offloads are interface features like the flags word: the same permission.
        case Op::SetCaps: return check_perm(g, Perm::Flags, s.target_name);
        // Detach takes the interface out of the system, as destroy does.
        case Op::Detach: return check_perm(g, Perm::Destroy, s.target_name);
        default:
            // An operation this policy has no permission for yet: root's alone.
            return refuse(g, "no policy permission covers " + std::string(spec->name) + " yet; only root may do it");
    }
}

}  // namespace ifctl::daemon
