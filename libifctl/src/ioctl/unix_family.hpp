// What the bsd and svr4 personalities share: both answer for every interface
// the daemon sees (unknown: ENXIO, checked first), change only the ones it
// manages, and serve a few requests identically (metric stored, index, MTU read).
#pragma once

#include <net/if.h>

#include <functional>

#include "ifreq_common.hpp"

namespace ifctl::ioctl_layer {

// The opening of a request about one interface: the caller's ifreq, the
// device's name, its record, and ENXIO when the daemon does not know it.
struct Dev {
    IfName name;
    Lookup l;
    struct ifreq r {};
    int err = 0;
};
// A name "dev:N": ENXIO under bsd; under svr4 a logical interface, ENXIO
// unless it exists or the request may make it (SIOCSIFADDR).
enum class Logical { MustExist, MayMake };
Dev open_dev(const Call& c, Need need = Need::Brief, Logical logical = Logical::MustExist);
// For the structures that only start with a name (ifaliasreq, in6_aliasreq).
Dev open_named(const char* name, Need need);

// EPERM when the daemon's policy will refuse a change: checked before any
// argument, as priv_check comes before the argument checks in both systems.
int refused(const Dev& d);

// One change about the device (by index: the name may be the request's subject).
int send(const Dev& d, const std::function<client::Result(client::Connection&, const client::InterfaceRef&)>& op);

// Replaces `old` by `next` in one change, adds `next` (no `old`), or deletes
// `old` (no `next`).
int put_address(const Dev& d, const proto::Address* old, const proto::Address* next);

// Requests both answer alike.
Outcome get_mtu_common(const Call& c);
Outcome get_metric_common(const Call& c);
Outcome set_metric_common(const Call& c);
Outcome get_index_common(const Call& c);

}  // namespace ifctl::ioctl_layer
