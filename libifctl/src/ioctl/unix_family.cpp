#include "unix_family.hpp"

#include <cerrno>
#include <cstring>

#include "logical_names.hpp"

namespace ifctl::ioctl_layer {

using client::Connection;
using client::InterfaceRef;

namespace {

// A name with a colon is a Linux address label. BSD has no interface by that
// name (ifunit_ref: ENXIO), so a bsd request naming one is refused before any
// lookup and changes nothing. Under svr4 it is a logical interface
// (logical_names.hpp), which must exist unless the request makes it.
int find(const IfName& n, Lookup& l, Need need, Logical logical) {
    if (!n.alias) return find_device(n, l, need);
    if (ifctl_get_personality() != IFCTL_PERSONALITY_SVR4) return ENXIO;
    if (int e = find_device(n, l, Need::Addresses)) return e;
    if (logical == Logical::MayMake) return 0;
    return find_logical(logical_interfaces(l.rec), n.full) ? 0 : ENXIO;
}

}  // namespace

Dev open_dev(const Call& c, Need need, Logical logical) {
    Dev d;
    d.r = load(c);
    d.name = name_of(d.r);
    d.err = find(d.name, d.l, need, logical);
    return d;
}

Dev open_named(const char* name, Need need) {
    Dev d;
    std::memcpy(d.r.ifr_name, name, IFNAMSIZ - 1);
    d.name = name_of(d.r);
    d.err = find(d.name, d.l, need, Logical::MustExist);
    return d;
}

int refused(const Dev& d) { return d.l.rec.may_change ? 0 : EPERM; }

int send(const Dev& d, const std::function<client::Result(Connection&, const InterfaceRef&)>& op) {
    const InterfaceRef t = InterfaceRef::by_index(d.l.rec.index);
    return change_errno(change([&](Connection& c) { return op(c, t); }));
}

int put_address(const Dev& d, const proto::Address* old, const proto::Address* next) {
    if (!next) return send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.addr_del(t, *old); });
    return send(d, [&](Connection& conn, const InterfaceRef& t) {
        return old ? conn.addr_replace(t, *old, *next) : conn.addr_add(t, *next);
    });
}

Outcome get_mtu_common(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    d.r.ifr_mtu = static_cast<int>(d.l.rec.mtu);  // illumos' ifr_metric: the same int at offset 16
    return give_back(c, d.r);
}

Outcome get_metric_common(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    d.r.ifr_metric = d.l.rec.metric;  // the daemon stores it (§8)
    return give_back(c, d.r);
}

Outcome set_metric_common(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    if (int e = refused(d)) return answered(e);
    const int32_t metric = d.r.ifr_metric;  // any int is stored (§8)
    return answered(send(d, [&](Connection& conn, const InterfaceRef& t) { return conn.set_metric(t, metric); }));
}

Outcome get_index_common(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    // FreeBSD writes a short, illumos an int: the int, whose low half is the short (§8).
    d.r.ifr_ifindex = static_cast<int>(d.l.rec.index);
    return give_back(c, d.r);
}

}  // namespace ifctl::ioctl_layer
