#include "daemon/core/snapshot.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "daemon/core/registry.hpp"
#include "daemon/kernel/kernel.hpp"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/snapshot_layout.hpp"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace ifctl::daemon {

namespace snap = proto::snapshot;

static_assert(sizeof(struct ifreq) == snap::kIfconfEntry, "the region's SIOCGIFCONF entries are struct ifreq");

namespace {

snap::Header& header(uint8_t* base) { return *reinterpret_cast<snap::Header*>(base); }

// The smallest capacity (a power of two, at least kMinCapacity, at most
// kMaxCapacity) that holds `n` entries.
uint32_t capacity_for(size_t n) {
    uint32_t c = snap::kMinCapacity;
    while (c < n && c < snap::kMaxCapacity) c *= 2;
    return c;
}

// What SIOCGIFCONF lists of an interface: each IPv4 address's label and
// address, in order (inet_gifconf).
std::string inet_listing(const proto::Interface& i) {
    std::string out;
    for (const proto::Address& a : i.addresses) {
        if (a.family != AF_INET) continue;
        out += a.label;
        out += '\0';
        out.append(a.local.begin(), a.local.end());
    }
    return out;
}

}  // namespace

std::vector<uint8_t> snapshot_record(const proto::Interface& view) {
    proto::Interface v = view;
    v.stats = {};
    v.may_change = false;
    proto::Writer w(0, 0, 0);
    try {
        proto::encode_interface(w, v, true);
        std::vector<uint8_t> rec = w.finish();
        rec.erase(rec.begin(), rec.begin() + proto::kHeaderSize);  // the record, without the frame's header
        return rec;
    } catch (const std::length_error&) {
        return {};  // larger than a frame (thousands of addresses): not in the snapshot, asked for
    }
}

// What one publication found: the interfaces in list order and their records.
struct Snapshot::Pending {
    std::vector<uint32_t> order;
    std::vector<std::string> names;
    std::vector<uint32_t> changed;  // entries (in `order`) whose record changed
    bool directory_changed = false;
    bool inet_changed = false;  // an IPv4 address or its label came, went or changed
};

Snapshot::Snapshot() {
    // Any socket made here is of the daemon's namespace; its threads that work
    // in another one (run_in_netns) never make the snapshot.
    if (const UniqueFd probe(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)); probe)
        netns_cookie_ = snap::netns_cookie_of(probe.get());
    if (!make_region(snap::kMinCapacity)) return;
    begin_write();
    header(base_).flags = snap::kComplete;
    end_write();
}

Snapshot::~Snapshot() {
    if (base_) ::munmap(base_, size_);
}

void Snapshot::touch(uint32_t index) {
    if (index == 0) all_touched_ = true;
    else touched_.insert(index);
}

// A new region of `capacity` entries, sealed so that nobody else may write,
// grow or shrink it; this process keeps its writable mapping (F_SEAL_WRITE
// would forbid that too: F_SEAL_FUTURE_WRITE is its form for a region whose
// maker keeps writing). The old region, if any, is told it moved.
bool Snapshot::make_region(uint32_t capacity) {
    const snap::Geometry g = snap::geometry(capacity);
    UniqueFd fd(::memfd_create("ifctld-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(g.size)) < 0) {
        spdlog::warn("snapshot: cannot make a region of {} bytes: {}; clients ask for every read", g.size,
                     std::strerror(errno));
        return false;
    }
    void* p = ::mmap(nullptr, g.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (p == MAP_FAILED) {
        spdlog::warn("snapshot: cannot map the region: {}", std::strerror(errno));
        return false;
    }
    if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0) {
        spdlog::warn("snapshot: cannot seal the region: {}; clients ask for every read", std::strerror(errno));
        ::munmap(p, g.size);
        return false;
    }
    auto* base = static_cast<uint8_t*>(p);
    snap::Header& h = header(base);
    h.magic = snap::kMagic;
    h.version = snap::kLayoutVersion;
    h.state = snap::kLive;
    h.lease_ns = snap::lease_clock_ns();
    h.size = g.size;
    h.capacity = capacity;
    h.slot_size = snap::kSlotSize;
    h.entries_off = g.entries_off;
    h.by_name_off = g.by_name_off;
    h.by_index_off = g.by_index_off;
    h.order_off = g.order_off;
    h.slots_off = g.slots_off;
    h.ifconf_off = g.ifconf_off;
    h.ifconf_room = g.ifconf_room;
    h.ifconf_len = snap::kOverflow;  // until write_all()
    h.generation = generation_;
    h.netns_cookie = netns_cookie_;
    if (base_) {
        begin_write();
        header(base_).state = snap::kMoved;
        end_write();
        ::munmap(base_, size_);
    }
    fd_ = std::move(fd);
    base_ = base;
    size_ = g.size;
    capacity_ = capacity;
    return true;
}

void Snapshot::begin_write() {
    snap::Header& h = header(base_);
    __atomic_store_n(&h.seq, h.seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

void Snapshot::end_write() {
    snap::Header& h = header(base_);
    h.generation = ++generation_;
    __atomic_store_n(&h.seq, h.seq + 1, __ATOMIC_RELEASE);
}

// Reads what changed since the last publication: the list (to see interfaces
// come, go or be renamed) and the records of touched interfaces.
bool Snapshot::build(Kernel& kernel, const Registry& registry, Pending& p) {
    const std::vector<const proto::Interface*> all = kernel.all();
    p.order.reserve(all.size());
    p.names.reserve(all.size());
    for (const proto::Interface* k : all) {
        p.order.push_back(k->index);
        p.names.push_back(k->name);
    }
    p.directory_changed = p.order != order_ || p.names != names_;
    if (p.directory_changed) {
        std::vector<std::vector<uint8_t>> records(all.size());
        std::vector<std::string> inet(all.size());
        std::unordered_map<uint32_t, uint32_t> entry_of;
        for (uint32_t e = 0; e < all.size(); ++e) {
            entry_of[all[e]->index] = e;
            auto old = entry_of_.find(all[e]->index);
            const bool fresh = all_touched_ || touched_.count(all[e]->index) || old == entry_of_.end() ||
                               names_[old->second] != all[e]->name;
            if (fresh) {
                const proto::Interface view = registry.view(*all[e], true);
                records[e] = snapshot_record(view);
                inet[e] = inet_listing(view);
            } else {
                records[e] = std::move(records_[old->second]);
                inet[e] = std::move(inet_[old->second]);
            }
        }
        records_ = std::move(records);
        inet_ = std::move(inet);
        entry_of_ = std::move(entry_of);
        order_ = p.order;
        names_ = p.names;
        p.inet_changed = true;
        return true;
    }
    auto refresh = [&](uint32_t e) {
        const proto::Interface view = registry.view(*all[e], true);
        std::vector<uint8_t> rec = snapshot_record(view);
        if (rec == records_[e]) return;
        records_[e] = std::move(rec);
        p.changed.push_back(e);
        std::string inet = inet_listing(view);
        if (inet == inet_[e]) return;
        inet_[e] = std::move(inet);
        p.inet_changed = true;
    };
    if (all_touched_) {
        for (uint32_t e = 0; e < all.size(); ++e) refresh(e);
    } else {
        for (uint32_t index : touched_)
            if (auto it = entry_of_.find(index); it != entry_of_.end()) refresh(it->second);
    }
    return !p.changed.empty();
}

void Snapshot::publish(Kernel& kernel, const Registry& registry) {
    if (!base_ || (!all_touched_ && touched_.empty())) return;
    Pending p;
    const bool changed = build(kernel, registry, p);
    all_touched_ = false;
    touched_.clear();
    // The kernel's SIOCGIFCONF answer goes stale with an IPv4 or device change:
    // said at once, read again by refresh_ifconf().
    bool ifconf_changed = false;
    if ((p.inet_changed || kernel.links_came_or_went() != links_seen_) && !ifconf_stale_) {
        ifconf_stale_ = ifconf_changed = true;
        if (on_ifconf_stale)
            on_ifconf_stale(std::max<std::chrono::microseconds>(std::chrono::milliseconds(1), 20 * ifconf_cost_));
    }
    if (!changed && !ifconf_changed) return;
    if (p.directory_changed) {
        const uint32_t want = capacity_for(order_.size());
        if (want != capacity_ && !make_region(want)) {
            // Keep serving from the region there is: what does not fit is asked for.
            spdlog::warn("snapshot: staying at {} entries for {} interfaces", capacity_, order_.size());
        }
        write_all();
        return;
    }
    begin_write();
    for (uint32_t e : p.changed) write_slot(e);
    if (ifconf_changed) write_ifconf();
    end_write();
}

void Snapshot::refresh_ifconf(Kernel& kernel) {
    if (!base_ || !ifconf_stale_) return;
    (void)read_ifconf(kernel);
    ifconf_stale_ = false;
    begin_write();
    write_ifconf();
    end_write();
}

// Reads the kernel's SIOCGIFCONF answer again; true if it differs from the
// one the region holds.
bool Snapshot::read_ifconf(Kernel& kernel) {
    const auto t0 = std::chrono::steady_clock::now();
    links_seen_ = kernel.links_came_or_went();
    std::vector<uint8_t> now;
    now.reserve(ifconf_.size() + 4 * snap::kIfconfEntry);
    const int rc = kernel.inet_ifconf(now);
    if (rc < 0 && ifconf_ok_)
        spdlog::warn("snapshot: cannot read SIOCGIFCONF: {}; callers in this namespace ask the kernel",
                     std::strerror(-rc));
    const bool ok = rc == 0;
    ifconf_cost_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    if (ok == ifconf_ok_ && now == ifconf_) return false;
    ifconf_ = std::move(now);
    ifconf_ok_ = ok;
    return true;
}

// The kernel's answer into its room, or marked as not there.
void Snapshot::write_ifconf() {
    snap::Header& h = header(base_);
    if (ifconf_stale_ || !ifconf_ok_ || ifconf_.size() > h.ifconf_room) {
        h.ifconf_len = snap::kOverflow;
        return;
    }
    if (!ifconf_.empty()) std::memcpy(base_ + h.ifconf_off, ifconf_.data(), ifconf_.size());
    h.ifconf_len = static_cast<uint32_t>(ifconf_.size());
}

// Writes one entry's record into its slot (or marks it as not there).
void Snapshot::write_slot(uint32_t e) {
    if (e >= capacity_) return;
    snap::Header& h = header(base_);
    auto* entries = reinterpret_cast<snap::Entry*>(base_ + h.entries_off);
    const std::vector<uint8_t>& rec = records_[e];
    if (rec.empty() || rec.size() > snap::kSlotSize) {
        entries[e].length = snap::kOverflow;
        return;
    }
    std::memcpy(base_ + h.slots_off + size_t{e} * snap::kSlotSize, rec.data(), rec.size());
    entries[e].length = static_cast<uint32_t>(rec.size());
}

// The directory and every record: after interfaces came, went or were renamed.
void Snapshot::write_all() {
    begin_write();
    snap::Header& h = header(base_);
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(order_.size(), capacity_));
    auto* entries = reinterpret_cast<snap::Entry*>(base_ + h.entries_off);
    for (uint32_t e = 0; e < n; ++e) {
        std::memset(entries[e].name, 0, sizeof entries[e].name);
        std::memcpy(entries[e].name, names_[e].data(), std::min(names_[e].size(), sizeof entries[e].name - 1));
        entries[e].index = order_[e];
        write_slot(e);
    }
    std::vector<uint32_t> by_name(n), by_index(n);
    std::iota(by_name.begin(), by_name.end(), 0u);
    std::iota(by_index.begin(), by_index.end(), 0u);
    std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) {
        return std::strncmp(entries[a].name, entries[b].name, sizeof entries[a].name) < 0;
    });
    std::sort(by_index.begin(), by_index.end(), [&](uint32_t a, uint32_t b) { return entries[a].index < entries[b].index; });
    std::memcpy(base_ + h.by_name_off, by_name.data(), n * 4);
    std::memcpy(base_ + h.by_index_off, by_index.data(), n * 4);
    for (uint32_t e = 0; e < n; ++e) std::memcpy(base_ + h.order_off + size_t{e} * 4, &e, 4);
    h.count = n;
    h.flags = n == order_.size() ? snap::kComplete : 0;
    write_ifconf();
    end_write();
}

void Snapshot::renew_lease() {
    if (base_) __atomic_store_n(&header(base_).lease_ns, snap::lease_clock_ns(), __ATOMIC_RELEASE);
}

void Snapshot::retire() {
    if (!base_) return;
    begin_write();
    header(base_).state = snap::kRetired;
    end_write();
}

}  // namespace ifctl::daemon
