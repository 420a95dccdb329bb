// Keeps the state directory (store/) in step with the registry and the kernel,
// and brings managed interfaces back at start.
//
//  * What only the daemon knows is written synchronously by the handler that
//    changes it (record()), before the reply: create, metric, owner,
//    persistence, namespace moves; destroy removes the record.
//  * Configuration the kernel holds (name, MTU, flags, MAC, addresses) is
//    marked dirty on every change, the daemon's own and those made behind its
//    back (note_change()), and written by group commit (flush()) from a timer
//    at most kCommitDelay later, or at once for a request with Durable.
//  * restore() at start re-adopts every interface a record names (a new queue
//    by TUNSETIFF on the same name, or the queue systemd kept), reports what
//    changed while the daemon was away, recreates persistent ones the kernel
//    lost (a reboot), and forgets non-persistent ones that are gone.
//  * shutdown() on a stop for good destroys the non-persistent TAPs nobody
//    holds a queue of; on any other stop (a restart) it leaves every TAP.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/core/registry.hpp"
#include "daemon/kernel/netlink.hpp"
#include "daemon/store/store.hpp"

namespace ifctl::daemon {

inline constexpr std::chrono::milliseconds kCommitDelay{20};
inline constexpr std::chrono::seconds kRecreateQuiet{10};

class Persistence {
public:
    Persistence(Netlink& kernel, Registry& registry, Store& store);

    struct Report {
        size_t adopted = 0, recreated = 0, forgotten = 0, kept = 0;
        std::vector<std::string> problems;  // unreadable records, conflicts, failed re-applies
        // Logs one problem (each the start summary counts is described) and keeps it.
        void add(std::string line);
    };
    // Start: brings back what the state directory names. `kept`: TAP queues
    // systemd's fd store passed back, by unique id.
    Report restore(std::map<uint64_t, UniqueFd> kept = {});

    // The record of a managed interface as it should be on disk now.
    StoredInterface snapshot(uint32_t index, const Managed& m);
    // Writes it now (file and directory fsync'd); in a batch, at its end
    // (end_deferred). 0 or -errno.
    int record(uint32_t index);
    int record(const StoredInterface& r) { return store_.put(r); }

    // A batch: the interfaces recorded meanwhile (record(index)) have their
    // records written by end_deferred(), once each, as the batch left them,
    // all with one disk flush, before the batch is answered. TAPs created
    // meanwhile get IFF_PERSIST and go to the fd store only then, so a crash
    // before it leaves neither their records nor the TAPs. end_deferred: 0 or
    // -errno (then no record of it replaced an old one, and the batch must be
    // rolled back).
    void begin_deferred() { deferred_ = true; }
    bool deferred() const { return deferred_; }
    void persist_later(uint32_t index) { persist_later_.push_back(index); }
    int end_deferred();
    int forget(uint64_t unique_id, bool sync_dir = true);

    // A batch's intent (record.hpp's BatchIntent), durable before its first
    // step: every interface it targets, as it is now. end_batch() once the
    // batch has committed or been rolled back. A crash in between, and the
    // next start rolls the batch back. 0 or -errno (batch_journal.cpp).
    int begin_batch(const std::vector<uint32_t>& indexes, size_t steps);
    int end_batch();

    // The kernel configuration of `index` changed (by us or behind our back).
    void note_change(uint32_t index);
    // A managed interface vanished from the kernel (deleted from outside).
    // Returns true when `m` is persistent: its record stays, for recreation.
    bool note_deleted(const Managed& m);
    // Makes a persistent TAP deleted from outside again from its record, as a
    // start after a reboot would ([daemon] recreate_deleted). Refuses (-EBUSY)
    // one deleted again within kRecreateQuiet of its last recreation: someone
    // insists, and the daemon does not fight. 0 or -errno.
    int recreate_deleted(uint64_t unique_id);
    // TAPs moved into other namespaces, which no event of ours reports on:
    // the maintenance pass and a stop ask each its name (Tap::ask_name()). One
    // renamed there: its record takes the new name. One gone (deleted there,
    // or with its namespace): moved_gone().
    void watch_moved();
    // A TAP moved away whose device is gone is no longer ours. Its record goes,
    // unless it is persistent: then it says "here", and the next start makes
    // it again (as for a persistent TAP deleted here while ifctld was away).
    void moved_gone(uint64_t unique_id, const Managed& m);
    // Group commit: writes every dirty record, one directory fsync. 0 or -errno.
    int flush();
    bool dirty() const { return !dirty_.empty(); }
    // Called when something becomes dirty; main arms a kCommitDelay timer.
    std::function<void()> on_dirty;

    // Before a change is applied: 0 if it could be recorded, else -errno
    // (-EROFS, -ENOSPC, or the error of a group commit that keeps failing).
    int preflight();

    // Stop: pending records written. For good (stop_kind.hpp): non-persistent
    // TAPs no client holds a queue of are destroyed and forgotten, the others
    // left in place. Otherwise (a restart) every TAP is left in place.
    void shutdown(bool for_good);

private:
    const proto::Interface* locate(const StoredInterface& r, const Tap* kept);
    // A link that holds the record's name or index but is not provably its
    // TAP: reported, and left alone.
    void report_stranger(const StoredInterface& r, Report& rep);
    // At start, before re-adoption: puts back, in the kernel and the records,
    // what a batch a crash interrupted had changed (batch_journal.cpp).
    void roll_back_batch(Store::Loaded& loaded, Report& rep);
    bool adopt(const StoredInterface& r, const proto::Interface& k, Tap tap, Report& rep);
    bool recreate(const StoredInterface& r, Report& rep);
    // Logs what the kernel changed while we were away; false when nothing did.
    bool report_differences(const StoredInterface& r, const proto::Interface& k, Report& rep);
    // A moved TAP's record takes the name the TAP has now (watch_moved).
    void follow_rename(uint64_t unique_id, Managed& m);

    Netlink& kernel_;
    Registry& registry_;
    Store& store_;
    std::set<uint32_t> dirty_;
    bool deferred_ = false;
    // The interfaces whose records a batch writes at its end, all with one
    // flush; a group commit while the batch yields leaves them to it.
    std::set<uint32_t> staged_;
    std::vector<uint32_t> persist_later_;
    std::map<uint64_t, std::chrono::steady_clock::time_point> recreated_at_;
    std::set<uint32_t> marked_;  // at restore(): links already in kManagedLinkGroup
    int commit_error_ = 0;  // last group commit's failure, until one succeeds
    uint64_t written_next_id_ = 0;  // the next unique id as ids.json holds it
};

// Applies a record's kernel configuration to interface `index` as `nl` sees
// it: with `link`, MAC, MTU and txqueuelen; always addresses, multicast
// memberships and flags (what a namespace move loses). Failures are appended
// to `problems`; returns the first one's -errno, or 0.
int apply_config(Kernel& nl, uint32_t index, const StoredInterface& r, bool link, std::vector<std::string>& problems);

// Flags a user sets (and a recreation restores); the rest the kernel reports.
inline constexpr uint32_t kUserFlags = 0x1 /*UP*/ | 0x4 /*DEBUG*/ | 0x80 /*NOARP*/ | 0x100 /*PROMISC*/ |
                                       0x200 /*ALLMULTI*/ | 0x1000 /*MULTICAST*/ | 0x8000 /*DYNAMIC*/;

}  // namespace ifctl::daemon
