// What the handlers share (support.cpp). Internal to daemon/core.
#pragma once

#include <cstring>
#include <string>

#include "daemon/core/handlers.hpp"
#include "daemon/core/persistence.hpp"

namespace ifctl::daemon::detail {

Reply ok();
// 0, or an error reply with the kernel's errno and what was being done.
Reply from_kernel(int rc, const std::string& what);

// Writes the target's record before the change is acknowledged; if that fails,
// `undo` puts the change back and the client gets the store's errno.
template <typename Undo>
Reply record_or_undo(Ctx& c, uint32_t index, Undo undo) {
    if (!c.persist) return ok();
    const int rc = c.persist->record(index);
    if (rc == 0) return ok();
    undo();
    return Reply::error(-rc, "cannot record the change in the state directory: " + std::string(std::strerror(-rc)) +
                                 " (nothing was changed)");
}

// The record as this client sees it: kernel facts, daemon facts, its own access.
proto::Interface view_for(Ctx& c, const proto::Interface& k, bool details = true);
// A reply holding the record of `index`.
Reply reply_with(Ctx& c, uint32_t index);
Mac own_mac(const proto::Interface& k);
// Programs the TAP's filter from the memberships and flag references (refs.hpp).
void sync_tx_filter(Managed& m, const Mac& own);

// An attribute's type number, for requests the daemon writes itself.
// A request the daemon writes itself (a batch's inverses), targeting by index.
proto::Writer request_by_index(proto::Op op, uint32_t index);
// An address attribute of a validated request.
proto::Address address_of(const proto::Request& req, proto::AttrType which);
// The address as the kernel holds it (with its flags), if present.
const proto::Address* find_address(const proto::Interface& k, const proto::Address& a);

}  // namespace ifctl::daemon::detail
