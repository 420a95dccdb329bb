// The handlers of the interface settings FreeBSD's ifconfig has and Linux keeps
// apart: the description (the kernel's ifalias), interface groups (kept by the
// daemon) and inet6's no_dad and auto_linklocal. Rows of dispatch.cpp's table.
#pragma once

#include "daemon/core/handlers.hpp"

namespace ifctl::daemon::detail {

Reply do_set_description(Ctx& c);  // SetDescription
Reply do_group_add(Ctx& c);        // GroupAdd
Reply do_group_del(Ctx& c);        // GroupDel
Reply do_set_inet6(Ctx& c);        // SetInet6

}  // namespace ifctl::daemon::detail
