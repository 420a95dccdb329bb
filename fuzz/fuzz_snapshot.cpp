// libFuzzer target: the snapshot reader (libifctl/src/snapshot.cpp) on
// arbitrary bytes as the mapped region. Each input is read twice: as it is,
// and with the header's magic, version, sequence, state and lease made
// acceptable, so that the fuzzer reaches the directory, the tables and the
// records rather than stopping at the header. Whatever the bytes, a read
// answers Record, Absent or Ask; ASan and UBSan catch a read outside the region.
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "libifctl/protocol/snapshot_layout.hpp"
#include "libifctl/src/snapshot.hpp"

using namespace ifctl;
using client::InterfaceRef;
namespace snap = proto::snapshot;

namespace {

uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void read_every_way(const client::snapshot::Region& r) {
    proto::Interface one;
    std::span<const proto::Interface> all;
    client::snapshot::Why why{};
    for (const InterfaceRef& t : {InterfaceRef::by_name("tap0"), InterfaceRef::by_name("lo"), InterfaceRef::by_index(1), InterfaceRef::by_index(3)}) {
        const auto found = client::snapshot::read_record(r, t, one, &why);
        if (found != client::snapshot::Found::Ask && why != client::snapshot::Why::None) __builtin_trap();
    }
    (void)client::snapshot::read_all(r, all, &why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // A buffer of exactly `size` bytes so that ASan sees any overread (new
    // aligns it as a mapping is: the sequence is read atomically).
    std::vector<uint8_t> region(data, data + size);
    auto* h = size >= sizeof(snap::Header) ? reinterpret_cast<snap::Header*>(region.data()) : nullptr;
    // An odd sequence is a writer that never finishes: the reader gives up
    // after its bounded tries. Made even to keep executions fast.
    if (h) h->seq &= ~1u;
    read_every_way({region.data(), region.size()});
    if (!h) return 0;
    h->magic = snap::kMagic;
    h->version = snap::kLayoutVersion;
    h->state = snap::kLive;
    h->lease_ns = now_ns();
    read_every_way({region.data(), region.size()});
    return 0;
}
