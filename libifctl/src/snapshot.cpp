#include "libifctl/src/snapshot.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "libifctl/protocol/snapshot_layout.hpp"
#include "libifctl/protocol/wire.hpp"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace ifctl::client::snapshot {

namespace snap = proto::snapshot;

namespace {

// A writer holds the seqlock for microseconds (a whole directory at 4096
// interfaces, about a millisecond): past this many tries the daemon answers.
constexpr int kTries = 2000;

// The coarse clock (the vDSO's last tick, a few milliseconds old at most):
// enough for a lease of seconds, at a fraction of the fine clock's price on
// every read. It may be behind the daemon's fine clock by that tick.
int64_t coarse_monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000ll + ts.tv_nsec;
}

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// The header's fields and the directory's place, checked against the mapped
// size. Read between the two looks at the sequence, so they may be torn: a
// torn header fails these checks or the sequence check, never a bound.
struct Layout {
    snap::Header h;
    bool ok = false;
};

Layout layout_of(const Region& r) {
    Layout l;
    std::memcpy(&l.h, r.base, sizeof l.h);
    const snap::Header& h = l.h;
    if (h.magic != snap::kMagic || h.version != snap::kLayoutVersion) return l;
    if (h.count > h.capacity || h.slot_size == 0) return l;
    const uint64_t cap = h.capacity;
    auto within = [&](uint64_t off, uint64_t len) { return off <= r.size && len <= r.size - off; };
    l.ok = within(h.entries_off, cap * sizeof(snap::Entry)) && within(h.by_name_off, cap * 4) &&
           within(h.by_index_off, cap * 4) && within(h.order_off, cap * 4) &&
           within(h.slots_off, cap * uint64_t{h.slot_size});
    return l;
}

uint32_t load_seq(const Region& r) {
    return __atomic_load_n(&reinterpret_cast<const snap::Header*>(r.base)->seq, __ATOMIC_ACQUIRE);
}
bool seq_unchanged(const Region& r, uint32_t seq) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&reinterpret_cast<const snap::Header*>(r.base)->seq, __ATOMIC_RELAXED) == seq;
}

snap::Entry entry_at(const Region& r, const snap::Header& h, uint32_t e) {
    snap::Entry out{};
    std::memcpy(&out, r.base + h.entries_off + size_t{e} * sizeof out, sizeof out);
    return out;
}
uint32_t u32_at(const Region& r, uint32_t off, uint32_t i) {
    uint32_t v = 0;
    std::memcpy(&v, r.base + off + size_t{i} * 4, 4);
    return v;
}

// The entry for the target, by binary search over the name or index order;
// -1 when not there. Entry numbers out of range end the search.
int64_t find_entry(const Region& r, const snap::Header& h, const InterfaceRef& t) {
    uint32_t lo = 0, hi = h.count;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        const uint32_t e = u32_at(r, t.index ? h.by_index_off : h.by_name_off, mid);
        if (e >= h.capacity) return -1;
        const snap::Entry en = entry_at(r, h, e);
        int cmp;
        if (t.index) cmp = en.index < t.index ? -1 : en.index > t.index ? 1 : 0;
        else cmp = std::strncmp(en.name, t.name.c_str(), sizeof en.name);
        if (cmp == 0) return e;
        if (cmp < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

// Copies entry e's record out; false if it is not there to copy.
bool copy_record(const Region& r, const snap::Header& h, uint32_t e, std::vector<uint8_t>& out) {
    const snap::Entry en = entry_at(r, h, e);
    if (en.length == snap::kOverflow || en.length > h.slot_size) return false;
    const uint8_t* at = r.base + h.slots_off + size_t{e} * h.slot_size;
    out.insert(out.end(), at, at + en.length);
    return true;
}

// The region as a whole: usable, and if not, why.
bool usable(const Layout& l, Why* why) {
    Why w = Why::None;
    if (!l.ok) w = Why::Other;
    else if (l.h.state == snap::kMoved) w = Why::Moved;
    else if (l.h.state != snap::kLive) w = Why::Retired;
    else if (coarse_monotonic_ns() - static_cast<int64_t>(l.h.lease_ns) > static_cast<int64_t>(snap::kLeaseNs))
        w = Why::Other;  // the daemon may be gone
    if (why) *why = w;
    return w == Why::None;
}

// One record's bytes (one AttrType::Interface attribute) decoded as a get reply's.
bool decode_one(std::span<const uint8_t> bytes, proto::Interface& out, proto::RecordParts parts) {
    proto::AttrIter it(bytes);
    proto::Attr a;
    if (!it.next(a) || a.type != wire_type(proto::AttrType::Interface) || proto::check_attr(a)) return false;
    return !proto::decode_interface(a, out, parts);
}

// The seqlock's read side, once for every reader: `copy(layout)` copies what
// it needs out of the region (it may see a torn region and must only stay in
// bounds); its result counts only if the sequence was even before the copy and
// unchanged after it (acquire load, copy, acquire fence, reload), else the copy
// is retried, at most kTries times. True with `l` the layout the copy was made
// under (which may itself say the region is unusable); false when no
// consistent copy could be made (the daemon kept writing).
template <class Copy>
bool consistent_copy(const Region& r, Layout& l, Copy&& copy) {
    for (int tries = 0; tries < kTries; ++tries) {
        const uint32_t seq = load_seq(r);
        if (seq & 1) {
            relax();
            continue;
        }
        l = layout_of(r);
        copy(static_cast<const Layout&>(l));
        if (seq_unchanged(r, seq)) return true;
    }
    return false;
}

}  // namespace

// What a thread decoded last: the bytes, the region's state they were copied
// from, and the parts decoded (the decoding itself is kept beside it).
struct Decoded {
    std::vector<uint8_t> bytes;
    std::vector<size_t> ends;  // read_all: where each record's bytes end
    proto::RecordParts parts = proto::RecordParts::Whole;
    Version version;
    bool valid = false;
    // The decoding is that of the region's present state, as far as its header says.
    bool current(const Region& r, const snap::Header& h, proto::RecordParts p) const {
        return valid && r.id && version == Version{r.id, h.generation} && parts == p;
    }
};

namespace {

bool same_ref(const InterfaceRef& a, const InterfaceRef& b) {
    return a.index ? a.index == b.index : !b.index && a.name == b.name;
}

}  // namespace

Found read_record(const Region& r, const InterfaceRef& t, proto::Interface& out, Why* why, proto::RecordParts parts) {
    if (why) *why = Why::Other;
    if (!r.base || r.size < sizeof(snap::Header)) return Found::Ask;
    // Per thread, so that a read allocates nothing but the record it decodes.
    thread_local std::vector<uint8_t> bytes;
    thread_local Decoded last;
    thread_local InterfaceRef last_ref;
    thread_local proto::Interface last_record;
    bytes.reserve(snap::kSlotSize);
    bool live = false, copied = false, unchanged = false;
    int64_t e = -1;
    Layout l;
    const bool consistent = consistent_copy(r, l, [&](const Layout& at) {
        live = usable(at, why);
        e = -1;
        copied = false;
        bytes.clear();
        unchanged = live && last.current(r, at.h, parts) && same_ref(last_ref, t);
        if (live && !unchanged) {
            e = find_entry(r, at.h, t);
            if (e >= 0) copied = copy_record(r, at.h, static_cast<uint32_t>(e), bytes);
        }
    });
    if (!consistent) {
        if (why) *why = Why::Other;
        return Found::Ask;
    }
    if (!live) return Found::Ask;
    if (unchanged) {
        out = last_record;
        return Found::Record;
    }
    if (e < 0) {
        if (l.h.flags & snap::kComplete) return Found::Absent;
        if (why) *why = Why::Other;
        return Found::Ask;
    }
    if (copied && !(last.valid && last.parts == parts && last.bytes == bytes)) {
        last.valid = false;
        copied = decode_one(bytes, last_record, parts);
        if (copied) {
            last.bytes.swap(bytes);
            last.parts = parts;
        }
    }
    if (copied) {
        last.valid = true;
        last.version = {r.id, l.h.generation};
        last_ref = t;
        out = last_record;
        return Found::Record;
    }
    if (why) *why = Why::Other;
    return Found::Ask;
}

Found read_all(const Region& r, std::span<const proto::Interface>& out, Why* why, proto::RecordParts parts,
               Version* version) {
    if (why) *why = Why::Other;
    out = {};
    if (!r.base || r.size < sizeof(snap::Header)) return Found::Ask;
    thread_local std::vector<uint8_t> bytes;
    thread_local std::vector<size_t> ends;
    thread_local Decoded last;
    thread_local std::vector<proto::Interface> last_list;
    bool whole = false, unchanged = false;
    Layout l;
    const bool consistent = consistent_copy(r, l, [&](const Layout& at) {
        whole = usable(at, why) && (at.h.flags & snap::kComplete);
        bytes.clear();
        ends.clear();
        unchanged = whole && last.current(r, at.h, parts);
        for (uint32_t i = 0; whole && !unchanged && i < at.h.count; ++i) {
            const uint32_t e = u32_at(r, at.h.order_off, i);
            whole = e < at.h.capacity && copy_record(r, at.h, e, bytes);
            ends.push_back(bytes.size());
        }
    });
    if (!consistent) {
        if (why) *why = Why::Other;
        return Found::Ask;
    }
    if (!whole) return Found::Ask;
    if (!unchanged && !(last.valid && last.parts == parts && last.ends == ends && last.bytes == bytes)) {
        last.valid = false;
        last_list.resize(ends.size());  // the records already there keep their storage
        size_t from = 0;
        for (size_t i = 0; i < ends.size(); ++i) {
            if (!decode_one(std::span<const uint8_t>(bytes).subspan(from, ends[i] - from), last_list[i], parts)) {
                if (why) *why = Why::Other;
                return Found::Ask;
            }
            from = ends[i];
        }
        last.bytes.swap(bytes);
        last.ends.swap(ends);
        last.parts = parts;
    }
    last.valid = true;
    last.version = {r.id, l.h.generation};
    if (version) *version = last.version;
    out = last_list;
    return Found::Record;
}

Found read_kernel_ifconf(const Region& r, std::span<const uint8_t>& out, Why* why, uint64_t* daemon_netns) {
    if (why) *why = Why::Other;
    if (daemon_netns) *daemon_netns = 0;
    out = {};
    if (!r.base || r.size < sizeof(snap::Header)) return Found::Ask;
    thread_local std::vector<uint8_t> bytes;
    thread_local Version copied_from;
    bool live = false, there = false, unchanged = false;
    Layout l;
    const bool consistent = consistent_copy(r, l, [&](const Layout& at) {
        live = usable(at, why);
        there = live && at.h.ifconf_len != snap::kOverflow && at.h.ifconf_len <= at.h.ifconf_room &&
                at.h.ifconf_off <= r.size && at.h.ifconf_len <= r.size - at.h.ifconf_off &&
                at.h.ifconf_len % snap::kIfconfEntry == 0;
        unchanged = there && r.id && copied_from == Version{r.id, at.h.generation};
        if (there && !unchanged) bytes.assign(r.base + at.h.ifconf_off, r.base + at.h.ifconf_off + at.h.ifconf_len);
    });
    if (consistent && live && daemon_netns) *daemon_netns = l.h.netns_cookie;
    if (!consistent || !there) {
        copied_from = {};
        if (!consistent && why) *why = Why::Other;
        return Found::Ask;
    }
    copied_from = {r.id, l.h.generation};
    out = bytes;
    return Found::Record;
}

bool map_snapshot(int fd, Mapping& out, std::string& why) {
    constexpr int kSeals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL;
    struct stat st {};
    const int seals = ::fcntl(fd, F_GET_SEALS);
    bool ok = false;
    if (seals < 0) why = std::string("not a sealable memfd: ") + std::strerror(errno);
    else if ((seals & kSeals) != kSeals) why = "not sealed against writing, growing and shrinking";
    else if (::fstat(fd, &st) < 0) why = std::string("fstat: ") + std::strerror(errno);
    else if (static_cast<size_t>(st.st_size) < sizeof(snap::Header)) why = "too small";
    else ok = true;
    if (ok) {
        void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            why = std::string("mmap: ") + std::strerror(errno);
            ok = false;
        } else {
            static std::atomic<uint64_t> mappings{0};
            out.region = {static_cast<const uint8_t*>(p), static_cast<size_t>(st.st_size), ++mappings};
            out.dev = st.st_dev;
            out.ino = st.st_ino;
        }
    }
    ::close(fd);
    return ok;
}

void unmap_snapshot(Mapping& m) {
    if (m.region.base) ::munmap(const_cast<uint8_t*>(m.region.base), m.region.size);
    m = Mapping{};
}

}  // namespace ifctl::client::snapshot
