#include "unix_family.hpp"

#include <cerrno>
#include <cstring>

namespace ifctl::ioctl_layer {

using client::Connection;
using client::Target;

Dev open_dev(const Call& c, Need need) {
    Dev d;
    d.r = load(c);
    d.name = name_of(d.r);
    d.err = find_device(d.name, d.l, need);
    return d;
}

Dev open_named(const char* name, Need need) {
    Dev d;
    std::memcpy(d.r.ifr_name, name, IFNAMSIZ - 1);
    d.name = name_of(d.r);
    d.err = find_device(d.name, d.l, need);
    return d;
}

int refused(const Dev& d) { return d.l.rec.may_change ? 0 : EPERM; }

int send(const Dev& d, const std::function<int(Connection&, const Target&)>& op) {
    const Target t = Target::by_index(d.l.rec.index);
    return change_errno(change([&](Connection& c) { return op(c, t); }));
}

int put_address(const Dev& d, const proto::Address* old, const proto::Address* next) {
    if (!next) return send(d, [&](Connection& conn, const Target& t) { return conn.addr_del(t, *old); });
    return send(d, [&](Connection& conn, const Target& t) {
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
    return answered(send(d, [&](Connection& conn, const Target& t) { return conn.set_metric(t, metric); }));
}

Outcome get_index_common(const Call& c) {
    Dev d = open_dev(c);
    if (d.err) return answered(d.err);
    // FreeBSD writes a short, illumos an int: the int, whose low half is the short (§8).
    d.r.ifr_ifindex = static_cast<int>(d.l.rec.index);
    return give_back(c, d.r);
}

}  // namespace ifctl::ioctl_layer
