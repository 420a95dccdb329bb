// Lifecycle: create (with unique-id slots), destroy, detach, forget, the
// queues clients open, the daemon's own queue, and the clean stop.
#include "daemon/core/handlers/support.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <optional>

#include "daemon/core/fdstore.hpp"
#include "daemon/core/tap_guard.hpp"
#include "daemon/kernel/managed_mark.hpp"

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

namespace {

// What a create asks for, read once.
struct CreatePlan {
    std::string name;         // the name or pattern asked for
    std::string create_name;  // what TUNSETIFF is given: a reused slot's name, or `name`
    uint32_t queues = 1;
    uint32_t owner = 0;
    uint32_t want_index = 0;  // a reused slot's index, if still free
    std::optional<SlotKey> key;
    std::optional<Slot> reuse;
};

// Step 1: the name and the queue count (the policy judged who may ask).
std::optional<Reply> read_request(Ctx& c, CreatePlan& p) {
    p.name = c.req.get(AttrType::NewName).as_str();  // a valid name or pattern (the schema's rule)
    p.queues = c.req.has(AttrType::Queues) ? c.req.get(AttrType::Queues).as_u32() : 1;
    if (p.queues > c.limits.max_queues)  // the schema's 1..256 narrowed by ifctld.conf
        return Reply::error(EINVAL, "queues must be 1.." + std::to_string(c.limits.max_queues));
    p.owner = c.req.has(AttrType::Owner) ? c.req.get(AttrType::Owner).as_u32() : c.peer.uid;
    p.create_name = p.name;
    return std::nullopt;
}

// Step 2: a caller-chosen unique id (ifnet_allocate): a detached slot of the
// same id and family is reused, with its name, index, address and MTU.
std::optional<Reply> find_slot(Ctx& c, CreatePlan& p) {
    if (!c.req.has(AttrType::UniqueId)) return std::nullopt;
    p.key = SlotKey{std::string(c.req.get(AttrType::UniqueFamily).as_str()), c.req.get(AttrType::UniqueId).as_u64()};
    const std::string id_text = "unique id " + std::to_string(p.key->id) + " of family " + p.key->family;
    const Slot* s = c.registry.slot(*p.key);
    if (!s) return std::nullopt;
    if (s->attached) {
        const proto::Interface* user = c.kernel.find(s->index);
        return Reply::error(EEXIST, id_text + " is in use by " + (user ? user->name : s->name));
    }
    if (p.name.find('%') == std::string::npos && p.name != s->name)
        return Reply::error(EINVAL, id_text + " belongs to " + s->name + "; create it under that name or a pattern");
    if (c.kernel.find(s->name))
        return Reply::error(EEXIST, id_text + " belongs to " + s->name + ", a name another interface has now");
    p.reuse = *s;
    p.create_name = s->name;
    // The index comes back only if nobody took it meanwhile.
    if (!c.kernel.find(s->index)) p.want_index = s->index;
    else spdlog::info("{}: index {} is taken; {} gets a new one", id_text, s->index, s->name);
    return std::nullopt;
}

// Step 3: the TAP itself. The policy judged the name the pattern was expected
// to give; if another program took that unit meanwhile, the name the kernel
// gave is judged. A refusal closes the TAP (m goes out of scope), so nothing
// is left behind.
std::optional<Reply> make_tap(Ctx& c, const CreatePlan& p, Managed& m, const proto::Interface*& k) {
    const bool vnet_hdr = c.req.has(AttrType::VnetHdr) && c.req.get(AttrType::VnetHdr).as_u8();
    if (int rc = Tap::create(c.kernel.tun(), p.create_name, vnet_hdr, m.tap, p.want_index); rc < 0) {
        if (rc == -EEXIST || rc == -EBUSY)
            return Reply::error(EEXIST, "an interface named " + p.create_name + (p.want_index ? " or with index " +
                                        std::to_string(p.want_index) : std::string()) + " already exists");
        return from_kernel(rc, "creating " + p.create_name);
    }
    c.kernel.poll_events();  // the new link's event is queued before TUNSETIFF returns
    k = c.kernel.find(m.tap.name());
    if (!k) return Reply::error(EIO, "created " + m.tap.name() + " but the kernel does not report it");
    if (int rc = mark_managed(c.kernel, k->index); rc < 0)
        spdlog::warn("{}: could not put it in link group {} (udev cannot tell it is managed): {}", m.tap.name(),
                     kManagedLinkGroup, std::strerror(-rc));
    c.kernel.poll_events();  // its event read now: the record written below already has it
    k = c.kernel.find(m.tap.name());
    if (m.tap.name() != c.target.name) {
        const std::string given = m.tap.name();
        Subject s{c.req, given, nullptr, k, c.registry.count_owned_by(p.owner)};
        if (Decision d = authorize(c.policy, c.peer, s); d.error) return Reply::error(d.error, d.message);
    }
    return std::nullopt;
}

// Step 4: a reused slot's link address and MTU come back.
void restore_slot_facts(Ctx& c, const CreatePlan& p, const Managed& m, uint32_t index) {
    if (!p.reuse) return;
    LinkChange back;
    if (p.reuse->lladdr.size() == 6) back.lladdr = p.reuse->lladdr;
    if (p.reuse->mtu) back.mtu = p.reuse->mtu;
    if (int rc = c.kernel.change_link(index, back); rc < 0)
        spdlog::warn("{}: could not restore its address and MTU: {}", m.tap.name(), std::strerror(-rc));
    c.kernel.poll_events();
}

// Step 5: the owner and group are the daemon's; in the kernel the TAP is
// root's (Tap::create), so queues come only through open-queue (docs/policy.md).
std::optional<Reply> set_ownership(Ctx& c, const CreatePlan& p, Managed& m) {
    m.owner = p.owner;
    m.max_queues = p.queues;
    if (c.req.has(AttrType::Group)) m.group = c.req.get(AttrType::Group).as_u32();
    m.persistent = c.req.has(AttrType::Persistent) && c.req.get(AttrType::Persistent).as_u8();
    return std::nullopt;
}

// Step 6: the registry takes it, with the daemon's own id (the key of the state
// directory, whatever id the caller chose; a reused slot keeps the one it had).
Managed& register_tap(Ctx& c, const CreatePlan& p, Managed m, const proto::Interface& k) {
    const uint32_t index = k.index;
    if (c.limits.noqueue)
        if (int rc = c.kernel.set_root_noqueue(index); rc < 0)
            spdlog::warn("{}: could not set the noqueue qdisc (it keeps the kernel's default): {}", m.tap.name(),
                         std::strerror(-rc));
    m.unique_id = p.reuse ? p.reuse->unique_id : c.registry.next_unique_id();
    if (p.key) {
        m.caller_id = p.key->id;
        m.unique_family = p.key->family;
        c.registry.set_slot(*p.key, Slot{m.tap.name(), index, k.lladdr, k.mtu, true, m.unique_id});
    }
    return c.registry.add(index, std::move(m));
}

// Step 7: on disk before the reply; if that fails, dropping the only queue
// takes the TAP away again (it is not IFF_PERSIST yet). From then on the TAP
// outlives the daemon's descriptors (a crash); docs/persistence.md. In a
// batch, once its record is durable.
std::optional<Reply> make_durable(Ctx& c, Managed& in, uint32_t index) {
    if (!c.persist) return std::nullopt;
    const uint64_t id = in.unique_id;
    if (Reply r = record_or_undo(c, index, [&] { c.registry.remove(index); }); r.status) {
        c.persist->forget(id);
        return r;
    }
    if (c.persist->deferred()) {
        c.persist->persist_later(index);
    } else {
        if (int rc = in.tap.set_persist(true); rc < 0)
            spdlog::warn("{}: TUNSETPERSIST: {}", in.tap.name(), std::strerror(-rc));
        fdstore_put(id, in.tap.fd());
    }
    return std::nullopt;
}

}  // namespace

Reply do_create(Ctx& c) {
    CreatePlan p;
    if (std::optional<Reply> no = read_request(c, p)) return std::move(*no);
    if (std::optional<Reply> no = find_slot(c, p)) return std::move(*no);
    Managed m;
    const proto::Interface* k = nullptr;
    if (std::optional<Reply> no = make_tap(c, p, m, k)) return std::move(*no);
    const uint32_t index = k->index;
    restore_slot_facts(c, p, m, index);
    if (std::optional<Reply> no = set_ownership(c, p, m)) return std::move(*no);
    Managed& in = register_tap(c, p, std::move(m), *k);
    if (std::optional<Reply> no = make_durable(c, in, index)) return std::move(*no);
    spdlog::info("created {} (index {}) for uid {}{}", in.tap.name(), index, p.owner, in.persistent ? ", persistent" : "");
    return reply_with(c, index);
}

Reply do_destroy(Ctx& c) {
    const uint32_t index = c.target.record->index;
    const std::string name = c.target.record->name;
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

// The interface leaves the system; its unique-id slot remembers it.
Reply do_detach(Ctx& c) {
    const proto::Interface& k = *c.target.record;
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
    const SlotKey key{std::string(c.req.get(AttrType::UniqueFamily).as_str()), c.req.get(AttrType::UniqueId).as_u64()};
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
    const proto::Interface& k = *c.target.record;
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

}  // namespace ifctl::daemon::detail

namespace ifctl::daemon {

using proto::AttrType;
using namespace detail;

void Dispatcher::maintain() {
    if (snapshot_) snapshot_->renew_lease();
    if (in_batch_) return;  // the pass came between a batch's steps: next time
    if (persist_) persist_->watch_moved();
    for (TapFinding& f : guard_taps(kernel_, registry_)) {
        proto::Event e;
        e.kind = proto::kEvTampered;
        e.index = f.index;
        e.name = std::move(f.name);
        e.managed = true;
        e.time_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch()).count());
        e.detail = std::move(f.text);
        events_.publish(std::move(e));
    }
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

void Dispatcher::shutdown(bool for_good) {
    if (persist_) {
        persist_->shutdown(for_good);
        return;
    }
    for (auto& [index, m] : registry_.all())
        if (int rc = kernel_.delete_link(index); rc < 0 && rc != -ENODEV)
            spdlog::warn("could not destroy {} on shutdown: {}", m.tap.name(), std::strerror(-rc));
    registry_.all().clear();
}

}  // namespace ifctl::daemon
