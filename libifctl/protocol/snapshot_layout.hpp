// The read-only snapshot's layout: a memory region the daemon writes and every
// client maps read-only (a sealed memfd passed at hello), from which the
// library answers reads without a round trip (docs/snapshot.md).
//
//   Header                          at 0
//   Entry[capacity]                 at entries_off: name, index, record length
//   uint32_t by_name[count]         entry numbers sorted by name (strcmp order)
//   uint32_t by_index[count]        entry numbers sorted by interface index
//   uint32_t order[count]           entry numbers in the daemon's list order
//   slot[capacity] of slot_size     at slots_off: entry i's record in slot i
//   the kernel's SIOCGIFCONF answer at ifconf_off: ifconf_len bytes (room for
//                                   ifconf_room), one struct ifreq per IPv4
//                                   address of the daemon's namespace
//
// A record is the exact bytes of one interface attribute (AttrType::Interface, nested)
// as a get reply carries it, so the library decodes it with the same code.
// The SIOCGIFCONF answer is the kernel's own, read by the daemon in its
// namespace whenever an address or the set of devices changed: its device
// order cannot be had otherwise. It answers callers in that namespace.
// Every field a reader takes from the region is checked against the size it
// mapped: the region is written by another process while it reads.
//
// Concurrency: one seqlock word for the whole region. The daemon makes `seq`
// odd, writes, makes it even again; a reader copies what it needs between two
// reads of an even, unchanged `seq`, else retries.
#pragma once

#include <sys/socket.h>
#include <time.h>

#include <cstddef>
#include <cstdint>

namespace ifctl::proto::snapshot {

inline constexpr uint32_t kMagic = 0x50414e53;  // "SNAP"
inline constexpr uint32_t kLayoutVersion = 2;

// What the region says about itself (Header::state).
enum State : uint32_t {
    kLive = 0,     // the daemon keeps it up to date
    kMoved = 1,    // replaced by a larger region: ask for the new one (Op::Snapshot)
    kRetired = 2,  // the daemon stopped: ask the daemon (a new one, if it restarts)
};

// Header::flags.
inline constexpr uint32_t kComplete = 0x1;  // every interface the daemon sees is here

// An entry whose record did not fit its slot: readers ask the daemon for it.
// As ifconf_len: the answer could not be read, or did not fit its room.
inline constexpr uint32_t kOverflow = 0xffffffffu;

// A daemon that has not renewed its lease for this long is presumed gone
// (killed without a stop): readers ask it instead, and so find out.
inline constexpr uint64_t kLeaseNs = 3'000'000'000ull;

// The network namespace a socket belongs to (SO_NETNS_COOKIE, Linux 5.14):
// the kernel's SIOCGIFCONF on a socket lists that namespace, so the region's
// answer is a socket's only when the cookies are equal. 0 when the kernel
// cannot say, or `fd` is no socket (errno says which).
inline uint64_t netns_cookie_of(int fd) {
    constexpr int kSoNetnsCookie = 71;  // asm-generic/socket.h; not in every libc's headers
    uint64_t cookie = 0;
    socklen_t len = sizeof cookie;
    if (::getsockopt(fd, SOL_SOCKET, kSoNetnsCookie, &cookie, &len) < 0 || len != sizeof cookie) return 0;
    return cookie;
}

// The clock lease_ns is on (CLOCK_MONOTONIC), in nanoseconds.
inline uint64_t lease_clock_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

struct Header {
    uint32_t magic;
    uint32_t version;
    uint32_t seq;        // seqlock: odd while the daemon writes
    uint32_t state;      // State
    uint64_t lease_ns;   // CLOCK_MONOTONIC of the daemon's last renewal (once a second)
    uint64_t size;       // bytes of the region
    uint32_t flags;      // kComplete
    uint32_t count;      // entries in use
    uint32_t capacity;   // entries (and slots) there is room for
    uint32_t slot_size;  // bytes per slot
    uint32_t entries_off;
    uint32_t by_name_off;
    uint32_t by_index_off;
    uint32_t order_off;
    uint32_t slots_off;
    uint32_t ifconf_off;
    uint64_t generation;  // counts publications that changed something
    uint32_t ifconf_room;  // bytes
    uint32_t ifconf_len;   // bytes, or kOverflow
    uint64_t netns_cookie;  // the daemon's network namespace (netns_cookie_of), 0: not known
};

struct Entry {
    char name[16];  // NUL-padded
    uint32_t index;
    uint32_t length;  // bytes of the record in the slot, or kOverflow
};

// Slot size: room for a record with 8 addresses, its labels, multicast
// memberships and groups. The ceiling (docs/snapshot.md): 4096 interfaces,
// about 7.4 MiB; interfaces past it are answered by the daemon.
inline constexpr uint32_t kSlotSize = 1536;
// The SIOCGIFCONF answer's room: 8 IPv4 addresses an interface, of a struct
// ifreq (40 bytes on every 64-bit Linux) each.
inline constexpr uint32_t kIfconfEntry = 40;
inline constexpr uint32_t kIfconfPerInterface = 8;
inline constexpr uint32_t kMaxCapacity = 4096;
inline constexpr uint32_t kMinCapacity = 16;

inline constexpr size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }

// Where everything goes for `capacity` entries.
struct Geometry {
    uint32_t entries_off, by_name_off, by_index_off, order_off, slots_off, ifconf_off, ifconf_room;
    uint64_t size;
};
inline constexpr Geometry geometry(uint32_t capacity) {
    Geometry g{};
    g.entries_off = static_cast<uint32_t>(align8(sizeof(Header)));
    g.by_name_off = static_cast<uint32_t>(align8(g.entries_off + size_t{capacity} * sizeof(Entry)));
    g.by_index_off = static_cast<uint32_t>(align8(g.by_name_off + size_t{capacity} * 4));
    g.order_off = static_cast<uint32_t>(align8(g.by_index_off + size_t{capacity} * 4));
    g.slots_off = static_cast<uint32_t>(align8(g.order_off + size_t{capacity} * 4));
    g.ifconf_off = static_cast<uint32_t>(align8(g.slots_off + size_t{capacity} * kSlotSize));
    g.ifconf_room = capacity * kIfconfPerInterface * kIfconfEntry;
    g.size = g.ifconf_off + uint64_t{g.ifconf_room};
    return g;
}
static_assert(geometry(kMaxCapacity).size <= 8u * 1024 * 1024, "the documented ceiling");

}  // namespace ifctl::proto::snapshot
