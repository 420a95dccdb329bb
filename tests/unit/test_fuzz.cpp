// Randomly mutated valid frames must be rejected or accepted cleanly: no crash,
// no read outside the datagram (run the suite under ASan to check the latter:
// meson setup -Db_sanitize=address,undefined).
#include <cerrno>
#include <memory>
#include <random>

#include "helpers.hpp"

using namespace testutil;
using proto::Attr;
using proto::AttrIter;
using proto::Writer;

namespace {

std::vector<std::vector<uint8_t>> seed_requests() {
    std::vector<std::vector<uint8_t>> s;
    s.push_back(Writer(o(Op::Hello), 0, 1).u32(wire_type(AttrType::Version), 1).str(wire_type(AttrType::Software), "fuzz").finish());
    s.push_back(Writer(o(Op::List), 0, 2).finish());
    s.push_back(targeted(Op::Get).finish());
    s.push_back(Writer(o(Op::Get), 0, 3).u32(wire_type(AttrType::Index), 4).finish());
    s.push_back(Writer(o(Op::Create), 0, 4).str(wire_type(AttrType::NewName), "tap%d").u32(wire_type(AttrType::Queues), 2).u32(wire_type(AttrType::Owner), 1).finish());
    s.push_back(targeted(Op::Destroy).finish());
    s.push_back(targeted(Op::SetFlags).u32(wire_type(AttrType::Flags), 1).u32(wire_type(AttrType::FlagsMask), 1).finish());
    s.push_back(targeted(Op::SetMtu).u32(wire_type(AttrType::Mtu), 1500).finish());
    s.push_back(targeted(Op::SetMetric).s32(wire_type(AttrType::Metric), 1).finish());
    const std::vector<uint8_t> mac = {2, 0, 0, 0, 0, 1};
    s.push_back(targeted(Op::SetLladdr).bytes(wire_type(AttrType::Lladdr), mac).u32(wire_type(AttrType::HwType), 1).finish());
    s.push_back(targeted(Op::SetTxqlen).u32(wire_type(AttrType::Txqlen), 10).finish());
    proto::Address a4 = inet(10, 0, 0, 1, 24);
    a4.broadcast = std::array<uint8_t, 4>{10, 0, 0, 255};
    a4.label = "tap0:1";
    a4.flags = 1;
    proto::Address a6 = inet6_doc(1, 64);
    a6.peer = inet6_doc(2, 64).local;
    for (Op op : {Op::AddrAdd, Op::AddrDel}) {
        Writer w = targeted(op);
        proto::encode_address(w, AttrType::Address, op == Op::AddrAdd ? a4 : a6);
        s.push_back(w.finish());
    }
    {
        Writer w = targeted(Op::AddrReplace);
        proto::encode_address(w, AttrType::OldAddress, a6);
        proto::encode_address(w, AttrType::Address, a4);
        s.push_back(w.finish());
    }
    s.push_back(targeted(Op::Rename).str(wire_type(AttrType::NewName), "wan0").finish());
    s.push_back(targeted(Op::MultiAdd).bytes(wire_type(AttrType::Lladdr), mac).finish());
    s.push_back(targeted(Op::MultiDel).bytes(wire_type(AttrType::Lladdr), mac).finish());
    s.push_back(targeted(Op::OpenQueue).finish());
    return s;
}

std::vector<uint8_t> seed_reply() {
    proto::Interface i;
    i.index = 3;
    i.name = "tap0";
    i.kind = "tun";
    i.lladdr = {2, 0, 0, 0, 0, 1};
    proto::Address a4 = inet(10, 0, 0, 1, 24);
    a4.broadcast = std::array<uint8_t, 4>{10, 0, 0, 255};
    a4.label = "tap0";
    i.addresses = {a4, inet6_doc(1, 64)};
    i.multicast = {{1, 0, 0x5e, 0, 0, 1}};
    i.managed = true;
    i.owner = 1000;
    i.unique_id = 77;
    Writer w(o(Op::List), proto::kFlagReply, 2, 0);
    proto::encode_interface(w, i);
    w.str(wire_type(AttrType::Message), "ok");
    return w.finish();
}

// Touches every attribute value the way a handler would, after validation.
uint64_t consume(const proto::Request& r) {
    uint64_t sum = 0;
    for (uint16_t type = 1; type <= proto::kMaxAttr; ++type) {
        if (!r.attrs[type]) continue;
        const Attr& a = *r.attrs[type];
        switch (proto::attr_spec(type)->kind) {
            case proto::AttrKind::U8: sum += a.as_u8(); break;
            case proto::AttrKind::U32: sum += a.as_u32(); break;
            case proto::AttrKind::S32: sum += static_cast<uint32_t>(a.as_s32()); break;
            case proto::AttrKind::U64: sum += a.as_u64(); break;
            case proto::AttrKind::String: sum += a.as_str().size(); break;
            case proto::AttrKind::Bytes: for (uint8_t b : a.payload) sum += b; break;
            case proto::AttrKind::Nested: {
                proto::Address addr;
                if (!proto::decode_address(a, addr)) sum += addr.prefix + addr.label.size();
                break;
            }
        }
    }
    return sum;
}

// Decodes a reply as Connection::receive does.
uint64_t consume_reply(std::span<const uint8_t> f) {
    proto::Header h;
    if (proto::parse_header(f, h, true)) return 0;
    uint64_t sum = 0;
    AttrIter it(f.subspan(proto::kHeaderSize));
    Attr a;
    while (it.next(a)) {
        if (proto::check_attr(a)) return sum;
        if (a.type == wire_type(AttrType::Message)) sum += a.as_str().size();
        if (a.type == wire_type(AttrType::Interface)) {
            proto::Interface i;
            if (!proto::decode_interface(a, i)) sum += i.name.size() + i.addresses.size() + i.lladdr.size();
        }
    }
    return sum;
}

void mutate(std::vector<uint8_t>& f, std::mt19937& rng) {
    auto pick = [&](size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng) : 0; };
    const int rounds = 1 + static_cast<int>(pick(4));
    for (int r = 0; r < rounds; ++r) {
        switch (pick(7)) {
            case 0:  // flip a bit
                if (!f.empty()) f[pick(f.size())] ^= static_cast<uint8_t>(1u << pick(8));
                break;
            case 1:  // random byte
                if (!f.empty()) f[pick(f.size())] = static_cast<uint8_t>(rng());
                break;
            case 2:  // interesting u16 (lengths, types) at an attribute-ish offset
                if (f.size() >= 2) {
                    static const uint16_t vals[] = {0, 1, 3, 4, 5, 7, 8, 11, 12, 16, 47, 48, 0x7fff, 0xfffc, 0xffff};
                    const uint16_t v = vals[pick(std::size(vals))];
                    const size_t at = pick(f.size() - 1) & ~size_t{1};
                    std::memcpy(f.data() + at, &v, 2);
                }
                break;
            case 3:  // truncate
                f.resize(pick(f.size() + 1));
                break;
            case 4:  // append junk
                for (size_t n = 1 + pick(8); n; --n) f.push_back(static_cast<uint8_t>(rng()));
                break;
            case 5:  // insert junk in the middle
                if (!f.empty()) f.insert(f.begin() + static_cast<long>(pick(f.size())), static_cast<uint8_t>(rng()));
                break;
            case 6:  // erase a byte
                if (!f.empty()) f.erase(f.begin() + static_cast<long>(pick(f.size())));
                break;
        }
    }
    // Most of the time keep the header consistent so the attribute parser is reached.
    if (f.size() >= 4 && pick(8) != 0) fix_length(f);
}

}  // namespace

TEST_CASE("mutated frames never crash the decoder", "[fuzz]") {
    const auto seeds = seed_requests();
    const auto reply = seed_reply();
    for (const auto& s : seeds) REQUIRE(validate(s).code == 0);
    REQUIRE(consume_reply(reply) > 0);

    std::mt19937 rng(20240601);
    size_t accepted = 0, rejected = 0;
    uint64_t sink = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        const bool use_reply = iter % 5 == 4;
        std::vector<uint8_t> f = use_reply ? reply : seeds[static_cast<size_t>(iter) % seeds.size()];
        mutate(f, rng);
        // An exactly sized heap copy, so ASan flags any read past the datagram.
        std::unique_ptr<uint8_t[]> exact(new uint8_t[f.size() ? f.size() : 1]);
        if (!f.empty()) std::memcpy(exact.get(), f.data(), f.size());
        const std::span<const uint8_t> view(exact.get(), f.size());
        if (use_reply) {
            sink += consume_reply(view);
            continue;
        }
        proto::Request r;
        const proto::Error e = proto::validate_request(view, r);
        if (e) {
            ++rejected;
            // every rejection is explained, with a known errno
            if (e.message.empty() ||
                !(e.code == EINVAL || e.code == EBADMSG || e.code == EMSGSIZE || e.code == EOPNOTSUPP ||
                  e.code == EAFNOSUPPORT))
                FAIL("iteration " << iter << ": errno " << e.code << " message \"" << e.message << "\"");
        } else {
            ++accepted;
            sink += consume(r);
        }
    }
    INFO("accepted " << accepted << ", rejected " << rejected << ", sink " << sink);
    CHECK(rejected > 1000);
    CHECK(accepted > 100);
}
