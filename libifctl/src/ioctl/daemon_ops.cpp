#include "daemon_ops.hpp"

#include <cerrno>

#include "daemon_link.hpp"

namespace ifctl::ioctl_layer {
namespace {

// Errors that mean the connection itself failed, not the request.
bool transport_failure(int rc) {
    // ETIMEDOUT: a reply that comes later would answer the wrong request.
    return rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN || rc == -EBADMSG || rc == -EMSGSIZE ||
           rc == -ETIMEDOUT;
}

Reach classify(int rc, bool unmanaged) {
    if (rc == -ENODEV) return Reach::Unknown;
    if (rc == -EPERM && unmanaged) return Reach::Unmanaged;
    return Reach::Managed;
}

}  // namespace

Lookup lookup(const client::Target& t, bool with_addresses) {
    Lookup out;
    const Link link = with_daemon([&](client::Connection& c) {
        const int rc = c.get(t, out.rec, !with_addresses);
        if (transport_failure(rc)) return false;
        out.reach = rc == 0 ? (out.rec.managed ? Reach::Managed : Reach::Unmanaged) : classify(rc, c.last_unmanaged());
        return true;
    });
    // A lookup changes nothing: a broken one is as good as no daemon.
    if (link != Link::Ok) out.reach = Reach::Unreachable;
    return out;
}

bool list_all(std::vector<proto::Interface>& out) {
    bool ok = false;
    (void)with_daemon([&](client::Connection& c) {
        const int rc = c.list(out);
        if (transport_failure(rc)) return false;
        ok = rc == 0;
        return true;
    });
    return ok;
}

Sent change(const std::function<int(client::Connection&)>& op) {
    Sent out;
    const Link link = with_daemon([&](client::Connection& c) {
        const int rc = op(c);
        if (transport_failure(rc)) return false;
        out.reach = classify(rc, c.last_unmanaged());
        out.err = -rc;
        return true;
    });
    if (link == Link::NoDaemon) out.reach = Reach::Unreachable;
    if (link == Link::Broken) {
        out.reach = Reach::Broken;
        out.err = EIO;
    }
    return out;
}

}  // namespace ifctl::ioctl_layer
