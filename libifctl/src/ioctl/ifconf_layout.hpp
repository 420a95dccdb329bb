// Which SIOCGIFCONF layout the bsd personality writes (ifctl.h,
// ifctl_ifconf_layout_t): the one a call asks for (compat.h's redirect passes
// IFCTL_IFCONF_LAYOUT), else the process's: ifctl_set_ifconf_layout(), else
// $IFCTL_IFCONF, else IFREQ.
#pragma once

#include <cstddef>

#include "ifctl/ifctl.h"

namespace ifctl::ioctl_layer {

ifctl_ifconf_layout_t layout_in_force(ifctl_ifconf_layout_t requested);

}  // namespace ifctl::ioctl_layer
