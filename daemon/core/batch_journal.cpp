// A batch's intent on disk (docs/persistence.md, "A batch and a crash"):
// Persistence::begin_batch() writes batch.json before the first step,
// end_batch() removes it when the batch has committed or been rolled back, and
// roll_back_batch() at the next start puts back what a batch a crash
// interrupted had changed. The steps' inverses live only in the dispatcher's
// memory; what survives a crash is each interface as it was before the batch.
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/core/persistence.hpp"

namespace ifctl::daemon {

namespace {

std::string err(int rc) { return std::strerror(rc < 0 ? -rc : rc); }

std::string addr_text(const proto::Address& a) {
    return proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix);
}

// An inet6 link-local or autoconfigured address: the kernel's, not the batch's.
bool kernels_own(const proto::Address& a) {
    return a.family == AF_INET6 && (!(a.flags & IFA_F_PERMANENT) || (a.local[0] == 0xfe && (a.local[1] & 0xc0) == 0x80));
}

bool holds(const std::vector<proto::Address>& list, const proto::Address& a) {
    return std::any_of(list.begin(), list.end(), [&](const proto::Address& x) { return x.same_local(a) && x.prefix == a.prefix; });
}

// Puts link `index` back as `was` describes it: name, MAC, MTU, txqueuelen,
// description, addresses (those added deleted, those deleted added back),
// flags. Failures are appended to `problems`.
void roll_back_link(Netlink& nl, uint32_t index, const StoredInterface& was, std::vector<std::string>& problems) {
    auto fail = [&](const std::string& what, int e) { problems.push_back(what + ": " + err(e)); };
    const proto::Interface now = *nl.find(index);  // a copy: changes below do not refresh the view
    LinkChange c;
    if (now.name != was.name) {
        LinkChange down;  // a link is renamed only while down
        down.flags = 0;
        down.flags_mask = IFF_UP;
        if (int e = nl.change_link(index, down); e < 0) fail("down", e);
        c.name = was.name;
    }
    if (!was.lladdr.empty() && now.lladdr != was.lladdr) c.lladdr = was.lladdr;
    if (was.mtu && now.mtu != was.mtu) c.mtu = was.mtu;
    if (was.txqlen && now.txqlen != was.txqlen) c.txqlen = was.txqlen;
    if (now.description != was.description) c.ifalias = was.description;
    if (int e = nl.change_link(index, c); e < 0) fail("name/mac/mtu/txqueuelen/description", e);
    for (const proto::Address& a : now.addresses)
        if (!kernels_own(a) && !holds(was.addresses, a))
            if (int e = nl.delete_address(index, a); e < 0 && e != -EADDRNOTAVAIL) fail("deleting " + addr_text(a), e);
    // Read again: deleting a primary inet address takes its secondaries with it.
    nl.poll_events();
    const proto::Interface* after = nl.find(index);
    for (const proto::Address& a : was.addresses)
        if (!kernels_own(a) && after && !holds(after->addresses, a))
            if (int e = nl.restore_address(index, a); e < 0 && e != -EEXIST) fail("adding " + addr_text(a), e);
    LinkChange flags;
    flags.flags = was.flags & kUserFlags;
    flags.flags_mask = kUserFlags;
    if (int e = nl.change_link(index, flags); e < 0) fail("flags", e);
}

}  // namespace

int Persistence::begin_batch(const std::vector<uint32_t>& indexes, size_t steps) {
    BatchIntent b;
    b.steps = steps;
    b.first_new_id = registry_.peek_next_unique_id();
    for (uint32_t index : indexes)
        if (const Managed* m = registry_.find(index)) b.before.push_back(snapshot(index, *m));
    return store_.put_journal(encode_batch(b));
}

int Persistence::end_batch() { return store_.remove_journal(); }

void Persistence::roll_back_batch(Store::Loaded& loaded, Report& rep) {
    std::string bytes, why;
    const int rc = store_.get_journal(bytes);
    if (rc == -ENOENT) return;
    BatchIntent b;
    if (rc < 0 || decode_batch(bytes, b, why) < 0) {
        store_.set_journal_aside();
        rep.add(store_.path() + "/batch.json: " + (rc < 0 ? err(rc) : why) +
                "; the batch it describes cannot be rolled back; kept as batch.json.corrupt");
        return;
    }
    spdlog::warn("state: a batch of {} step(s) was interrupted before it committed: rolling back its changes to {} "
                 "interface(s)",
                 b.steps, b.before.size());
    auto record_of = [&](uint64_t id) {
        return std::find_if(loaded.records.begin(), loaded.records.end(),
                            [&](const StoredInterface& r) { return r.unique_id == id; });
    };
    for (const StoredInterface& was : b.before) {
        // The same TAP: at its index, still in the managed link group (a batch
        // may have renamed it or changed its MAC).
        const proto::Interface* k = kernel_.find(was.index);
        if (!k || k->kind != "tun" || !marked_.count(was.index)) {
            rep.add("rolling back an interrupted batch: " + was.name + " (index " + std::to_string(was.index) +
                    ") is no longer there");
            continue;
        }
        std::vector<std::string> problems;
        roll_back_link(kernel_, was.index, was, problems);
        for (const auto& p : problems) rep.add("rolling back an interrupted batch on " + was.name + ": " + p);
        // Its record is what it was, and re-adoption compares the kernel with that.
        if (auto it = record_of(was.unique_id); it != loaded.records.end()) *it = was;
        if (int e = store_.put(was); e < 0) rep.add("rolling back an interrupted batch: the record of " + was.name + ": " + err(e));
    }
    // Records of interfaces the batch created, left by a crash within its
    // commit: their TAPs and records go.
    for (auto it = loaded.records.begin(); it != loaded.records.end();) {
        const bool before = std::any_of(b.before.begin(), b.before.end(),
                                        [&](const StoredInterface& w) { return w.unique_id == it->unique_id; });
        if (it->unique_id < b.first_new_id || before) {
            ++it;
            continue;
        }
        if (const proto::Interface* k = kernel_.find(it->index); k && k->kind == "tun" && k->lladdr == it->lladdr)
            kernel_.delete_link(k->index);
        spdlog::info("state: {} (unique id {}) was created by the interrupted batch: removed", it->name, it->unique_id);
        forget(it->unique_id);
        it = loaded.records.erase(it);
    }
    kernel_.poll_events();
    if (int e = store_.remove_journal(); e < 0) rep.add(store_.path() + "/batch.json: cannot be removed: " + err(e));
}

}  // namespace ifctl::daemon
