#include "daemon_ops.hpp"

#include <atomic>
#include <cerrno>

#include "daemon_link.hpp"
#include "read_scope.hpp"
#include "snapshot_link.hpp"

namespace ifctl::ioctl_layer {
namespace {

using client::snapshot::Found;
using client::snapshot::Why;

// Errors that mean the connection itself failed, not the request.
bool transport_failure(int rc) {
    // ETIMEDOUT: a reply that comes later would answer the wrong request.
    return rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN || rc == -EBADMSG || rc == -EMSGSIZE ||
           rc == -ETIMEDOUT;
}

Reach classify(int rc, bool unmanaged) {
    if (rc == -ENODEV) return Reach::Unknown;
    if (rc == -EPERM && unmanaged) return Reach::Unmanaged;
    return Reach::Managed;
}

// Changes this process handed to the kernel (note_kernel_change), and how
// many of them the daemon had read when this process last caught up.
std::atomic<uint64_t> g_own_kernel_changes{0};
std::atomic<uint64_t> g_own_kernel_changes_seen{0};

// Before a read from the snapshot: a round trip if this process changed
// something through the kernel since the last one. Any request makes the
// daemon read the kernel's pending events and publish them before it
// answers; a brief get of index 1 (the loopback of any namespace) is the
// smallest. Left pending when the daemon cannot be reached.
void catch_up_with_own_changes() {
    const uint64_t made = g_own_kernel_changes.load(std::memory_order_acquire);
    if (made == g_own_kernel_changes_seen.load(std::memory_order_acquire)) return;
    proto::Interface scratch;
    const Link link = with_daemon([&](client::Connection& c) {
        return !transport_failure(c.get(client::InterfaceRef::by_index(1), scratch, true).error);
    });
    if (link != Link::Ok) return;
    uint64_t seen = g_own_kernel_changes_seen.load(std::memory_order_relaxed);
    while (seen < made && !g_own_kernel_changes_seen.compare_exchange_weak(seen, made)) {
    }
}

// A read-only request's lookup from the snapshot: true when it answered.
// `moved` says the daemon replaced it: the round trip that follows fetches the new one.
// Only what the daemon's answer would carry is decoded: a brief lookup's
// record has no addresses, memberships or statistics.
bool from_snapshot(const client::InterfaceRef& t, bool with_addresses, Lookup& out, bool& moved) {
    if (!t_request_reads_only) return false;
    catch_up_with_own_changes();
    Why why = Why::None;
    const proto::RecordParts parts = with_addresses ? proto::RecordParts::Whole : proto::RecordParts::Brief;
    switch (snapshot_record(t, out.rec, why, parts)) {
        case Found::Record: out.reach = out.rec.managed ? Reach::Managed : Reach::Unmanaged; return true;
        // An unknown name is rare and may be a daemon that restarted with
        // interfaces this region never saw (one killed without a stop leaves
        // its region looking live until its lease runs out): asked.
        case Found::Absent:
        case Found::Ask: break;
    }
    moved = why == Why::Moved;
    return false;
}

// The daemon's new snapshot, after the one mapped said it moved; the
// request's result.
int refetch_snapshot(client::Connection& c) {
    int fd = -1;
    const int rc = c.snapshot(fd);
    if (rc == 0) adopt_snapshot(fd);
    return rc;
}

}  // namespace

Lookup lookup(const client::InterfaceRef& t, bool with_addresses) {
    Lookup out;
    bool moved = false;
    if (from_snapshot(t, with_addresses, out, moved)) return out;
    const Link link = with_daemon([&](client::Connection& c) {
        if (moved) refetch_snapshot(c);
        const client::Result r = c.get(t, out.rec, !with_addresses);
        if (transport_failure(r.error)) return false;
        out.reach = r.ok() ? (out.rec.managed ? Reach::Managed : Reach::Unmanaged) : classify(r.error, r.unmanaged);
        return true;
    });
    // A lookup changes nothing: a broken one is as good as no daemon.
    if (link != Link::Ok) out.reach = Reach::Unreachable;
    return out;
}

bool list_all(std::span<const proto::Interface>& out, client::snapshot::Version* version) {
    bool moved = false;
    if (version) *version = {};
    if (t_request_reads_only) {
        catch_up_with_own_changes();
        Why why = Why::None;
        if (snapshot_all(out, why, proto::RecordParts::Listing, version) == Found::Record) return true;
        if (version) *version = {};
        moved = why == Why::Moved;
    }
    thread_local std::vector<proto::Interface> listed;
    bool ok = false;
    (void)with_daemon([&](client::Connection& c) {
        if (moved) refetch_snapshot(c);
        const int rc = c.list(listed);
        if (transport_failure(rc)) return false;
        ok = rc == 0;
        return true;
    });
    out = listed;
    return ok;
}

Conf kernel_conf(uint64_t socket_netns, std::span<const uint8_t>& out) {
    out = {};
    uint64_t daemon_netns = 0;
    bool published = false;
    if (t_request_reads_only) {
        catch_up_with_own_changes();
        Why why = Why::None;
        published = snapshot_kernel_ifconf(out, why, daemon_netns) == Found::Record;
        if (!published && (why == Why::Moved || why == Why::Retired)) {
            // A new daemon's snapshot, or the moved one's successor: a stopped daemon's
            // connection breaks before the request leaves, and with_daemon reconnects.
            (void)with_daemon([](client::Connection& c) { return !transport_failure(refetch_snapshot(c)); });
            published = snapshot_kernel_ifconf(out, why, daemon_netns) == Found::Record;
        }
    }
    const bool here = socket_netns && daemon_netns ? socket_netns == daemon_netns : daemon_in_our_netns();
    if (!here) return Conf::DaemonList;
    return published ? Conf::Published : Conf::Kernel;
}

void note_kernel_change() { g_own_kernel_changes.fetch_add(1, std::memory_order_release); }

Sent change(const std::function<client::Result(client::Connection&)>& op) {
    Sent out;
    const Link link = with_daemon([&](client::Connection& c) {
        const client::Result r = op(c);
        if (transport_failure(r.error)) return false;
        out.reach = classify(r.error, r.unmanaged);
        out.err = -r.error;
        return true;
    });
    if (link == Link::NoDaemon) out.reach = Reach::Unreachable;
    if (link == Link::Broken) {
        out.reach = Reach::Broken;
        out.err = EIO;
    }
    return out;
}

}  // namespace ifctl::ioctl_layer
