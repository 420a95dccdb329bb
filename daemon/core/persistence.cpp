#include "persistence.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "daemon/core/fdstore.hpp"
#include "daemon/kernel/managed_mark.hpp"
#include "daemon/kernel/multicast.hpp"

namespace ifctl::daemon {

namespace {

// Up to this many records, a group commit fsyncs each file: cheaper than one
// syncfs, which also flushes whatever else is being written on that file system.
constexpr size_t kFewRecords = 8;

std::string err(int rc) { return std::strerror(rc < 0 ? -rc : rc); }

bool is_tap(const proto::Interface& k) { return k.kind == "tun" && k.hw_type == ARPHRD_ETHER; }

std::string addr_text(const proto::Address& a) {
    return proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix);
}

// The link-local address the kernel derives from a MAC when the link comes up
// (addr_gen_mode eui64): fe80::/64 with the modified EUI-64 interface id.
bool eui64_link_local(const proto::Address& a, const std::vector<uint8_t>& mac) {
    if (a.family != AF_INET6 || a.prefix != 64 || mac.size() != 6) return false;
    const uint8_t want[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(mac[0] ^ 0x02), mac[1], mac[2],
                              0xff, 0xfe, mac[3], mac[4], mac[5]};
    return std::memcmp(a.local.data(), want, sizeof want) == 0;
}

// An address the kernel made itself (an inet6 autoconfigured one, or the
// link-local one it adds when the link comes up, whose event a record written
// just before a stop may not have seen): it comes and goes with carrier and
// DAD, so it is no difference to report.
bool kernel_made(const proto::Address& a, const std::vector<uint8_t>& mac) {
    return a.family == AF_INET6 && (!(a.flags & IFA_F_PERMANENT) || eui64_link_local(a, mac));
}

bool has_address(const std::vector<proto::Address>& list, const proto::Address& a) {
    for (const auto& x : list)
        if (x.same_local(a) && x.prefix == a.prefix) return true;
    return false;
}

// The registry entry a record describes (the record's netns is not carried:
// an entry in the registry lives in our namespace).
Managed managed_from(const StoredInterface& r, Tap tap) {
    Managed m;
    m.tap = std::move(tap);
    m.owner = r.owner;
    m.unique_id = r.unique_id;
    m.caller_id = r.caller_id;
    m.unique_family = r.unique_family;
    m.metric = r.metric;
    m.max_queues = r.max_queues;
    for (const auto& mac : r.multicast) m.multicast.add(kPlain, mac);
    m.group = r.group;
    m.persistent = r.persistent;
    m.groups = r.groups;
    m.no_dad = r.no_dad;
    return m;
}

}  // namespace

int apply_config(Kernel& nl, uint32_t index, const StoredInterface& r, bool link, std::vector<std::string>& problems) {
    int first = 0;
    auto fail = [&](const std::string& step, int e) {
        problems.push_back(step + ": " + err(e));
        if (!first) first = e;
    };
    if (link) {
        LinkChange c;
        if (!r.lladdr.empty()) c.lladdr = r.lladdr;
        if (r.mtu) c.mtu = r.mtu;
        if (r.txqlen) c.txqlen = r.txqlen;
        if (!r.description.empty()) c.ifalias = r.description;
        if (!r.auto_linklocal) c.auto_linklocal = false;
        if (int e = nl.change_link(index, c); e < 0) fail("mac/mtu/txqueuelen/description", e);
    }
    for (const proto::Address& a : r.addresses) {
        proto::Address plain = a;
        plain.flags = 0;
        // EEXIST: the kernel made it itself (an inet6 link-local address).
        if (int e = nl.add_address(index, plain); e < 0 && e != -EEXIST) fail("address " + addr_text(a), e);
    }
    const proto::Interface* k = nl.find(index);
    for (const auto& mac : r.multicast)
        if (int e = k ? add_multicast(k->name, mac) : -ENODEV; e < 0) fail("multicast membership", e);
    LinkChange up;
    up.flags = r.flags & kUserFlags;
    up.flags_mask = kUserFlags;
    if (int e = nl.change_link(index, up); e < 0) fail("flags", e);
    return first;
}

void Persistence::Report::add(std::string line) {
    spdlog::warn("state: {}", line);
    problems.push_back(std::move(line));
}

Persistence::Persistence(Netlink& kernel, Registry& registry, Store& store)
    : kernel_(kernel), registry_(registry), store_(store) {}

StoredInterface Persistence::snapshot(uint32_t index, const Managed& m) {
    StoredInterface r;
    r.unique_id = m.unique_id;
    r.unique_family = m.unique_family;
    r.caller_id = m.caller_id;
    r.owner = m.owner;
    r.group = m.group;
    r.vnet_hdr = m.tap.vnet_hdr();
    r.max_queues = m.max_queues;
    r.metric = m.metric;
    r.persistent = m.persistent;
    r.netns = m.netns;
    // Per-connection memberships end with their connections; plain ones are configuration.
    r.multicast = m.multicast.of(kPlain);
    r.groups = m.groups;
    r.no_dad = m.no_dad;
    r.index = index;
    const proto::Interface* k = m.netns.empty() ? kernel_.find(index) : nullptr;
    r.name = k ? k->name : m.tap.name();
    if (k) {
        r.mtu = k->mtu;
        r.txqlen = k->txqlen;
        r.flags = k->flags;
        r.lladdr = k->lladdr;
        // Without the link-local address the kernel makes itself when the link
        // comes up (and makes again at a restore): its event comes after the
        // reply, and every record would be written twice.
        for (const proto::Address& a : k->addresses)
            if (!(k->auto_linklocal && eui64_link_local(a, k->lladdr))) r.addresses.push_back(a);
        r.description = k->description;
        r.auto_linklocal = k->auto_linklocal;
    }
    return r;
}

int Persistence::record(uint32_t index) {
    const Managed* m = registry_.find(index);
    if (!m) return 0;
    dirty_.erase(index);
    // A new id advanced the counter: the group commit writes it.
    if (registry_.peek_next_unique_id() != written_next_id_ && on_dirty) on_dirty();
    // In a batch: written once, as the batch leaves it, when it ends.
    if (deferred_) {
        staged_.insert(index);
        return 0;
    }
    return store_.put(snapshot(index, *m));
}

int Persistence::end_deferred() {
    deferred_ = false;
    // The id counter first (the group commit writes it again if this fails).
    if (const uint64_t next_id = registry_.peek_next_unique_id(); next_id != written_next_id_)
        if (store_.put_next_id(next_id) == 0) written_next_id_ = next_id;
    std::vector<StoredInterface> records;
    for (uint32_t index : staged_)
        if (const Managed* m = registry_.find(index)) records.push_back(snapshot(index, *m));
    const int rc = store_.put_many(records);
    for (uint32_t index : staged_) {
        if (rc == 0) dirty_.erase(index);  // written as it is now
        else dirty_.insert(index);         // the group commit tries again
    }
    for (uint32_t index : persist_later_) {
        Managed* m = registry_.find(index);
        if (!m || rc < 0) continue;
        if (int e = m->tap.set_persist(true); e < 0) spdlog::warn("{}: TUNSETPERSIST: {}", m->tap.name(), err(e));
        fdstore_put(m->unique_id, m->tap.fd());
    }
    persist_later_.clear();
    staged_.clear();
    // What else changed while the batch ran goes with the next group commit.
    if (!dirty_.empty() && on_dirty) on_dirty();
    return rc;
}

int Persistence::forget(uint64_t unique_id, bool sync_dir) {
    fdstore_remove(unique_id);
    return store_.remove(unique_id, sync_dir);
}

void Persistence::note_change(uint32_t index) {
    if (!registry_.find(index)) return;
    const bool was_clean = dirty_.empty();
    dirty_.insert(index);
    if (was_clean && on_dirty) on_dirty();
}

bool Persistence::note_deleted(const Managed& m) {
    // A persistent interface keeps its record: it is recreated now
    // (recreate_deleted) or at the next start.
    if (m.persistent) {
        spdlog::warn("persistent {} (unique id {}) was deleted outside ifctld; its record is kept", m.tap.name(),
                     m.unique_id);
        return true;
    }
    if (int rc = forget(m.unique_id); rc < 0)
        spdlog::error("could not remove the record of unique id {}: {}", m.unique_id, err(rc));
    return false;
}

int Persistence::recreate_deleted(uint64_t unique_id) {
    StoredInterface r;
    std::string why;
    if (int rc = store_.get(unique_id, r, why); rc < 0) {
        spdlog::error("cannot recreate unique id {}: its record: {}", unique_id, why);
        return rc;
    }
    const auto now = std::chrono::steady_clock::now();
    if (auto it = recreated_at_.find(unique_id); it != recreated_at_.end() && now - it->second < kRecreateQuiet) {
        spdlog::error("persistent {} was deleted again within {} s of being recreated; it stays deleted until ifctld "
                      "next starts (its record is kept)",
                      r.name, kRecreateQuiet.count());
        return -EBUSY;
    }
    recreated_at_[unique_id] = now;
    Report rep;
    return recreate(r, rep) ? 0 : -EIO;  // its problems are logged
}

int Persistence::flush() {
    const uint64_t next_id = registry_.peek_next_unique_id();
    if (dirty_.empty() && next_id == written_next_id_) return commit_error_ = 0;
    int rc = 0;
    // The id counter goes with the group commit: a crash within it can only
    // reuse ids of interfaces whose records were never written. A batch's
    // creates write theirs at its end, and the counter with them.
    if (next_id != written_next_id_ && !deferred_) {
        if (int r = store_.put_next_id(next_id); r < 0) rc = r;
        else written_next_id_ = next_id;
    }
    std::vector<StoredInterface> records;
    std::set<uint32_t> still_dirty;  // failed, or staged by a batch
    for (uint32_t index : dirty_) {
        if (staged_.count(index)) {
            still_dirty.insert(index);  // the batch's end writes it
            continue;
        }
        if (const Managed* m = registry_.find(index)) records.push_back(snapshot(index, *m));
    }
    if (records.size() > kFewRecords) {
        // One syncfs for all of them: an fsync per file made re-adopting 4096
        // TAPs take half a minute (docs/performance.md).
        if (int r = store_.put_many(records); r < 0) {
            rc = r;
            still_dirty = dirty_;
        }
    } else {
        for (const StoredInterface& r : records)
            if (int e = store_.put(r, false); e < 0) {
                rc = e;
                still_dirty.insert(r.index);
            }
        if (int r = store_.sync(); r < 0 && rc == 0) rc = r;
    }
    dirty_ = std::move(still_dirty);
    if (rc < 0 && commit_error_ == 0) spdlog::error("writing interface state to {}: {}", store_.path(), err(rc));
    commit_error_ = rc;
    return rc;
}

int Persistence::preflight() {
    if (commit_error_ && flush() < 0) return commit_error_;
    return store_.writable();
}

// ---- start: re-adoption and recreation ------------------------------------

const proto::Interface* Persistence::locate(const StoredInterface& r, const Tap* kept) {
    auto usable = [this](const proto::Interface* k) { return k && is_tap(*k) && !registry_.find(k->index); };
    if (kept) {
        const proto::Interface* k = kernel_.find(kept->name());
        return usable(k) ? k : nullptr;
    }
    // Only the recorded index with the recorded MAC proves it is the same TAP
    // (renamed while we were away, perhaps): a name, or an index alone, may
    // since have been given to someone else's TAP.
    const proto::Interface* k = kernel_.find(r.index);
    return usable(k) && !r.lladdr.empty() && k->lladdr == r.lladdr ? k : nullptr;
}

void Persistence::report_stranger(const StoredInterface& r, Report& rep) {
    const proto::Interface* k = kernel_.find(r.name);
    if (!k) k = kernel_.find(r.index);
    if (!k || registry_.find(k->index)) return;
    rep.add(k->name + " (index " + std::to_string(k->index) + ", ether " + proto::format_lladdr(k->lladdr) +
            ") is not the TAP unique id " + std::to_string(r.unique_id) + " recorded (" + r.name + ", index " +
            std::to_string(r.index) + ", ether " + proto::format_lladdr(r.lladdr) + "): left unmanaged");
}

bool Persistence::report_differences(const StoredInterface& r, const proto::Interface& k, Report& rep) {
    std::vector<std::string> diffs;
    if (k.name != r.name) diffs.push_back("name " + r.name + " -> " + k.name);
    if (k.mtu != r.mtu) diffs.push_back("mtu " + std::to_string(r.mtu) + " -> " + std::to_string(k.mtu));
    if (r.txqlen && k.txqlen != r.txqlen)  // 0: a record without it
        diffs.push_back("txqueuelen " + std::to_string(r.txqlen) + " -> " + std::to_string(k.txqlen));
    if (k.lladdr != r.lladdr)
        diffs.push_back("ether " + proto::format_lladdr(r.lladdr) + " -> " + proto::format_lladdr(k.lladdr));
    if ((k.flags & kUserFlags) != (r.flags & kUserFlags)) diffs.push_back("flags");
    for (const auto& a : r.addresses)
        if (!kernel_made(a, r.lladdr) && !has_address(k.addresses, a))
            diffs.push_back("address " + addr_text(a) + " gone");
    for (const auto& a : k.addresses)
        if (!kernel_made(a, k.lladdr) && !has_address(r.addresses, a))
            diffs.push_back("address " + addr_text(a) + " added");
    if (diffs.empty()) return false;
    std::string line = k.name + " changed while ifctld was not running (the kernel's state is kept):";
    for (const auto& d : diffs) line += " " + d + ";";
    line.pop_back();
    rep.add(line);
    return true;
}

bool Persistence::adopt(const StoredInterface& r, const proto::Interface& k, Tap tap, Report& rep) {
    const bool from_store = tap.fd() >= 0;
    if (!from_store)
        if (int rc = Tap::attach(kernel_.tun(), k.name, r.vnet_hdr, tap); rc < 0) {
            rep.add("cannot re-adopt " + k.name + " (unique id " + std::to_string(r.unique_id) +
                                   "): " + err(rc));
            return false;
        }
    if (int rc = tap.set_persist(true); rc < 0) spdlog::warn("{}: TUNSETPERSIST: {}", k.name, err(rc));
    if (int rc = tap.restrict_to_root(); rc < 0) spdlog::warn("{}: kernel owner: {}", k.name, err(rc));
    const bool changed = report_differences(r, k, rep);
    const uint32_t index = k.index;
    if (!marked_.count(index))
        if (int e = mark_managed(kernel_, index); e < 0) spdlog::warn("{}: link group: {}", k.name, err(e));
    Managed& in = registry_.add(index, managed_from(r, std::move(tap)));
    // Client queues that outlived the daemon keep the frames: our queue steps aside.
    kernel_.refresh_link(index);
    if (const proto::Interface* now = kernel_.find(index); now && now->queues > 1 && in.tap.detach_own() == 0)
        kernel_.refresh_link(index);
    if (!from_store) fdstore_put(in.unique_id, in.tap.fd());
    if (k.name != r.name || k.index != r.index) record(index);
    else if (changed) note_change(index);  // the record already says what the kernel has otherwise
    return true;
}

bool Persistence::recreate(const StoredInterface& r, Report& rep) {
    const std::string what = r.name + " (unique id " + std::to_string(r.unique_id) + ")";
    if (kernel_.find(r.name)) {
        rep.add("cannot recreate " + what + ": another interface has that name");
        return false;
    }
    Tap tap;
    int rc = Tap::create(kernel_.tun(), r.name, r.vnet_hdr, tap, r.index);
    if (rc < 0 && r.index) rc = Tap::create(kernel_.tun(), r.name, r.vnet_hdr, tap);  // the index is taken: any will do
    if (rc < 0) {
        rep.add("cannot recreate " + what + ": " + err(rc));
        return false;
    }
    kernel_.poll_events();
    const proto::Interface* k = kernel_.find(tap.name());
    if (!k) {
        rep.add("recreated " + what + " but the kernel does not report it");
        return false;
    }
    const uint32_t index = k->index;
    auto fail = [&](const std::string& step, int e) {
        rep.add("recreating " + what + ": " + step + ": " + err(e));
    };
    if (int e = mark_managed(kernel_, index); e < 0) fail("link group", e);
    std::vector<std::string> problems;
    apply_config(kernel_, index, r, true, problems);
    for (const auto& p : problems) rep.add("recreating " + what + ": " + p);
    if (int e = tap.set_persist(true); e < 0) fail("TUNSETPERSIST", e);
    Managed& in = registry_.add(index, managed_from(r, std::move(tap)));
    fdstore_put(in.unique_id, in.tap.fd());
    kernel_.poll_events();
    if (int e = record(index); e < 0) fail("writing its record", e);
    spdlog::info("recreated persistent {} (index {}{})", r.name, index,
                 index == r.index ? "" : ", was " + std::to_string(r.index));
    return true;
}

Persistence::Report Persistence::restore(std::map<uint64_t, UniqueFd> kept) {
    Report rep;
    Store::Loaded loaded = store_.load();
    registry_.reserve_unique_id(loaded.max_id);
    registry_.reserve_unique_id(loaded.next_id - 1);
    written_next_id_ = loaded.next_id;
    for (auto& p : loaded.problems) rep.add(std::move(p));
    marked_ = kernel_.group_members(kManagedLinkGroup).value_or(std::set<uint32_t>{});
    roll_back_batch(loaded, rep);
    for (const StoredInterface& r : loaded.records) {
        registry_.reserve_unique_id(r.unique_id);
        // A detached unique-id slot, or a TAP living in another namespace (unless
        // a crash came between writing its record and moving it: then it is
        // still here): the record is kept as it is.
        if (!r.attached && !r.unique_family.empty())
            registry_.set_slot({r.unique_family, r.caller_id}, Slot{r.name, r.index, r.lladdr, r.mtu, false, r.unique_id});
        if (!r.attached || (!r.netns.empty() && !locate(r, nullptr))) {
            ++rep.kept;
            continue;
        }
        Tap from_store;
        if (auto it = kept.find(r.unique_id); it != kept.end()) {
            if (int rc = Tap::from_fd(kernel_.tun(), std::move(it->second), from_store); rc < 0)
                spdlog::warn("the stored queue of unique id {} is unusable: {}", r.unique_id, err(rc));
            kept.erase(it);
        }
        const proto::Interface* k = locate(r, from_store.fd() >= 0 ? &from_store : nullptr);
        if (!k && from_store.fd() >= 0) {
            from_store = Tap();
            k = locate(r, nullptr);
        }
        if (k) {
            if (adopt(r, *k, std::move(from_store), rep)) ++rep.adopted;
            continue;
        }
        report_stranger(r, rep);
        if (r.persistent) {
            if (recreate(r, rep)) ++rep.recreated;
        } else {
            spdlog::info("{} (unique id {}) is gone from the kernel and not persistent: forgotten", r.name,
                         r.unique_id);
            if (int rc = forget(r.unique_id); rc < 0)
                rep.add("cannot remove the record of " + r.name + ": " + err(rc));
            ++rep.forgotten;
        }
    }
    for (auto& [id, fd] : kept) fdstore_remove(id);  // queues of records that no longer exist
    // The slots of caller-chosen ids in use again.
    for (auto& [index, m] : registry_.all())
        if (!m.unique_family.empty())
            if (const proto::Interface* k = kernel_.find(index))
                registry_.set_slot({m.unique_family, m.caller_id}, Slot{k->name, index, k->lladdr, k->mtu, true, m.unique_id});
    if (flush() < 0) rep.add("writing the re-adopted state failed");
    return rep;
}

// ---- clean stop -------------------------------------------------------------

void Persistence::shutdown(bool for_good) {
    watch_moved();
    flush();
    if (!for_good) {
        // A restart: every TAP stays (IFF_PERSIST), with its record, for the
        // next daemon to re-adopt; their queues stay in systemd's fd store.
        if (!registry_.all().empty())
            spdlog::info("leaving {} TAP(s) in place for the next start", registry_.all().size());
        registry_.all().clear();
        registry_.moved().clear();
        return;
    }
    std::vector<uint32_t> doomed;
    for (auto& [index, m] : registry_.all()) {
        if (m.persistent) {
            spdlog::info("leaving persistent {} in place", m.tap.name());
            continue;
        }
        // A queue someone holds (a VM's) is never cut: the TAP stays, managed,
        // until its next start or a reboot.
        kernel_.refresh_link(index);
        const proto::Interface* k = kernel_.find(index);
        if (k && k->queues > (m.tap.own_attached() ? 1u : 0u)) {
            spdlog::info("leaving {} in place: a client holds a queue of it", k->name);
            continue;
        }
        doomed.push_back(index);
    }
    // All at once (one RCU grace period in the kernel, not one per TAP: a
    // stop with thousands of TAPs stays within systemd's stop timeout); what
    // that could not delete, one by one.
    const std::vector<uint32_t> left = kernel_.delete_links(doomed);
    if (doomed.size() > left.size()) spdlog::info("destroyed {} TAPs at once", doomed.size() - left.size());
    for (uint32_t index : left) {
        const proto::Interface* k = kernel_.find(index);
        if (int rc = kernel_.delete_link(index); rc < 0 && rc != -ENODEV)
            spdlog::warn("could not destroy {} on shutdown: {}", k ? k->name : registry_.all().at(index).tap.name(),
                         err(rc));
    }
    // Their records go too, with one directory fsync for all.
    for (uint32_t index : doomed) forget(registry_.all().at(index).unique_id, false);
    if (!doomed.empty()) store_.sync();
    for (auto& [id, m] : registry_.moved())
        if (!m.persistent) {
            // Not in our namespace: without IFF_PERSIST it goes when its last queue closes.
            m.tap.set_persist(false);
            forget(id);
        }
    registry_.all().clear();
    registry_.moved().clear();
}

}  // namespace ifctl::daemon
