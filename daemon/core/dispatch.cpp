#include "dispatch.hpp"

#include <linux/if.h>
#include <spdlog/spdlog.h>

#include <linux/if_addr.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "daemon/core/fdstore.hpp"
#include "daemon/core/handlers.hpp"
#include "daemon/core/live_rename.hpp"
#include "daemon/core/policy.hpp"
#include "daemon/kernel/multicast.hpp"
#include "daemon/kernel/netns.hpp"
#include "daemon/core/settings_ops.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

using proto::A;
using proto::Op;

using namespace detail;

namespace {

Reply ok() { return {}; }

// Writes the target's record before the change is acknowledged; if that fails,
// `undo` puts the change back and the client gets the store's errno.
template <typename Undo>
Reply record_or_undo(Ctx& c, uint32_t index, Undo undo) {
    if (!c.persist) return ok();
    const int rc = c.persist->record(index);
    if (rc == 0) return ok();
    undo();
    return Reply::error(-rc, "cannot record the change in the state directory: " + std::string(std::strerror(-rc)) +
                                 " (nothing was changed)");
}

Reply from_kernel(int rc, const std::string& what) {
    if (rc == 0) return ok();
    return Reply::error(-rc, what + ": " + std::strerror(-rc));
}

}  // namespace

std::string detail::expected_name(Netlink& kernel, const std::string& pattern) {
    const auto pct = pattern.find("%d");
    if (pct == std::string::npos) return pattern;
    for (unsigned n = 0; n < 32768; ++n) {  // the kernel's own bound (__dev_alloc_name)
        std::string name = pattern.substr(0, pct) + std::to_string(n) + pattern.substr(pct + 2);
        if (!kernel.find(name)) return name;
    }
    return pattern;
}

namespace {

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
proto::Interface view_for(Ctx& c, const proto::Interface& k, bool details = true) {
    proto::Interface v = c.registry.view(k, details);
    v.may_change = may_configure(c.peer, c.registry.find(k.index));
    return v;
}

Reply reply_with(Ctx& c, uint32_t index) {
    Reply r;
    if (const proto::Interface* k = c.kernel.find(index)) r.interfaces.push_back(view_for(c, *k));
    return r;
}

Mac own_mac(const proto::Interface& k) {
    Mac own{};
    if (k.lladdr.size() == own.size()) std::copy(k.lladdr.begin(), k.lladdr.end(), own.begin());
    return own;
}

// Programs the TAP's filter from the memberships and flag references (refs.hpp).
// A failure is logged: the reference counts stay right and the next change
// tries again.
void sync_tx_filter(Managed& m, const Mac& own) {
    const TxFilter f = tx_filter_for(own, m.multicast, m.promisc.on(), m.allmulti.on());
    if (int rc = m.tap.set_tx_filter(f.enabled ? f.addresses : std::vector<Mac>{}, f.allmulti); rc < 0)
        spdlog::warn("could not program the frame filter of {}: {}", m.tap.name(), std::strerror(-rc));
}

// Sets IFF_PROMISC or IFF_ALLMULTI in the kernel to what its holders say, if it differs.
int apply_flag(Ctx& c, uint32_t flag, bool on) {
    const proto::Interface& k = *c.target.kernel;
    if (bool(k.flags & flag) == on) return 0;
    LinkChange ch;
    ch.flags = on ? flag : 0;
    ch.flags_mask = flag;
    return c.kernel.change_link(k.index, ch);
}

// ---- handlers: one per operation ------------------------------------------

bool brief(const Ctx& c) { return c.req.has(A::Brief) && c.req.get(A::Brief).as_u8(); }

Reply do_list(Ctx& c) {
    Reply r;
    r.brief = brief(c);
    for (const proto::Interface* k : c.kernel.all()) r.interfaces.push_back(view_for(c, *k, !r.brief));
    return r;
}

Reply do_get(Ctx& c) {
    Reply r;
    r.brief = brief(c);
    r.interfaces.push_back(view_for(c, *c.target.kernel, !r.brief));
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
    // Who may create for whom is the policy's business (authorize()).
    const uint32_t owner = c.req.has(A::Owner) ? c.req.get(A::Owner).as_u32() : c.peer.uid;
    // A caller-chosen unique id (ifnet_allocate): a detached slot of the same id
    // and family is reused, with its name, index, address and MTU.
    std::optional<SlotKey> key;
    std::optional<Slot> reuse;
    std::string create_name = name;
    uint32_t want_index = 0;
    if (c.req.has(A::UniqueId)) {
        key = SlotKey{std::string(c.req.get(A::UniqueFamily).as_str()), c.req.get(A::UniqueId).as_u64()};
        const std::string id_text = "unique id " + std::to_string(key->id) + " of family " + key->family;
        if (const Slot* s = c.registry.slot(*key)) {
            if (s->attached) {
                const proto::Interface* user = c.kernel.find(s->index);
                return Reply::error(EEXIST, id_text + " is in use by " + (user ? user->name : s->name));
            }
            if (name.find('%') == std::string::npos && name != s->name)
                return Reply::error(EINVAL, id_text + " belongs to " + s->name + "; create it under that name or a pattern");
            if (c.kernel.find(s->name))
                return Reply::error(EEXIST, id_text + " belongs to " + s->name + ", a name another interface has now");
            reuse = *s;
            create_name = s->name;
            // The index comes back only if nobody took it meanwhile.
            if (!c.kernel.find(s->index)) want_index = s->index;
            else spdlog::info("{}: index {} is taken; {} gets a new one", id_text, s->index, s->name);
        }
    }
    Managed m;
    const bool vnet_hdr = c.req.has(A::VnetHdr) && c.req.get(A::VnetHdr).as_u8();
    if (int rc = Tap::create(create_name, vnet_hdr, m.tap, want_index); rc < 0) {
        if (rc == -EEXIST || rc == -EBUSY)
            return Reply::error(EEXIST, "an interface named " + create_name + (want_index ? " or with index " +
                                        std::to_string(want_index) : std::string()) + " already exists");
        return from_kernel(rc, "creating " + create_name);
    }
    c.kernel.poll_events();  // the new link's event is queued before TUNSETIFF returns
    const proto::Interface* k = c.kernel.find(m.tap.name());
    if (!k) return Reply::error(EIO, "created " + m.tap.name() + " but the kernel does not report it");
    // The policy judged the name the pattern was expected to give; if another
    // program took that unit meanwhile, judge the name the kernel gave. A refusal
    // closes the TAP (m goes out of scope), so nothing is left behind.
    if (m.tap.name() != c.target.name) {
        const std::string given = m.tap.name();
        Subject s{c.req, given, nullptr, k, c.registry.count_owned_by(owner)};
        if (Decision d = authorize(c.policy, c.peer, s); d.error) return Reply::error(d.error, d.message);
    }
    if (reuse) {
        LinkChange back;
        if (reuse->lladdr.size() == 6) back.lladdr = reuse->lladdr;
        if (reuse->mtu) back.mtu = reuse->mtu;
        if (int rc = c.kernel.change_link(k->index, back); rc < 0)
            spdlog::warn("{}: could not restore its address and MTU: {}", m.tap.name(), std::strerror(-rc));
        c.kernel.poll_events();
    }
    m.owner = owner;
    m.max_queues = queues;
    // The owner (and the group, if given) may also attach to the TAP directly.
    if (owner != 0)
        if (int rc = m.tap.set_owner(owner); rc < 0) return from_kernel(rc, "setting the owner of " + m.tap.name());
    if (c.req.has(A::Group)) {
        m.group = c.req.get(A::Group).as_u32();
        if (int rc = m.tap.set_group(*m.group); rc < 0) return from_kernel(rc, "setting the group of " + m.tap.name());
    }
    m.persistent = c.req.has(A::Persistent) && c.req.get(A::Persistent).as_u8();
    const uint32_t index = k->index;
    if (c.limits.noqueue)
        if (int rc = c.kernel.set_root_noqueue(index); rc < 0)
            spdlog::warn("{}: could not set the noqueue qdisc (it keeps the kernel's default): {}", m.tap.name(),
                         std::strerror(-rc));
    // The daemon's own id keys the state directory, whatever id the caller
    // chose; a reused slot keeps the one it had (its record is rewritten).
    m.unique_id = reuse ? reuse->unique_id : c.registry.next_unique_id();
    if (key) {
        m.caller_id = key->id;
        m.unique_family = key->family;
        c.registry.set_slot(*key, Slot{m.tap.name(), index, k->lladdr, k->mtu, true, m.unique_id});
    }
    Managed& in = c.registry.add(index, std::move(m));
    if (c.persist) {
        // On disk before the reply; if that fails, dropping the only queue
        // takes the TAP away again (it is not IFF_PERSIST yet).
        const uint64_t id = in.unique_id;
        if (Reply r = record_or_undo(c, index, [&] { c.registry.remove(index); }); r.status) {
            c.persist->forget(id);
            return r;
        }
        // From now on the TAP outlives the daemon's descriptors (a crash);
        // docs/persistence.md. In a batch, once its record is durable.
        if (c.persist->deferred()) {
            c.persist->persist_later(index);
        } else {
            if (int rc = in.tap.set_persist(true); rc < 0)
                spdlog::warn("{}: TUNSETPERSIST: {}", in.tap.name(), std::strerror(-rc));
            fdstore_put(id, in.tap.fd());
        }
    }
    spdlog::info("created {} (index {}) for uid {}{}", in.tap.name(), index, owner,
                 in.persistent ? ", persistent" : "");
    return reply_with(c, index);
}

Reply do_destroy(Ctx& c) {
    const uint32_t index = c.target.kernel->index;
    const std::string name = c.target.kernel->name;
    // A crash between deleting the link and removing the record makes a
    // persistent TAP come back at the next start: from an up-to-date record.
    if (c.persist && c.target.managed->persistent)
        if (int rc = c.persist->record(index); rc < 0) return from_kernel(rc, "recording " + name + " before destroying it");
    // Deleting the link detaches every queue, including those clients hold.
    if (int rc = c.kernel.delete_link(index); rc < 0 && rc != -ENODEV) return from_kernel(rc, "destroying " + name);
    const uint64_t id = c.target.managed->unique_id;
    c.registry.remove(index);
    if (c.persist)
        if (int rc = c.persist->forget(id); rc < 0)
            spdlog::error("destroyed {} but could not remove its record: {}", name, std::strerror(-rc));
    return ok();
}

Reply do_set_flags(Ctx& c) {
    LinkChange ch;
    ch.flags = c.req.get(A::Flags).as_u32();
    ch.flags_mask = c.req.get(A::FlagsMask).as_u32();
    // Nothing selected, nothing changes (the kernel would read ifi_change 0 as "all bits").
    if (*ch.flags_mask == 0) return ok();
    // A plain IFF_PROMISC / IFF_ALLMULTI is one more holder of a counted flag:
    // clearing it leaves the flag on while a connection holds a reference.
    Managed& m = *c.target.managed;
    const FlagHolders promisc = m.promisc, allmulti = m.allmulti;
    for (auto [flag, h] : {std::pair{uint32_t{IFF_PROMISC}, &m.promisc}, std::pair{uint32_t{IFF_ALLMULTI}, &m.allmulti}}) {
        if (!(*ch.flags_mask & flag)) continue;
        h->plain = *ch.flags & flag;
        ch.flags = h->on() ? (*ch.flags | flag) : (*ch.flags & ~flag);
    }
    Reply r = from_kernel(c.kernel.change_link(c.target.kernel->index, ch), "setting flags of " + c.target.name);
    if (r.status) {
        m.promisc = promisc;
        m.allmulti = allmulti;
    } else if (*ch.flags_mask & (IFF_PROMISC | IFF_ALLMULTI)) {
        sync_tx_filter(m, own_mac(*c.target.kernel));
    }
    return r;
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
    Managed& m = *c.target.managed;
    const int32_t old = m.metric;
    m.metric = c.req.get(A::Metric).as_s32();
    return record_or_undo(c, c.target.kernel->index, [&] { m.metric = old; });
}

Reply do_set_persistent(Ctx& c) {
    Managed& m = *c.target.managed;
    const bool old = m.persistent;
    m.persistent = c.req.get(A::Persistent).as_u8();
    return record_or_undo(c, c.target.kernel->index, [&] { m.persistent = old; });
}

Reply do_set_lladdr(Ctx& c) {
    const auto& p = c.req.get(A::Lladdr).payload;
    LinkChange ch;
    ch.lladdr = std::vector<uint8_t>(p.begin(), p.end());
    Reply r = from_kernel(c.kernel.change_link(c.target.kernel->index, ch), "setting the link address of " + c.target.name);
    // The filter lets frames to the TAP's own address through: it follows the address.
    if (!r.status && p.size() == 6) {
        Mac own{};
        std::copy(p.begin(), p.end(), own.begin());
        sync_tx_filter(*c.target.managed, own);
    }
    return r;
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
    proto::Address a = address_attr(c, A::Address);
    if (c.target.managed->no_dad) a.flags |= IFA_F_NODAD;  // inet6 only (Netlink::add_address)
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
    const std::string old_name = c.target.kernel->name, new_name(c.req.get(A::NewName).as_str());
    const uint32_t index = c.target.kernel->index;
    RenameSteps steps;
    steps.rename = [&](const std::string& to) {
        LinkChange ch;
        ch.name = to;
        return c.kernel.change_link(index, ch);
    };
    steps.set_up = [&](bool up) {
        LinkChange ch;
        ch.flags = up ? IFF_UP : 0;
        ch.flags_mask = IFF_UP;
        return c.kernel.change_link(index, ch);
    };
    const bool live = c.req.has(A::LiveRename) && c.req.get(A::LiveRename).as_u8();
    return from_kernel(live_rename(steps, old_name, new_name, live, c.target.kernel->flags & IFF_UP),
                       "renaming " + c.target.name + " to " + new_name);
}

// Joins or leaves a link-level multicast group for this connection (PerClient)
// or plainly. The kernel holds the union of all holders: it is asked to join
// when an address enters the union and to leave when it leaves it.
Reply change_membership(Ctx& c, bool join) {
    const auto& p = c.req.get(A::Lladdr).payload;
    Mac mac{};
    if (p.size() != mac.size()) return Reply::error(EINVAL, "a multicast address is 6 bytes");
    std::copy(p.begin(), p.end(), mac.begin());
    const bool per_client = c.req.has(A::PerClient) && c.req.get(A::PerClient).as_u8();
    const ClientId who = per_client ? c.peer.client : kPlain;
    Memberships& groups = c.target.managed->multicast;
    const std::string text = proto::format_lladdr({mac.begin(), mac.end()});
    const std::string& dev = c.target.kernel->name;
    if (join) {
        // FreeBSD if_addmulti: a client may join a given link address only once.
        if (per_client && groups.held_by(who, mac))
            return Reply::error(EADDRINUSE, "this connection has already joined " + text + " on " + c.target.name);
        if (!groups.held(mac))
            if (int rc = add_multicast(dev, mac); rc < 0) return from_kernel(rc, "joining " + text + " on " + c.target.name);
        groups.add(who, mac);
    } else {
        if (!groups.held_by(who, mac)) {
            if (per_client || groups.held(mac))
                return Reply::error(ENOENT, std::string(per_client ? "this connection has" : "no plain join has") +
                                                " not joined " + text + " on " + c.target.name);
            // Nobody holds it through ifctld: the kernel's own answer (ENOENT).
            return from_kernel(delete_multicast(dev, mac), "leaving " + text + " on " + c.target.name);
        }
        groups.remove(who, mac);
        if (!groups.held(mac))
            if (int rc = delete_multicast(dev, mac); rc < 0) {
                groups.add(who, mac);
                return from_kernel(rc, "leaving " + text + " on " + c.target.name);
            }
    }
    sync_tx_filter(*c.target.managed, own_mac(*c.target.kernel));
    return ok();
}

Reply do_multi_add(Ctx& c) { return change_membership(c, true); }
Reply do_multi_del(Ctx& c) { return change_membership(c, false); }

// One connection's reference on IFF_PROMISC or IFF_ALLMULTI (BSD ifpromisc,
// if_allmulti): the first holder turns the flag on, the last turns it off.
Reply do_flag_ref(Ctx& c) {
    const uint32_t flag = c.req.get(A::RefFlag).as_u32();  // IFF_PROMISC or IFF_ALLMULTI (validated)
    const bool on = c.req.get(A::RefOn).as_u8();
    Managed& m = *c.target.managed;
    FlagHolders& h = flag == IFF_PROMISC ? m.promisc : m.allmulti;
    const ClientId me = c.peer.client;
    if (on == (h.clients.count(me) != 0)) return ok();  // at most one reference per connection
    const FlagHolders before = h;
    if (on) {
        // Set on before anyone held it (outside ifctld): that setting is a plain holder.
        if (!h.on() && (c.target.kernel->flags & flag)) h.plain = true;
        h.clients.insert(me);
    } else {
        h.clients.erase(me);
    }
    const char* what = flag == IFF_PROMISC ? "promiscuous mode" : "all-multicast mode";
    if (int rc = apply_flag(c, flag, h.on()); rc < 0) {
        h = before;
        return from_kernel(rc, std::string(on ? "turning on " : "turning off ") + what + " of " + c.target.name);
    }
    sync_tx_filter(m, own_mac(*c.target.kernel));
    return ok();
}

Reply do_set_caps(Ctx& c) {
    Managed& m = *c.target.managed;
    const uint32_t want = c.req.get(A::CapsEnabled).as_u32();
    const uint32_t supported = m.tap.offloads_supported();
    if (want & ~supported) {
        char b[64];
        std::snprintf(b, sizeof b, "0x%x outside the supported 0x%x", want & ~supported, supported);
        return Reply::error(EINVAL, "offloads " + std::string(b) + " on " + c.target.name +
                                        (m.tap.vnet_hdr() ? "" : " (a TAP without vnet_hdr supports none)"));
    }
    if (int rc = m.tap.set_offloads(want); rc < 0) return from_kernel(rc, "setting the offloads of " + c.target.name);
    m.caps_enabled = want;
    return ok();
}

// The interface leaves the system; its unique-id slot remembers it.
Reply do_detach(Ctx& c) {
    const proto::Interface& k = *c.target.kernel;
    if (c.target.managed->unique_family.empty())
        return Reply::error(EINVAL, c.target.name + " was not created with a unique id: destroy it instead");
    Managed& m = *c.target.managed;
    Slot facts{k.name, k.index, k.lladdr, k.mtu, false, m.unique_id};
    // The slot is on disk before the interface goes (docs/persistence.md).
    if (c.persist) {
        StoredInterface rec = c.persist->snapshot(k.index, m);
        rec.attached = false;
        if (int rc = c.persist->record(rec); rc < 0)
            return from_kernel(rc, "recording the slot of " + k.name + " in the state directory");
    }
    if (int rc = c.kernel.delete_link(k.index); rc < 0 && rc != -ENODEV) {
        if (c.persist) c.persist->record(k.index);  // attached again
        return from_kernel(rc, "detaching " + k.name);
    }
    if (c.persist) fdstore_remove(m.unique_id);
    c.registry.detach(facts.index, std::move(facts));
    return ok();
}

Reply do_forget(Ctx& c) {
    const SlotKey key{std::string(c.req.get(A::UniqueFamily).as_str()), c.req.get(A::UniqueId).as_u64()};
    const std::string id_text = "unique id " + std::to_string(key.id) + " of family " + key.family;
    const Slot* s = c.registry.slot(key);
    if (!s) return Reply::error(ENOENT, "no slot for " + id_text);
    if (s->attached) {
        const proto::Interface* user = c.kernel.find(s->index);
        return Reply::error(EBUSY, id_text + " is in use by " + (user ? user->name : s->name) + "; detach it first");
    }
    if (c.persist)
        if (int rc = c.persist->forget(s->unique_id); rc < 0)
            return from_kernel(rc, "removing the slot of " + id_text + " from the state directory");
    c.registry.forget_slot(key);
    return ok();
}

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

Reply do_reload(Ctx& c) {
    if (!c.reloader) return Reply::error(EOPNOTSUPP, "this ifctld cannot reload its configuration");
    Reply r;
    r.status = c.reloader(r.message);
    return r;
}

Reply do_set_owner(Ctx& c) {
    const uint32_t uid = c.req.get(A::Owner).as_u32();
    Managed& m = *c.target.managed;
    if (int rc = m.tap.set_owner(uid); rc < 0) return from_kernel(rc, "setting the owner of " + c.target.name);
    const uint32_t old = m.owner;
    m.owner = uid;
    return record_or_undo(c, c.target.kernel->index, [&] {
        m.owner = old;
        m.tap.set_owner(old);
    });
}

// Moves a TAP into another network namespace (a container's) and re-applies
// there what the move loses: addresses and flags (the kernel keeps name, MAC,
// MTU and the TUNSETOWNER owner). The daemon keeps its queue and the record.
Reply do_move_netns(Ctx& c) {
    if (!c.peer.is_root()) return Reply::error(EPERM, "only root may move an interface into another network namespace");
    const bool by_path = c.req.has(A::NetnsPath);
    if (by_path == c.req.has(A::NetnsPid))
        return Reply::error(EINVAL, "move-netns needs exactly one of netns-pid and netns-path");
    const std::string path = by_path ? std::string(c.req.get(A::NetnsPath).as_str()) : std::string();
    const uint32_t pid = by_path ? 0 : c.req.get(A::NetnsPid).as_u32();
    const std::string where = by_path ? path : "pid " + std::to_string(pid);
    UniqueFd ns;
    if (int rc = open_netns(path, pid, ns); rc < 0) {
        Reply r = from_kernel(rc, "opening the network namespace of " + where);
        if (rc == -EINVAL) r.message = where + " is not a network namespace";
        return r;
    }
    const proto::Interface before = *c.target.kernel;  // a copy: the view is about to lose it
    const uint32_t index = before.index;
    Managed& m = *c.target.managed;
    // The record says where it went before it goes (a crash in between is
    // noticed at the next start: the TAP is then still here).
    StoredInterface rec;
    if (c.persist) {
        rec = c.persist->snapshot(index, m);
        rec.netns = where;
        if (int rc = c.persist->record(rec); rc < 0)
            return Reply::error(-rc, "cannot record the move in the state directory: " + std::string(std::strerror(-rc)));
    }
    LinkChange mv;
    if (by_path) mv.netns_fd = ns.get();
    else mv.netns_pid = pid;
    if (int rc = c.kernel.change_link(index, mv); rc < 0) {
        if (c.persist) c.persist->record(index);  // back to "here"
        return from_kernel(rc, "moving " + c.target.name + " to " + where);
    }
    // Out of the registry before the kernel's "link gone" event is read, which
    // would otherwise be taken for a deletion behind our back.
    const uint64_t id = m.unique_id;
    Managed& moved = c.registry.moved().insert_or_assign(id, std::move(m)).first->second;
    c.registry.remove(index);
    c.kernel.poll_events();
    if (c.kernel.find(index)) {  // it was there already: nothing moved
        c.registry.add(index, std::move(moved));
        c.registry.moved().erase(id);
        if (c.persist) c.persist->record(index);
        return ok();
    }
    StoredInterface cfg;  // what the move loses
    cfg.addresses = before.addresses;
    cfg.flags = before.flags;
    cfg.multicast = moved.multicast.all();
    std::vector<std::string> problems;
    const int rc = in_netns(ns.get(), [&] {
        try {
            Netlink there;
            const proto::Interface* t = there.find(before.name);
            if (!t) return -ENODEV;
            apply_config(there, t->index, cfg, false, problems);
            return 0;
        } catch (const std::exception& e) {
            problems.push_back(e.what());
            return -EIO;
        }
    });
    moved.netns = where;
    spdlog::info("moved {} (unique id {}) to the network namespace of {}", before.name, id, where);
    if (rc < 0 || !problems.empty()) {
        std::string why = rc < 0 ? std::strerror(-rc) : problems.front();
        return Reply::error(rc < 0 ? -rc : EIO, "moved " + before.name + " to " + where +
                                                    " but could not re-apply its configuration there: " + why);
    }
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
    {Op::SetPersistent, do_set_persistent, true},
    {Op::MoveNetns, do_move_netns, true},
    {Op::Subscribe, do_subscribe, false},
    {Op::WaitReady, do_wait_ready, false},
    {Op::FlagRef, do_flag_ref, true},
    {Op::SetCaps, do_set_caps, true},
    {Op::Detach, do_detach, true},
    {Op::Forget, do_forget, false},
    {Op::Reload, do_reload, false},
    {Op::SetDescription, do_set_description, true},
    {Op::GroupAdd, do_group_add, true},
    {Op::GroupDel, do_group_del, true},
    {Op::SetInet6, do_set_inet6, true},
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

Dispatcher::Dispatcher(Netlink& kernel, Registry& registry, DaemonLimits limits, std::shared_ptr<const Policy> policy)
    : kernel_(kernel), registry_(registry), limits_(limits), policy_(std::move(policy)) {}

Reply Dispatcher::handle(const Peer& peer, const proto::Request& req) {
    const proto::OpSpec& spec = *proto::op_spec(req.header.op);
    AuditRecord rec;
    rec.peer = &peer;
    rec.op = spec.name;
    Reply r = decide_and_run(peer, req, rec);
    if (spec.changes) {
        rec.error = r.status;
        if (r.status && rec.result == AuditResult::Ok) rec.result = AuditResult::Failed;
        rec.message = r.message;
        audit(rec);
    }
    return r;
}

// Resolves the target, asks the policy, runs the handler; fills in the audit
// record's interface, rule and before/after as it goes.
Reply Dispatcher::decide_and_run(const Peer& peer, const proto::Request& req, AuditRecord& rec) {
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
    if (spec.needs_target) {
        rec.interface = req.has(A::Name) ? std::string(req.get(A::Name).as_str())
                                         : "index " + std::to_string(req.get(A::Index).as_u32());
        if (std::optional<Reply> bad = resolve(kernel_, registry_, *row, req, target)) {
            if (bad->unmanaged) {
                rec.result = AuditResult::Refused;
                rec.rule = "managed interfaces only";
            }
            return std::move(*bad);
        }
        rec.interface = target.name;
    } else if (req.op() == Op::Create) {
        target.name = expected_name(kernel_, std::string(req.get(A::NewName).as_str()));
        rec.interface = target.name;
    }
    const uint32_t owned = req.op() == Op::Create ? static_cast<uint32_t>(registry_.count_owned_by(peer.uid)) : 0;
    const Subject subject{req, target.name, target.managed, target.kernel, owned};
    // Held for the whole request: a reload may replace policy_ meanwhile.
    const std::shared_ptr<const Policy> policy = policy_;
    const Decision d = authorize(*policy, peer, subject);
    rec.rule = d.rule;
    rec.before = audit_state(req.op(), target.kernel, target.managed);
    if (d.error) {
        rec.result = AuditResult::Refused;
        rec.after = rec.before;
        return Reply::error(d.error, d.message);
    }
    if (req.op() == Op::Reload) rec.before = policy_->source.empty() ? "built-in" : policy_->source;

    // A change the state directory could not record is refused before it is made.
    if (spec.changes && persist_ && req.op() != Op::OpenQueue)
        if (int rc = persist_->preflight(); rc < 0)
            return Reply::error(-rc, "the state directory cannot be written (" + std::string(std::strerror(-rc)) +
                                         "): changes are refused until it can");
    const uint32_t index = target.kernel ? target.kernel->index : 0;
    Ctx ctx{kernel_, registry_, peer, limits_, *policy, req, target, persist_, reloader_};
    Reply r = row->fn(ctx);
    if (spec.changes) {
        // The state after, as the kernel reports it now (its events for our own
        // change are queued before the change is acknowledged).
        kernel_.poll_events();
        uint32_t after = index;
        if (req.op() == Op::Create && !r.status && !r.interfaces.empty()) {
            after = r.interfaces[0].index;
            rec.interface = r.interfaces[0].name;
        }
        if (req.op() == Op::Reload) rec.after = policy_->source.empty() ? "built-in" : policy_->source;
        else rec.after = audit_state(req.op(), after ? kernel_.find(after) : nullptr, after ? registry_.find(after) : nullptr);
    }
    if (spec.changes && persist_ && r.status == 0) record_kernel_config(req, index, r);
    return r;
}

// Kernel-held configuration goes to disk by group commit; a request with
// Durable waits for it.
void Dispatcher::record_kernel_config(const proto::Request& req, uint32_t index, Reply& r) {
    if (!index && !r.interfaces.empty()) index = r.interfaces.front().index;  // create
    if (!index) return;
    persist_->note_change(index);
    if (!req.has(A::Durable) || !req.get(A::Durable).as_u8()) return;
    kernel_.poll_events();  // our own change's events, so the record holds it
    if (int rc = persist_->flush(); rc < 0)
        r = Reply::error(-rc, "the change was made but could not be written to the state directory: " +
                                  std::string(std::strerror(-rc)));
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

void Dispatcher::client_closed(const Peer& peer) {
    const ClientId who = peer.client;
    kernel_.poll_events();  // the flags as they are now
    for (auto& [index, m] : registry_.all()) {
        const bool promisc = m.promisc.clients.erase(who) != 0, allmulti = m.allmulti.clients.erase(who) != 0;
        const std::vector<Mac> left = m.multicast.drop(who);
        if (!promisc && !allmulti && left.empty()) continue;
        const proto::Interface* k = kernel_.find(index);
        if (!k) continue;
        for (const Mac& mac : left)
            if (int rc = delete_multicast(k->name, mac); rc < 0)
                spdlog::warn("{}: leaving {} for a closed connection: {}", k->name,
                             proto::format_lladdr({mac.begin(), mac.end()}), std::strerror(-rc));
        LinkChange ch;
        ch.flags = (m.promisc.on() ? IFF_PROMISC : 0) | (m.allmulti.on() ? IFF_ALLMULTI : 0);
        ch.flags_mask = (promisc ? IFF_PROMISC : 0) | (allmulti ? IFF_ALLMULTI : 0);
        if (*ch.flags_mask && (k->flags & *ch.flags_mask) != (*ch.flags & *ch.flags_mask))
            if (int rc = kernel_.change_link(index, ch); rc < 0)
                spdlog::warn("{}: dropping the flag references of a closed connection: {}", k->name, std::strerror(-rc));
        sync_tx_filter(m, own_mac(*k));
        spdlog::info("{}: references of {} dropped", k->name, peer.describe());
    }
}

void Dispatcher::shutdown() {
    if (persist_) {
        persist_->shutdown();
        return;
    }
    for (auto& [index, m] : registry_.all())
        if (int rc = kernel_.delete_link(index); rc < 0 && rc != -ENODEV)
            spdlog::warn("could not destroy {} on shutdown: {}", m.tap.name(), std::strerror(-rc));
    registry_.all().clear();
}

}  // namespace ifctl::daemon
