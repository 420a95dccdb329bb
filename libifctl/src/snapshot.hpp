// Reading the daemon's read-only snapshot (protocol/snapshot_layout.hpp,
// docs/snapshot.md): one interface's record or all of them, copied out under
// the region's seqlock and decoded with the same decoder as a get reply, only
// the parts the caller reads.
// The region belongs to another process and may be written while it is read,
// or be garbage: every offset, count and length is checked against the size
// mapped, loops are bounded, and anything doubtful means "ask the daemon".
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libifctl/protocol/model.hpp"
#include "libifctl/src/connection.hpp"

namespace ifctl::client::snapshot {

enum class Found {
    Record,  // the record is in `out`
    Absent,  // the daemon sees no such interface
    Ask,     // the snapshot cannot say (moved, retired, lease run out, busy, damaged, too large): ask the daemon
};

// Why a read said Ask, for the caller that must do something about it.
enum class Why { None, Moved, Retired, Other };

struct Region {
    const uint8_t* base = nullptr;
    size_t size = 0;
    // Unique to one mapping in this process (0: none, as for a region a test
    // builds in memory): with the region's generation it names one state of
    // the daemon's view, so a reader that has decoded that state keeps it.
    uint64_t id = 0;
};

// Which state of the daemon's view a read came from: the same version means
// the same records. `region` 0: not known (the read is not repeated from it).
struct Version {
    uint64_t region = 0;
    uint64_t generation = 0;
    bool known() const { return region != 0; }
    bool operator==(const Version&) const = default;
};

// `parts`: what the caller reads of a record (proto::RecordParts); only that
// is decoded. Each thread keeps what it decoded last (one record, one list),
// with the region's generation and the bytes it came from. While the
// generation is the same nothing in the region has changed, and the read
// takes that decoding without copying anything out but the header; after a
// change, a record whose bytes are still the same is not decoded again. Both
// are exact: the decoder depends on nothing but the bytes and `parts`.
Found read_record(const Region& r, const InterfaceRef& t, proto::Interface& out, Why* why = nullptr,
                  proto::RecordParts parts = proto::RecordParts::Whole);
// Every record in list order. `out` views this thread's decoded list: valid
// until the thread's next read_all.
// `version`, when given, says which state the list came from.
Found read_all(const Region& r, std::span<const proto::Interface>& out, Why* why = nullptr,
               proto::RecordParts parts = proto::RecordParts::Whole, Version* version = nullptr);

// The kernel's own SIOCGIFCONF answer in the daemon's namespace, as the
// daemon last read it (struct ifreq entries). `out` views this thread's copy:
// valid until the thread's next read_kernel_ifconf.
// `daemon_netns`, when given, is set to the region's netns_cookie whenever the
// region is usable (also when the answer itself is not there).
Found read_kernel_ifconf(const Region& r, std::span<const uint8_t>& out, Why* why = nullptr,
                         uint64_t* daemon_netns = nullptr);

// Maps a snapshot descriptor read-only after checking that it is a sealed
// memfd nobody else can write, grow or shrink. Takes the descriptor (closes it).
struct Mapping {
    Region region;
    dev_t dev = 0;
    ino_t ino = 0;
};
bool map_snapshot(int fd, Mapping& out, std::string& why);
void unmap_snapshot(Mapping& m);

}  // namespace ifctl::client::snapshot
