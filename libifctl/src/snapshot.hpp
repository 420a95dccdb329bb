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
};

// `parts`: what the caller reads of a record (proto::RecordParts); only that
// is decoded. Each thread keeps the bytes it decoded last with what they
// decoded to (one record, one list): a read that copies out the same bytes for
// the same parts takes that decoding again instead of decoding, which is exact
// because the decoder depends on nothing else.
Found read_record(const Region& r, const InterfaceRef& t, proto::Interface& out, Why* why = nullptr,
                  proto::RecordParts parts = proto::RecordParts::Whole);
// Every record in list order. `out` views this thread's decoded list: valid
// until the thread's next read_all.
Found read_all(const Region& r, std::span<const proto::Interface>& out, Why* why = nullptr,
               proto::RecordParts parts = proto::RecordParts::Whole);

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
