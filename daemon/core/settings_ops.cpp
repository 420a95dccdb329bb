#include "daemon/core/settings_ops.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/core/persistence.hpp"

namespace ifctl::daemon::detail {

using proto::A;

namespace {

Reply from_kernel(int rc, const std::string& what) {
    return rc == 0 ? Reply{} : Reply::error(-rc, what + ": " + std::strerror(-rc));
}

// The record is on disk before the reply; if it cannot be, `undo` puts the change back.
template <typename Undo>
Reply recorded(Ctx& c, Undo undo) {
    if (!c.persist) return {};
    const int rc = c.persist->record(c.target.kernel->index);
    if (rc == 0) return {};
    undo();
    return Reply::error(-rc, "cannot record the change in the state directory: " + std::string(std::strerror(-rc)) +
                                 " (nothing was changed)");
}

// The kernel announces neither change to every listener (addr_gen_mode of a
// down link, for one): read the link again, then let group commit write it.
void note(Ctx& c) {
    const uint32_t index = c.target.kernel->index;
    c.kernel.refresh_link(index);
    if (c.persist) c.persist->note_change(index);
}

}  // namespace

Reply do_set_description(Ctx& c) {
    const std::string text(c.req.get(A::Description).as_str());
    LinkChange ch;
    ch.ifalias = text;
    if (int rc = c.kernel.change_link(c.target.kernel->index, ch); rc < 0)
        return from_kernel(rc, "setting the description of " + c.target.name);
    note(c);
    return {};
}

Reply do_group_add(Ctx& c) {
    Managed& m = *c.target.managed;
    const std::string g(c.req.get(A::IfGroup).as_str());
    if (std::find(m.groups.begin(), m.groups.end(), g) != m.groups.end())
        return Reply::error(EEXIST, c.target.name + " is in group " + g + " already");
    m.groups.push_back(g);
    return recorded(c, [&] { m.groups.pop_back(); });
}

Reply do_group_del(Ctx& c) {
    Managed& m = *c.target.managed;
    const std::string g(c.req.get(A::IfGroup).as_str());
    const auto it = std::find(m.groups.begin(), m.groups.end(), g);
    if (it == m.groups.end()) return Reply::error(ENOENT, c.target.name + " is not in group " + g);
    const auto where = m.groups.erase(it) - m.groups.begin();
    return recorded(c, [&] { m.groups.insert(m.groups.begin() + where, g); });
}

// no_dad is the daemon's: inet6 addresses it adds from now on carry IFA_F_NODAD
// (the accept_dad sysctl is out of reach under ProtectKernelTunables).
// auto_linklocal is the kernel's addr_gen_mode (eui64 or none), set by netlink;
// it decides for the next time the interface comes up.
Reply do_set_inet6(Ctx& c) {
    Managed& m = *c.target.managed;
    if (c.req.has(A::AutoLinklocal)) {
        LinkChange ch;
        ch.auto_linklocal = c.req.get(A::AutoLinklocal).as_u8() != 0;
        if (int rc = c.kernel.change_link(c.target.kernel->index, ch); rc < 0)
            return from_kernel(rc, "setting addr_gen_mode of " + c.target.name);
        note(c);
    }
    if (!c.req.has(A::NoDad)) return {};
    const bool old = m.no_dad;
    m.no_dad = c.req.get(A::NoDad).as_u8() != 0;
    return recorded(c, [&] { m.no_dad = old; });
}

}  // namespace ifctl::daemon::detail
