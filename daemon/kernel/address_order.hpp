// An address event applied to an interface's list where the kernel's order is
// known without reading the list again.
#pragma once

#include <vector>

#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

enum class AddressEvent { Added, Removed };

// Applies RTM_NEWADDR (Added) or RTM_DELADDR (Removed) of `a` to `list`, an
// interface's addresses in the kernel's order (inet ones, then inet6 ones).
// Returns false, leaving `list` as it was, when the kernel's order after the
// event cannot be told from the event alone: the list must be read again.
bool apply_address_event(std::vector<proto::Address>& list, AddressEvent event, const proto::Address& a);

}  // namespace ifctl::daemon
