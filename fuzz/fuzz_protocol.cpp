// libFuzzer target: the protocol decoder, on arbitrary datagrams. Both header
// rules (request and reply side), the request validator, the attribute walker
// and the record decoders (Interface, Address) a client runs on replies.
// Whatever the bytes, decoding must fail cleanly or succeed; ASan and UBSan
// catch a read outside the datagram.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/schema.hpp"
#include "libifctl/protocol/wire.hpp"

using namespace ifctl::proto;

namespace {

// Walks attributes as a reply reader does: every record and address decoded.
void walk(std::span<const uint8_t> attrs) {
    AttrIter it(attrs);
    Attr a;
    for (int n = 0; n < 4096 && it.next(a); ++n) {
        if (check_attr(a)) continue;
        if (a.type == wire_type(AttrType::Interface)) {
            Interface rec;
            if (!decode_interface(a, rec)) {
                // A record that decoded must encode again without trouble.
                Writer w(static_cast<uint16_t>(Op::Get), kFlagReply, 1);
                encode_interface(w, rec);
                (void)w.finish();
                (void)format_lladdr(rec.lladdr);
            }
        } else if (a.type == wire_type(AttrType::Address) || a.type == wire_type(AttrType::OldAddress)) {
            Address addr;
            if (!decode_address(a, addr)) (void)format_address(addr.family, addr.local.data());
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Copy into a buffer of exactly `size` bytes so ASan sees any overread.
    std::vector<uint8_t> buf(data, data + size);
    const std::span<const uint8_t> frame(buf.data(), buf.size());

    Header h;
    if (!parse_header(frame, h, /*expect_reply=*/true)) walk(frame.subspan(kHeaderSize));
    if (!parse_header(frame, h, /*expect_reply=*/false)) {
        Request req;
        if (!validate_request(frame, req)) {
            // Handlers read validated attributes by their kind; do the same.
            for (const auto& a : req.attrs) {
                if (!a) continue;
                const AttrSpec* spec = attr_spec(a->type);
                if (!spec) __builtin_trap();  // validated but unknown: a schema bug
                switch (spec->kind) {
                    case AttrKind::U8: (void)a->as_u8(); break;
                    case AttrKind::U32: (void)a->as_u32(); break;
                    case AttrKind::S32: (void)a->as_s32(); break;
                    case AttrKind::U64: (void)a->as_u64(); break;
                    case AttrKind::String: (void)a->as_str(); break;
                    case AttrKind::Bytes: break;
                    case AttrKind::Nested: {
                        Address addr;
                        (void)decode_address(*a, addr);
                        break;
                    }
                }
            }
            (void)op_name(h.op);
        }
    }
    return 0;
}
