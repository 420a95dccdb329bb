// The names of the svr4 personality's logical interfaces. On illumos every
// IPv4 address of an interface is a logical interface of its own: unit 0 is
// "tap0", the others "tap0:1", "tap0:2", ... Linux keeps addresses with a
// label instead, and an alias made by `ifctl alias` or SIOCAIFADDR carries the
// bare device name as its label, like the primary. The names are therefore
// assigned, the same way for every request and list (docs/semantics.md):
//   - an address labelled "tap0:N" (N a decimal 1..99999 without a leading
//     zero, the first address with that label) is logical interface "tap0:N";
//   - of the others, in the kernel's order, the first is unit 0, "tap0";
//   - the rest take the lowest units not taken by a label, in the kernel's order.
// Unit 0 exists without an address when no address is left for it.
#pragma once

#include <string>
#include <vector>

#include "libifctl/protocol/model.hpp"

namespace ifctl::ioctl_layer {

struct LogicalIf {
    std::string name;
    unsigned unit = 0;
    const proto::Address* address = nullptr;  // null: unit 0 without an address
};

// Every logical interface of the device, by unit.
std::vector<LogicalIf> logical_interfaces(const proto::Interface& rec);
// The same into `out`, whose storage is kept (a list's walk reuses one vector).
void logical_interfaces(const proto::Interface& rec, std::vector<LogicalIf>& out);

// The logical interface called `name` ("tap0" or "tap0:N"), or none.
const LogicalIf* find_logical(const std::vector<LogicalIf>& all, const std::string& name);

}  // namespace ifctl::ioctl_layer
