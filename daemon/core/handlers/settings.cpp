// The interface settings FreeBSD's ifconfig has and Linux keeps apart: the
// description (the kernel's ifalias), interface groups (kept by the daemon),
// and inet6's no_dad and auto_linklocal; with the inverses a batch records.
#include "daemon/core/handlers/support.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

namespace {

// The kernel announces neither change to every listener (addr_gen_mode of a
// down link, for one): read the link again, then let group commit write it.
void note_kernel_change(Ctx& c) {
    const uint32_t index = c.target.record->index;
    c.kernel.refresh_link(index);
    if (c.persist) c.persist->note_change(index);
}

}  // namespace

Reply do_set_description(Ctx& c) {
    LinkChange ch;
    ch.ifalias = std::string(c.req.get(AttrType::Description).as_str());
    if (int rc = c.kernel.change_link(c.target.record->index, ch); rc < 0)
        return from_kernel(rc, "setting the description of " + c.target.name);
    note_kernel_change(c);
    return ok();
}

Reply do_group_add(Ctx& c) {
    Managed& m = *c.target.managed;
    const std::string g(c.req.get(AttrType::IfGroup).as_str());
    if (std::find(m.groups.begin(), m.groups.end(), g) != m.groups.end())
        return Reply::error(EEXIST, c.target.name + " is in group " + g + " already");
    m.groups.push_back(g);
    return record_or_undo(c, c.target.record->index, [&] { m.groups.pop_back(); });
}

Reply do_group_del(Ctx& c) {
    Managed& m = *c.target.managed;
    const std::string g(c.req.get(AttrType::IfGroup).as_str());
    const auto it = std::find(m.groups.begin(), m.groups.end(), g);
    if (it == m.groups.end()) return Reply::error(ENOENT, c.target.name + " is not in group " + g);
    const auto where = m.groups.erase(it) - m.groups.begin();
    return record_or_undo(c, c.target.record->index, [&] { m.groups.insert(m.groups.begin() + where, g); });
}

// no_dad is the daemon's: inet6 addresses it adds from now on carry IFA_F_NODAD
// (the accept_dad sysctl is out of reach under ProtectKernelTunables).
// auto_linklocal is the kernel's addr_gen_mode (eui64 or none), set by netlink;
// it decides for the next time the interface comes up.
Reply do_set_inet6(Ctx& c) {
    Managed& m = *c.target.managed;
    const uint32_t index = c.target.record->index;
    const bool old_auto = c.target.record->auto_linklocal;  // copied: the view changes below
    const bool auto_set = c.req.has(AttrType::AutoLinklocal);
    if (auto_set) {
        LinkChange ch;
        ch.auto_linklocal = c.req.get(AttrType::AutoLinklocal).as_u8() != 0;
        if (int rc = c.kernel.change_link(index, ch); rc < 0)
            return from_kernel(rc, "setting addr_gen_mode of " + c.target.name);
        note_kernel_change(c);
    }
    if (!c.req.has(AttrType::NoDad)) return ok();
    const bool old = m.no_dad;
    m.no_dad = c.req.get(AttrType::NoDad).as_u8() != 0;
    // A record that cannot be written takes back both halves of the change.
    return record_or_undo(c, index, [&] {
        m.no_dad = old;
        if (!auto_set) return;
        LinkChange back;
        back.auto_linklocal = old_auto;
        if (int rc = c.kernel.change_link(index, back); rc < 0)
            spdlog::warn("could not put back addr_gen_mode of {}: {}", c.target.name, std::strerror(-rc));
    });
}

// The settings the step names, as they are now.
void undo_set_inet6(const proto::Request& req, const Target& tg, ClientId, Frames& out) {
    if (!tg.managed) return;
    proto::Writer w = request_by_index(Op::SetInet6, tg.record->index);
    if (req.has(AttrType::NoDad)) w.u8(wire_type(AttrType::NoDad), tg.managed->no_dad ? 1 : 0);
    if (req.has(AttrType::AutoLinklocal)) w.u8(wire_type(AttrType::AutoLinklocal), tg.record->auto_linklocal ? 1 : 0);
    out.push_back(w.finish());
}

void undo_set_description(const proto::Request&, const Target& tg, ClientId, Frames& out) {
    out.push_back(
        request_by_index(Op::SetDescription, tg.record->index).str(wire_type(AttrType::Description), tg.record->description).finish());
}

void undo_group(const proto::Request& req, const Target& tg, ClientId, Frames& out) {
    const Op inverse = req.op() == Op::GroupAdd ? Op::GroupDel : Op::GroupAdd;
    out.push_back(request_by_index(inverse, tg.record->index)
                      .str(wire_type(AttrType::IfGroup), std::string(req.get(AttrType::IfGroup).as_str()))
                      .finish());
}

}  // namespace ifctl::daemon::detail
