// Addresses: add, delete (exactly the one named, or with the kernel's cascade)
// and replace as one change; and the inverses a batch records for them.
#include "daemon/core/handlers/support.hpp"

#include <algorithm>
#include <linux/if_addr.h>
#include <spdlog/spdlog.h>

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

namespace {

proto::Address plain(proto::Address a) {
    a.flags = 0;  // the kernel's own flags (secondary, permanent) are not requested
    return a;
}

proto::Address address_attr(const Ctx& c, AttrType which) {
    proto::Address a;
    proto::decode_address(c.req.get(which), a);  // validated with the request
    return a;
}

bool cascade(const Ctx& c) { return c.req.has(AttrType::Cascade) && c.req.get(AttrType::Cascade).as_u8(); }

std::string text(const proto::Address& a) { return proto::format_address(a.family, a.local.data()); }

bool same_subnet(const proto::Address& a, const proto::Address& b) {
    if (a.family != AF_INET || b.family != AF_INET || a.prefix != b.prefix) return false;
    const unsigned bits = a.prefix;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned take = bits > i * 8 ? std::min(8u, bits - i * 8) : 0;
        const uint8_t mask = static_cast<uint8_t>(take ? 0xff << (8 - take) : 0);
        if ((a.local[i] & mask) != (b.local[i] & mask)) return false;
    }
    return true;
}

// Puts back secondaries the kernel took with their primary. EEXIST means the
// kernel promoted it (promote_secondaries on): it is there already.
void restore(Ctx& c, uint32_t index, const std::vector<proto::Address>& addrs, const proto::Address* skip = nullptr) {
    for (const proto::Address& a : addrs) {
        if (skip && a.same_local(*skip)) continue;
        proto::Address plain = a;
        plain.flags = 0;
        if (int rc = c.kernel.add_address(index, plain); rc < 0 && rc != -EEXIST)
            spdlog::error("could not restore {} on {}: {}", text(a), c.target.name, std::strerror(-rc));
    }
}

}  // namespace

// The address as the kernel holds it (with its flags), if present.
const proto::Address* find_address(const proto::Interface& k, const proto::Address& a) {
    for (const proto::Address& x : k.addresses)
        if (x.same_local(a) && x.prefix == a.prefix) return &x;
    return nullptr;
}

// What the kernel deletes together with `a` (net.ipv4.conf.*.promote_secondaries
// off): the secondaries in the subnet of a primary inet address.
std::vector<proto::Address> secondaries_of(const proto::Interface& k, const proto::Address& a) {
    std::vector<proto::Address> out;
    const proto::Address* held = find_address(k, a);
    if (!held || held->family != AF_INET || (held->flags & IFA_F_SECONDARY)) return out;
    for (const proto::Address& x : k.addresses)
        if (&x != held && (x.flags & IFA_F_SECONDARY) && same_subnet(x, *held)) out.push_back(x);
    return out;
}

Reply do_addr_add(Ctx& c) {
    proto::Address a = address_attr(c, AttrType::Address);
    if (c.target.managed->no_dad) a.flags |= IFA_F_NODAD;  // inet6 only (Netlink::add_address)
    return from_kernel(c.kernel.add_address(c.target.record->index, a), "adding " + text(a) + " to " + c.target.name);
}

// Deletes exactly the address named. With Cascade, as the kernel does.
Reply do_addr_del(Ctx& c) {
    const proto::Address a = address_attr(c, AttrType::Address);
    const uint32_t index = c.target.record->index;
    const std::vector<proto::Address> keep = cascade(c) ? std::vector<proto::Address>{} : secondaries_of(*c.target.record, a);
    Reply r = from_kernel(c.kernel.delete_address(index, a), "deleting " + text(a) + " from " + c.target.name);
    if (!r.status) restore(c, index, keep);
    return r;
}

// Replaces one address by another as a single change: the old one must be there
// exactly as the caller saw it (compare-and-swap), and a refused replace leaves
// the addresses as they were.
Reply do_addr_replace(Ctx& c) {
    const proto::Address old_addr = address_attr(c, AttrType::OldAddress);
    const proto::Address new_addr = address_attr(c, AttrType::Address);
    const uint32_t index = c.target.record->index;
    const proto::Interface& k = *c.target.record;
    const proto::Address* held = find_address(k, old_addr);
    if (!held) return Reply::error(EADDRNOTAVAIL, text(old_addr) + " is not an address of " + c.target.name);
    // Refuse up front what the kernel would refuse after the old address is gone.
    if (const proto::Address* dup = find_address(k, new_addr); dup && dup != held)
        return Reply::error(EEXIST, text(new_addr) + " is already an address of " + c.target.name);
    const proto::Address current = *held;
    // The secondaries the kernel takes with a primary: kept unless Cascade, and
    // put back in either case if the new address cannot be added.
    const std::vector<proto::Address> taken = secondaries_of(k, current);
    const std::vector<proto::Address> keep = cascade(c) ? std::vector<proto::Address>{} : taken;
    if (int rc = c.kernel.delete_address(index, current); rc < 0) return from_kernel(rc, "replacing " + text(current));
    if (int rc = c.kernel.add_address(index, new_addr); rc < 0) {
        proto::Address back = current;
        back.flags = 0;
        if (int again = c.kernel.add_address(index, back); again < 0)
            spdlog::error("could not restore {} on {} after a failed replace: {}", text(current), c.target.name,
                          std::strerror(-again));
        restore(c, index, taken);
        return from_kernel(rc, "replacing " + text(current) + " on " + c.target.name);
    }
    restore(c, index, keep, &new_addr);
    return ok();
}

void undo_addr_add(const proto::Request& req, const Target& tg, ClientId, Frames& out) {
    proto::Writer w = request_by_index(Op::AddrDel, tg.record->index);
    proto::encode_address(w, AttrType::Address, address_of(req, AttrType::Address));
    out.push_back(w.finish());
}

void undo_addr_del(const proto::Request& req, const Target& tg, ClientId, Frames& out) {
    const proto::Interface& k = *tg.record;
    const proto::Address* h = find_address(k, address_of(req, AttrType::Address));
    if (!h) return;  // the step will fail: nothing to undo
    // With cascade the kernel takes the same-subnet secondaries too; put them back after.
    const bool cascade = req.has(AttrType::Cascade) && req.get(AttrType::Cascade).as_u8();
    std::vector<proto::Address> back{plain(*h)};
    if (cascade)
        for (const proto::Address& x : secondaries_of(k, *h)) back.push_back(plain(x));
    for (const proto::Address& a : back) {
        proto::Writer w = request_by_index(Op::AddrAdd, k.index);
        proto::encode_address(w, AttrType::Address, a);
        out.push_back(w.finish());
    }
}

void undo_addr_replace(const proto::Request& req, const Target& tg, ClientId, Frames& out) {
    const proto::Address* h = find_address(*tg.record, address_of(req, AttrType::OldAddress));
    if (!h) return;
    proto::Writer w = request_by_index(Op::AddrReplace, tg.record->index);
    proto::encode_address(w, AttrType::OldAddress, address_of(req, AttrType::Address));
    proto::encode_address(w, AttrType::Address, plain(*h));
    out.push_back(w.finish());
}

}  // namespace ifctl::daemon::detail
