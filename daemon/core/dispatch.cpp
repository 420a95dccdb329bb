#include "dispatch.hpp"

#include <linux/if.h>
#include <spdlog/spdlog.h>

#include <linux/if_addr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/core/handlers.hpp"
#include "daemon/core/policy.hpp"
#include "daemon/kernel/multicast.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

using proto::A;
using proto::Op;

using namespace detail;

namespace {

Reply ok() { return {}; }

Reply from_kernel(int rc, const std::string& what) {
    if (rc == 0) return ok();
    return Reply::error(-rc, what + ": " + std::strerror(-rc));
}

// Interface names the kernel accepts (dev_valid_name), plus one %d for patterns.
bool valid_name(const std::string& n, bool allow_pattern) {
    if (n.empty() || n.size() >= IFNAMSIZ || n == "." || n == "..") return false;
    for (char c : n)
        if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            return false;
    const auto pct = n.find('%');
    if (pct == std::string::npos) return true;
    return allow_pattern && n.compare(pct, 2, "%d") == 0 && n.find('%', pct + 1) == std::string::npos;
}

// The record as this client sees it: kernel facts, daemon facts, its own access.
proto::Interface view_for(Ctx& c, const proto::Interface& k) {
    proto::Interface v = c.registry.view(k);
    v.may_change = authorize(c.peer, Op::SetFlags, v.name, c.registry.find(k.index)).error == 0 && v.managed;
    return v;
}

Reply reply_with(Ctx& c, uint32_t index) {
    Reply r;
    if (const proto::Interface* k = c.kernel.find(index)) r.interfaces.push_back(view_for(c, *k));
    return r;
}

// ---- handlers: one per operation ------------------------------------------

bool brief(const Ctx& c) { return c.req.has(A::Brief) && c.req.get(A::Brief).as_u8(); }

Reply do_list(Ctx& c) {
    Reply r;
    r.brief = brief(c);
    for (const proto::Interface* k : c.kernel.all()) r.interfaces.push_back(view_for(c, *k));
    return r;
}

Reply do_get(Ctx& c) {
    Reply r;
    r.brief = brief(c);
    r.interfaces.push_back(view_for(c, *c.target.kernel));
    return r;
}

Reply do_create(Ctx& c) {
    const std::string name(c.req.get(A::NewName).as_str());
    if (!valid_name(name, true))
        return Reply::error(EINVAL, "\"" + name + "\" is not a valid interface name or pattern (at most 15 "
                                    "characters, no '/', ':' or white space, at most one %d)");
    const uint32_t queues = c.req.has(A::Queues) ? c.req.get(A::Queues).as_u32() : 1;
    if (queues < 1 || queues > c.limits.max_queues)
        return Reply::error(EINVAL, "queues must be 1.." + std::to_string(c.limits.max_queues));
    uint32_t owner = c.peer.uid;
    if (c.req.has(A::Owner)) {
        owner = c.req.get(A::Owner).as_u32();
        if (owner != c.peer.uid && !c.peer.is_root())
            return Reply::error(EPERM, "only root may create an interface for another user");
    }
    Managed m;
    const bool vnet_hdr = c.req.has(A::VnetHdr) && c.req.get(A::VnetHdr).as_u8();
    if (int rc = Tap::create(name, vnet_hdr, m.tap); rc < 0) {
        if (rc == -EEXIST || rc == -EBUSY) return Reply::error(EEXIST, "an interface named " + name + " already exists");
        return from_kernel(rc, "creating " + name);
    }
    c.kernel.poll_events();  // the new link's event is queued before TUNSETIFF returns
    const proto::Interface* k = c.kernel.find(m.tap.name());
    if (!k) return Reply::error(EIO, "created " + m.tap.name() + " but the kernel does not report it");
    m.owner = owner;
    m.max_queues = queues;
    // The owner (and the group, if given) may also attach to the TAP directly.
    if (owner != 0)
        if (int rc = m.tap.set_owner(owner); rc < 0) return from_kernel(rc, "setting the owner of " + m.tap.name());
    if (c.req.has(A::Group))
        if (int rc = m.tap.set_group(c.req.get(A::Group).as_u32()); rc < 0)
            return from_kernel(rc, "setting the group of " + m.tap.name());
    m.unique_id = c.registry.next_unique_id();
    const uint32_t index = k->index;
    if (c.limits.noqueue)
        if (int rc = c.kernel.set_root_noqueue(index); rc < 0)
            spdlog::warn("{}: could not set the noqueue qdisc (it keeps the kernel's default): {}", m.tap.name(),
                         std::strerror(-rc));
    spdlog::info("created {} (index {}) for uid {}", m.tap.name(), index, owner);
    c.registry.add(index, std::move(m));
    return reply_with(c, index);
}

Reply do_destroy(Ctx& c) {
    const uint32_t index = c.target.kernel->index;
    const std::string name = c.target.kernel->name;
    // Deleting the link detaches every queue, including those clients hold.
    if (int rc = c.kernel.delete_link(index); rc < 0 && rc != -ENODEV) return from_kernel(rc, "destroying " + name);
    c.registry.remove(index);
    return ok();
}

Reply do_set_flags(Ctx& c) {
    LinkChange ch;
    ch.flags = c.req.get(A::Flags).as_u32();
    ch.flags_mask = c.req.get(A::FlagsMask).as_u32();
    // Nothing selected, nothing changes (the kernel would read ifi_change 0 as "all bits").
    if (*ch.flags_mask == 0) return ok();
    return from_kernel(c.kernel.change_link(c.target.kernel->index, ch), "setting flags of " + c.target.name);
}

Reply do_set_mtu(Ctx& c) {
    LinkChange ch;
    ch.mtu = c.req.get(A::Mtu).as_u32();
    const proto::Interface& k = *c.target.kernel;
    Reply r = from_kernel(c.kernel.change_link(k.index, ch), "setting MTU " + std::to_string(*ch.mtu) + " on " + c.target.name);
    if (r.status == EINVAL && k.max_mtu)
        r.message += " (this interface accepts " + std::to_string(k.min_mtu) + ".." + std::to_string(k.max_mtu) + ")";
    return r;
}

Reply do_set_metric(Ctx& c) {
    c.target.managed->metric = c.req.get(A::Metric).as_s32();
    return ok();
}

Reply do_set_lladdr(Ctx& c) {
    const auto& p = c.req.get(A::Lladdr).payload;
    LinkChange ch;
    ch.lladdr = std::vector<uint8_t>(p.begin(), p.end());
    return from_kernel(c.kernel.change_link(c.target.kernel->index, ch), "setting the link address of " + c.target.name);
}

Reply do_set_txqlen(Ctx& c) {
    LinkChange ch;
    ch.txqlen = c.req.get(A::Txqlen).as_u32();
    return from_kernel(c.kernel.change_link(c.target.kernel->index, ch), "setting txqueuelen of " + c.target.name);
}

proto::Address address_attr(const Ctx& c, A which) {
    proto::Address a;
    proto::decode_address(c.req.get(which), a);  // validated with the request
    return a;
}

bool cascade(const Ctx& c) { return c.req.has(A::Cascade) && c.req.get(A::Cascade).as_u8(); }

std::string text(const proto::Address& a) { return proto::format_address(a.family, a.local.data()); }

// The address as the kernel holds it (with its flags), if present.
const proto::Address* find_address(const proto::Interface& k, const proto::Address& a) {
    for (const proto::Address& x : k.addresses)
        if (x.same_local(a) && x.prefix == a.prefix) return &x;
    return nullptr;
}

bool same_subnet(const proto::Address& a, const proto::Address& b) {
    if (a.family != AF_INET || b.family != AF_INET || a.prefix != b.prefix) return false;
    const unsigned bits = a.prefix;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned take = bits > i * 8 ? std::min(8u, bits - i * 8) : 0;
        const uint8_t mask = static_cast<uint8_t>(take ? 0xff << (8 - take) : 0);
        if ((a.local[i] & mask) != (b.local[i] & mask)) return false;
    }
    return true;
}

}  // namespace

// What the kernel deletes together with `a` (net.ipv4.conf.*.promote_secondaries
// off): the secondaries in the subnet of a primary inet address.
std::vector<proto::Address> detail::secondaries_of(const proto::Interface& k, const proto::Address& a) {
    std::vector<proto::Address> out;
    const proto::Address* held = find_address(k, a);
    if (!held || held->family != AF_INET || (held->flags & IFA_F_SECONDARY)) return out;
    for (const proto::Address& x : k.addresses)
        if (&x != held && (x.flags & IFA_F_SECONDARY) && same_subnet(x, *held)) out.push_back(x);
    return out;
}

namespace {

// Puts back secondaries the kernel took with their primary. EEXIST means the
// kernel promoted it (promote_secondaries on): it is there already.
void restore(Ctx& c, uint32_t index, const std::vector<proto::Address>& addrs, const proto::Address* skip = nullptr) {
    for (const proto::Address& a : addrs) {
        if (skip && a.same_local(*skip)) continue;
        proto::Address plain = a;
        plain.flags = 0;
        if (int rc = c.kernel.add_address(index, plain); rc < 0 && rc != -EEXIST)
            spdlog::error("could not restore {} on {}: {}", text(a), c.target.name, std::strerror(-rc));
    }
}

Reply do_addr_add(Ctx& c) {
    const proto::Address a = address_attr(c, A::Address);
    return from_kernel(c.kernel.add_address(c.target.kernel->index, a), "adding " + text(a) + " to " + c.target.name);
}

// Deletes exactly the address named. With Cascade, as the kernel does.
Reply do_addr_del(Ctx& c) {
    const proto::Address a = address_attr(c, A::Address);
    const uint32_t index = c.target.kernel->index;
    const std::vector<proto::Address> keep = cascade(c) ? std::vector<proto::Address>{} : secondaries_of(*c.target.kernel, a);
    Reply r = from_kernel(c.kernel.delete_address(index, a), "deleting " + text(a) + " from " + c.target.name);
    if (!r.status) restore(c, index, keep);
    return r;
}

// Replaces one address by another as a single change: the old one must be there
// exactly as the caller saw it (compare-and-swap), and a refused replace leaves
// the addresses as they were.
Reply do_addr_replace(Ctx& c) {
    const proto::Address old_addr = address_attr(c, A::OldAddress);
    const proto::Address new_addr = address_attr(c, A::Address);
    const uint32_t index = c.target.kernel->index;
    const proto::Interface& k = *c.target.kernel;
    const proto::Address* held = find_address(k, old_addr);
    if (!held) return Reply::error(EADDRNOTAVAIL, text(old_addr) + " is not an address of " + c.target.name);
    // Refuse up front what the kernel would refuse after the old address is gone.
    if (const proto::Address* dup = find_address(k, new_addr); dup && dup != held)
        return Reply::error(EEXIST, text(new_addr) + " is already an address of " + c.target.name);
    const proto::Address current = *held;
    const std::vector<proto::Address> keep = cascade(c) ? std::vector<proto::Address>{} : secondaries_of(k, current);
    if (int rc = c.kernel.delete_address(index, current); rc < 0) return from_kernel(rc, "replacing " + text(current));
    if (int rc = c.kernel.add_address(index, new_addr); rc < 0) {
        proto::Address back = current;
        back.flags = 0;
        if (int again = c.kernel.add_address(index, back); again < 0)
            spdlog::error("could not restore {} on {} after a failed replace: {}", text(current), c.target.name,
                          std::strerror(-again));
        restore(c, index, keep);
        return from_kernel(rc, "replacing " + text(current) + " on " + c.target.name);
    }
    restore(c, index, keep, &new_addr);
    return ok();
}

Reply do_rename(Ctx& c) {
    LinkChange ch;
    ch.name = std::string(c.req.get(A::NewName).as_str());
    return from_kernel(c.kernel.change_link(c.target.kernel->index, ch), "renaming " + c.target.name + " to " + *ch.name);
}

// Joins or leaves a link-level multicast group and keeps the record in step.
Reply change_membership(Ctx& c, bool join) {
    const auto& p = c.req.get(A::Lladdr).payload;
    std::array<uint8_t, 6> mac{};
    if (p.size() != mac.size()) return Reply::error(EINVAL, "a multicast address is 6 bytes");
    std::copy(p.begin(), p.end(), mac.begin());
    const std::string& dev = c.target.kernel->name;
    const int rc = join ? add_multicast(dev, mac) : delete_multicast(dev, mac);
    Reply r = from_kernel(rc, std::string(join ? "joining" : "leaving") + " a multicast address on " + c.target.name);
    if (!r.status) {
        if (join) c.target.managed->multicast.insert(mac);
        else c.target.managed->multicast.erase(mac);
    }
    return r;
}

Reply do_multi_add(Ctx& c) { return change_membership(c, true); }
Reply do_multi_del(Ctx& c) { return change_membership(c, false); }

Reply do_open_queue(Ctx& c) {
    Managed& m = *c.target.managed;
    const proto::Interface& k = *c.target.kernel;
    // Clients' queues, not counting the daemon's own (attached or detached).
    const uint32_t client_queues = k.queues + k.queues_detached - 1;
    if (client_queues >= m.max_queues)
        return Reply::error(EBUSY, c.target.name + " was created for " + std::to_string(m.max_queues) +
                                       " queue(s) and all are open");
    Reply r;
    if (int rc = m.tap.open_queue(k.name, r.fd); rc < 0) return from_kernel(rc, "opening a queue of " + c.target.name);
    // A client now reads the TAP: stop taking frames from it ourselves.
    if (int rc = m.tap.detach_own(); rc < 0)
        spdlog::warn("could not detach the daemon's queue of {}: {}", k.name, std::strerror(-rc));
    // Queue counts change without a netlink event: read them again now.
    c.kernel.refresh_link(k.index);
    return r;
}

Reply do_set_owner(Ctx& c) {
    const uint32_t uid = c.req.get(A::Owner).as_u32();
    if (int rc = c.target.managed->tap.set_owner(uid); rc < 0)
        return from_kernel(rc, "setting the owner of " + c.target.name);
    c.target.managed->owner = uid;
    return ok();
}

// Subscribe: checks the filter; the session does the subscribing.
Reply do_subscribe(Ctx& c) {
    EventBus::Filter f;
    if (c.req.has(A::EventKinds)) {
        f.kinds = c.req.get(A::EventKinds).as_u32();
        if (!f.kinds || (f.kinds & ~proto::kAllEvents))
            return Reply::error(EINVAL, "event-kinds must be a non-empty set of known kinds (mask " +
                                            std::to_string(proto::kAllEvents) + ")");
    }
    if (c.req.has(A::Name) && c.req.has(A::Index)) return Reply::error(EINVAL, "subscribe takes name or index, not both");
    if (c.req.has(A::Name)) {
        const std::string name(c.req.get(A::Name).as_str());
        const proto::Interface* k = c.kernel.find(name);
        if (!k) return Reply::error(ENODEV, "no interface named " + name);
        f.index = k->index;
    } else if (c.req.has(A::Index)) {
        f.index = c.req.get(A::Index).as_u32();
        if (!c.kernel.find(f.index)) return Reply::error(ENODEV, "no interface with index " + std::to_string(f.index));
    }
    Reply r;
    r.subscribe = f;
    return r;
}

bool is_ready(const proto::Interface* k) { return k && (k->flags & IFF_UP) && k->carrier; }

// WaitReady: answers now if the interface is up with carrier, else the session waits.
Reply do_wait_ready(Ctx& c) {
    if (is_ready(c.target.kernel)) return ok();
    Reply::Wait w{c.target.kernel->index, {}};
    if (c.req.has(A::TimeoutMs)) w.timeout_ms = c.req.get(A::TimeoutMs).as_u32();
    if (w.timeout_ms == 0u) return Reply::error(ETIMEDOUT, c.target.name + " is not up with carrier");
    Reply r;
    r.wait = w;
    return r;
}

// One row per operation (Hello is the session's own business).
constexpr HandlerRow kHandlers[] = {
    {Op::List, do_list, false},
    {Op::Get, do_get, false},
    {Op::Create, do_create, false},
    {Op::Destroy, do_destroy, true},
    {Op::SetFlags, do_set_flags, true},
    {Op::SetMtu, do_set_mtu, true},
    {Op::SetMetric, do_set_metric, true},
    {Op::SetLladdr, do_set_lladdr, true},
    {Op::SetTxqlen, do_set_txqlen, true},
    {Op::AddrAdd, do_addr_add, true},
    {Op::AddrDel, do_addr_del, true},
    {Op::AddrReplace, do_addr_replace, true},
    {Op::Rename, do_rename, true},
    {Op::MultiAdd, do_multi_add, true},
    {Op::MultiDel, do_multi_del, true},
    {Op::OpenQueue, do_open_queue, true},
    {Op::SetOwner, do_set_owner, true},
    {Op::Subscribe, do_subscribe, false},
    {Op::WaitReady, do_wait_ready, false},
};

}  // namespace

const HandlerRow* detail::handler_for(Op op) {
    for (const HandlerRow& row : kHandlers)
        if (row.op == op) return &row;
    return nullptr;
}

std::optional<Reply> detail::resolve(Netlink& kernel, Registry& registry, const HandlerRow& row,
                                     const proto::Request& req, Target& target) {
    if (req.has(A::Name)) {
        target.name = req.get(A::Name).as_str();
        target.kernel = kernel.find(target.name);
        if (!target.kernel) return Reply::error(ENODEV, "no interface named " + target.name);
    } else {
        const uint32_t index = req.get(A::Index).as_u32();
        target.kernel = kernel.find(index);
        if (!target.kernel) return Reply::error(ENODEV, "no interface with index " + std::to_string(index));
        target.name = target.kernel->name;
    }
    target.managed = registry.find(target.kernel->index);
    if (row.needs_managed && !target.managed) {
        Reply r = Reply::error(EPERM, target.name + " is not managed by ifctld (only interfaces it created can be "
                                                    "changed through it)");
        r.unmanaged = true;
        return r;
    }
    return std::nullopt;
}

Dispatcher::Dispatcher(Netlink& kernel, Registry& registry, DaemonLimits limits)
    : kernel_(kernel), registry_(registry), limits_(limits) {}

Reply Dispatcher::handle(const Peer& peer, const proto::Request& req) {
    const HandlerRow* row = handler_for(req.op());
    if (!row) return Reply::error(EOPNOTSUPP, "operation not handled here");
    const proto::OpSpec& spec = *proto::op_spec(req.header.op);

    // One look at the kernel's events per request: a change anyone made before
    // this request was sent is seen by it.
    kernel_.poll_events();
    // Whatever way this request ends, publish the events read or caused meanwhile.
    struct AfterRequest {
        Dispatcher& d;
        ~AfterRequest() {
            if (d.after_request) d.after_request();
        }
    } after{*this};
    Target target;
    if (spec.needs_target)
        if (std::optional<Reply> bad = resolve(kernel_, registry_, *row, req, target)) return std::move(*bad);
    if (Decision d = authorize(peer, req.op(), target.name, target.managed); d.error) {
        spdlog::warn("audit: refused {} {} {}: {}", peer.describe(), spec.name, target.name, d.message);
        return Reply::error(d.error, d.message);
    }

    Ctx ctx{kernel_, registry_, peer, limits_, req, target};
    Reply r = row->fn(ctx);
    if (spec.changes)
        spdlog::info("audit: {} {} {} -> {}", peer.describe(), spec.name, target.name,
                     r.status ? r.message : std::string("ok"));
    return r;
}

bool Dispatcher::ready(uint32_t index) { return is_ready(kernel_.find(index)); }

void Dispatcher::maintain() {
    for (auto& [index, m] : registry_.all()) {
        if (m.tap.own_attached()) continue;
        kernel_.refresh_link(index);
        const proto::Interface* k = kernel_.find(index);
        if (k && k->queues == 0) {
            if (int rc = m.tap.attach_own(); rc < 0)
                spdlog::warn("could not re-attach the daemon's queue of {}: {}", k->name, std::strerror(-rc));
            else
                spdlog::debug("{}: no client queue left, daemon queue attached again", k->name);
        }
    }
}

void Dispatcher::shutdown() {
    for (auto& [index, m] : registry_.all())
        if (int rc = kernel_.delete_link(index); rc < 0 && rc != -ENODEV)
            spdlog::warn("could not destroy {} on shutdown: {}", m.tap.name(), std::strerror(-rc));
    registry_.all().clear();
}

}  // namespace ifctl::daemon
