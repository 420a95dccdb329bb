#include "snapshot_link.hpp"
#include "libifctl/src/environment.hpp"

#include <strings.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>

#include "notes.hpp"

namespace ifctl::ioctl_layer {

using client::snapshot::Found;
using client::snapshot::Mapping;
using client::snapshot::Why;

namespace {

std::atomic<const Mapping*> g_current{nullptr};

// Mappings replaced by a newer one. A reader on another thread may still be
// copying from one (readers take no lock: a shared counter would cost every
// read a contended cache line), so they stay mapped until kKeepReplaced newer
// replacements have happened, each of which needed a round trip to the daemon;
// a read lasts microseconds. Replacements are rare: the region grows by
// doubling (at most nine times up to the ceiling) or the daemon restarts.
constexpr size_t kKeepReplaced = 8;
std::deque<Mapping*> g_replaced;

}  // namespace

bool snapshot_wanted() {
    static const bool wanted = [] {
        const char* v = ifctl::client::ifctl_env("IFCTL_SNAPSHOT");
        return !(v && (!std::strcmp(v, "0") || !::strcasecmp(v, "off") || !::strcasecmp(v, "no")));
    }();
    return wanted;
}

void adopt_snapshot(int fd) {
    if (fd < 0) return;
    auto* m = new Mapping;
    std::string why;
    if (!client::snapshot::map_snapshot(fd, *m, why)) {
        debug_note("ifctl: the daemon's snapshot is not usable (%s); reads ask the daemon", why.c_str());
        delete m;
        return;
    }
    const Mapping* cur = g_current.load(std::memory_order_acquire);
    if (cur && cur->dev == m->dev && cur->ino == m->ino) {  // the one mapped already (a reconnect, a child's hello)
        client::snapshot::unmap_snapshot(*m);
        delete m;
        return;
    }
    g_current.store(m, std::memory_order_release);
    if (cur) g_replaced.push_back(const_cast<Mapping*>(cur));
    while (g_replaced.size() > kKeepReplaced) {
        client::snapshot::unmap_snapshot(*g_replaced.front());
        delete g_replaced.front();
        g_replaced.pop_front();
    }
}

Found snapshot_record(const client::InterfaceRef& t, proto::Interface& out, Why& why, proto::RecordParts parts) {
    const Mapping* m = g_current.load(std::memory_order_acquire);
    why = Why::Other;
    if (!m) return Found::Ask;
    return client::snapshot::read_record(m->region, t, out, &why, parts);
}

Found snapshot_all(std::span<const proto::Interface>& out, Why& why, proto::RecordParts parts,
                   client::snapshot::Version* version) {
    const Mapping* m = g_current.load(std::memory_order_acquire);
    why = Why::Other;
    if (!m) return Found::Ask;
    return client::snapshot::read_all(m->region, out, &why, parts, version);
}

Found snapshot_kernel_ifconf(std::span<const uint8_t>& out, Why& why, uint64_t& daemon_netns) {
    const Mapping* m = g_current.load(std::memory_order_acquire);
    why = Why::Other;
    daemon_netns = 0;
    if (!m) return Found::Ask;
    return client::snapshot::read_kernel_ifconf(m->region, out, &why, &daemon_netns);
}

}  // namespace ifctl::ioctl_layer
