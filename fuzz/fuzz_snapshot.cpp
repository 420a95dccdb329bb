// libFuzzer target: the snapshot reader (libifctl/src/snapshot.cpp) on
// arbitrary bytes as the mapped region. Each input is read twice: as it is,
// and with the header's magic, version, sequence, state and lease made
// acceptable, so that the fuzzer reaches the directory, the tables and the
// records rather than stopping at the header. Whatever the bytes, a read
// answers Record, Absent or Ask; ASan and UBSan catch a read outside the region.
// Every read is made for each proto::RecordParts, twice (the second takes the
// decoding the first kept): a partial record must be the whole one without
// the parts it leaves out.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/snapshot_layout.hpp"
#include "libifctl/src/snapshot.hpp"

using namespace ifctl;
using client::InterfaceRef;
namespace snap = proto::snapshot;

namespace {

// A record as the wire carries it: two decodings agree when these agree.
std::vector<uint8_t> encoded(const proto::Interface& i, bool details) {
    proto::Writer w(0, 0, 0);
    proto::encode_interface(w, i, details);
    return w.finish();
}

// A partial record encoded: a brief one as the daemon's brief records are.
std::vector<uint8_t> encode_partial(const proto::Interface& i, proto::RecordParts parts) {
    return encoded(i, parts != proto::RecordParts::Brief);
}

// What a decoding of `parts` must encode to (encode_partial): the whole
// record without the parts it leaves out.
std::vector<uint8_t> expected(proto::Interface whole, proto::RecordParts parts) {
    if (parts == proto::RecordParts::Brief) return encoded(whole, false);
    if (parts == proto::RecordParts::Whole) return encoded(whole, true);
    whole.multicast.clear();
    whole.groups.clear();
    whole.description.clear();
    whole.stats = {};
    return encoded(whole, true);
}

void read_every_way(const client::snapshot::Region& r) {
    using client::snapshot::Found;
    client::snapshot::Why why{};
    for (const InterfaceRef& t : {InterfaceRef::by_name("tap0"), InterfaceRef::by_name("lo"), InterfaceRef::by_index(1), InterfaceRef::by_index(3)}) {
        proto::Interface whole;
        const Found found = client::snapshot::read_record(r, t, whole, &why);
        if (found != Found::Ask && why != client::snapshot::Why::None) __builtin_trap();
        // Where the whole record is answered, the partial decodings agree with
        // it (the region does not change between the reads here), and so does
        // a second read of the same bytes (taken from what the first decoded).
        // A part left out is not checked: a record damaged only there may be
        // answered by a read that leaves it out, and asked by one that does not.
        for (proto::RecordParts parts : {proto::RecordParts::Brief, proto::RecordParts::Listing, proto::RecordParts::Whole}) {
            for (int again = 0; again < 2; ++again) {
                proto::Interface part;
                const Found f = client::snapshot::read_record(r, t, part, &why, parts);
                if (found == Found::Ask) continue;
                if (f != found) __builtin_trap();
                if (f == Found::Record && encode_partial(part, parts) != expected(whole, parts)) __builtin_trap();
            }
        }
    }
    // The kernel's SIOCGIFCONF answer: whole entries, or asked for.
    std::span<const uint8_t> conf;
    if (client::snapshot::read_kernel_ifconf(r, conf, &why) == Found::Record && conf.size() % snap::kIfconfEntry)
        __builtin_trap();
    std::span<const proto::Interface> all;
    const Found listed = client::snapshot::read_all(r, all, &why);
    std::vector<proto::Interface> whole(all.begin(), all.end());
    std::span<const proto::Interface> part;
    const Found listed_part = client::snapshot::read_all(r, part, &why, proto::RecordParts::Listing);
    if (listed != Found::Record) return;
    if (listed_part != Found::Record) __builtin_trap();
    if (part.size() != whole.size()) __builtin_trap();
    for (size_t i = 0; i < part.size(); ++i)
        if (encode_partial(part[i], proto::RecordParts::Listing) != expected(whole[i], proto::RecordParts::Listing)) __builtin_trap();
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
    h->lease_ns = snap::lease_clock_ns();
    // As a mapping of its own (a new id for every input): the second read of
    // a record or list in the same state takes the first one's decoding.
    static uint64_t inputs = 0;
    read_every_way({region.data(), region.size(), ++inputs});
    return 0;
}
