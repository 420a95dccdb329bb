// The C API of ifctl.h, a thin layer over client::Connection.
//
// Every entry point catches C++ exceptions (none may cross into C): a failed
// allocation becomes -ENOMEM, anything else -EIO, each with a message.
// Results handed to C are malloc'd, so that they can be freed from C.
#include "ifctl/ifctl.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "libifctl/protocol/event.hpp"
#include "libifctl/src/connection.hpp"

#ifndef IFCTL_PROJECT_VERSION
#error "IFCTL_PROJECT_VERSION must be defined by the build (meson.project_version())"
#endif

struct ifctl_handle {
    std::unique_ptr<ifctl::client::Connection> conn;
    std::string message;  // what ifctl_message() returns
};

namespace {

using ifctl::client::Connection;
using ifctl::client::InterfaceRef;
namespace client = ifctl::client;
namespace proto = ifctl::proto;

static_assert(AF_INET == 2 && AF_INET6 == 10, "the protocol uses Linux address family numbers");

// Copies at most size-1 bytes and always terminates (if size > 0).
void copy_str(char* dst, size_t size, const std::string& src) {
    if (!dst || size == 0) return;
    const size_t n = src.size() < size - 1 ? src.size() : size - 1;
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

// Runs body, turning exceptions into errno results and a message on the handle.
template <class F>
int guarded(ifctl_t* h, F&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        if (h) try { h->message = "out of memory"; } catch (...) {}
        return -ENOMEM;
    } catch (const std::exception& e) {
        if (h) try { h->message = std::string("internal error: ") + e.what(); } catch (...) {}
        return -EIO;
    } catch (...) {
        if (h) try { h->message = "internal error"; } catch (...) {}
        return -EIO;
    }
}

// A local failure (bad argument): sets the message and returns -err.
int fail(ifctl_t* h, int err, const char* why) {
    h->message = why;
    return -err;
}

// After a connection call: remember its explanation.
int finish(ifctl_t* h, const client::Result& r) {
    h->message = r.ok() ? std::string() : r.message;
    if (!r.ok() && h->message.empty()) h->message = std::strerror(-r.error);
    return r.error;
}

// Checks an interface name argument; 0 or -EINVAL with a message.
int check_name(ifctl_t* h, const char* name, const char* what = "interface name") {
    if (!name || !*name) return fail(h, EINVAL, (std::string(what) + " is missing").c_str());
    if (std::strlen(name) > 15) {
        h->message = std::string(what) + " \"" + name + "\" is longer than 15 characters";
        return -EINVAL;
    }
    return 0;
}

int to_proto(ifctl_t* h, const ifctl_addr_t* in, proto::Address& out, const char* what) {
    if (!in) {
        h->message = std::string(what) + " is missing";
        return -EINVAL;
    }
    if (in->family != AF_INET && in->family != AF_INET6) {
        h->message = std::string(what) + ": address family " + std::to_string(in->family) + " is not AF_INET or AF_INET6";
        return -EAFNOSUPPORT;
    }
    const unsigned max_prefix = in->family == AF_INET ? 32 : 128;
    if (in->prefixlen > max_prefix) {
        h->message = std::string(what) + ": prefix length " + std::to_string(in->prefixlen) + " is out of range (0.." +
                     std::to_string(max_prefix) + ")";
        return -EINVAL;
    }
    const size_t label_len = strnlen(in->label, sizeof in->label);
    if (label_len == sizeof in->label) {
        h->message = std::string(what) + ": label is not NUL-terminated within 16 bytes";
        return -EINVAL;
    }
    out = proto::Address{};
    out.family = static_cast<uint8_t>(in->family);
    std::memcpy(out.local.data(), in->local, out.length());
    out.prefix = static_cast<uint8_t>(in->prefixlen);
    if (in->has_broadcast) {
        std::array<uint8_t, 4> b{};
        std::memcpy(b.data(), in->broadcast, 4);
        out.broadcast = b;
    }
    if (in->has_peer) {
        std::array<uint8_t, 16> p{};
        std::memcpy(p.data(), in->peer, out.length());
        out.peer = p;
    }
    out.label.assign(in->label, label_len);
    out.flags = in->flags;
    return 0;
}

void from_proto(const proto::Address& in, ifctl_addr_t& out) {
    std::memset(&out, 0, sizeof out);
    out.family = in.family == 2 ? AF_INET : AF_INET6;
    std::memcpy(out.local, in.local.data(), in.length());
    out.prefixlen = in.prefix;
    if (in.broadcast) {
        out.has_broadcast = 1;
        std::memcpy(out.broadcast, in.broadcast->data(), 4);
    }
    if (in.peer) {
        out.has_peer = 1;
        std::memcpy(out.peer, in.peer->data(), in.length());
    }
    copy_str(out.label, sizeof out.label, in.label);
    out.flags = in.flags;
}

void free_arrays(ifctl_iface_t* i) {
    std::free(i->addrs);
    std::free(i->multi);
    i->addrs = nullptr;
    i->naddrs = 0;
    i->multi = nullptr;
    i->nmulti = 0;
}

// Fills *out (whose arrays it owns afterwards). On -ENOMEM *out holds no arrays.
int from_proto(const proto::Interface& in, ifctl_iface_t& out) {
    std::memset(&out, 0, sizeof out);
    out.index = in.index;
    copy_str(out.name, sizeof out.name, in.name);
    copy_str(out.kind, sizeof out.kind, in.kind);
    out.hw_type = in.hw_type;
    out.flags = in.flags;
    out.mtu = in.mtu;
    out.min_mtu = in.min_mtu;
    out.max_mtu = in.max_mtu;
    out.metric = in.metric;
    out.txqlen = in.txqlen;
    out.lladdr_len = in.lladdr.size() < sizeof out.lladdr ? in.lladdr.size() : sizeof out.lladdr;
    if (out.lladdr_len) std::memcpy(out.lladdr, in.lladdr.data(), out.lladdr_len);
    out.carrier = in.carrier;
    out.managed = in.managed;
    out.owner = static_cast<uid_t>(in.owner);
    out.unique_id = in.unique_id;
    copy_str(out.unique_family, sizeof out.unique_family, in.unique_family);
    out.caps_supported = in.caps_supported;
    out.caps_enabled = in.caps_enabled;
    out.promisc_refs = in.promisc_refs;
    out.allmulti_refs = in.allmulti_refs;
    out.stats.rx_packets = in.stats.rx_packets;
    out.stats.tx_packets = in.stats.tx_packets;
    out.stats.rx_bytes = in.stats.rx_bytes;
    out.stats.tx_bytes = in.stats.tx_bytes;
    out.stats.rx_errors = in.stats.rx_errors;
    out.stats.tx_errors = in.stats.tx_errors;
    out.stats.rx_dropped = in.stats.rx_dropped;
    out.stats.tx_dropped = in.stats.tx_dropped;
    out.stats.multicast = in.stats.multicast;
    out.stats.collisions = in.stats.collisions;
    if (!in.addresses.empty()) {
        out.addrs = static_cast<ifctl_addr_t*>(std::calloc(in.addresses.size(), sizeof(ifctl_addr_t)));
        if (!out.addrs) return -ENOMEM;
        out.naddrs = in.addresses.size();
        for (size_t n = 0; n < in.addresses.size(); ++n) from_proto(in.addresses[n], out.addrs[n]);
    }
    if (!in.multicast.empty()) {
        out.multi = static_cast<unsigned char(*)[6]>(std::calloc(in.multicast.size(), 6));
        if (!out.multi) {
            free_arrays(&out);
            return -ENOMEM;
        }
        out.nmulti = in.multicast.size();
        for (size_t n = 0; n < in.multicast.size(); ++n) std::memcpy(out.multi[n], in.multicast[n].data(), 6);
    }
    return 0;
}

int get_iface(ifctl_t* h, const InterfaceRef& target, ifctl_iface_t* out) {
    if (!out) return fail(h, EINVAL, "no place for the result (out is NULL)");
    std::memset(out, 0, sizeof *out);
    proto::Interface i;
    const int rc = finish(h, h->conn->get(target, i));
    if (rc < 0) return rc;
    if (from_proto(i, *out) < 0) return fail(h, ENOMEM, "out of memory");
    return 0;
}

std::array<uint8_t, 6> mac6(const unsigned char mac[6]) {
    std::array<uint8_t, 6> m{};
    std::memcpy(m.data(), mac, 6);
    return m;
}

int membership(ifctl_t* h, const char* name, const unsigned char mac[6], bool join) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!mac) return fail(h, EINVAL, "multicast address is NULL");
        const InterfaceRef t = InterfaceRef::by_name(name);
        return finish(h, join ? h->conn->multi_add(t, mac6(mac), true) : h->conn->multi_del(t, mac6(mac), true));
    });
}

// Every create; family NULL: no unique id.
int create(ifctl_t* h, const char* name, ifctl::client::CreateOptions opts, char* created_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name, "name or pattern"); rc < 0) return rc;
        proto::Interface created;
        const int rc = finish(h, h->conn->create(name, opts, created));
        if (rc < 0) return rc;
        if (created_name) copy_str(created_name, 16, created.name);
        return 0;
    });
}

int check_family(ifctl_t* h, uint64_t unique_id, const char* family) {
    if (unique_id == 0) return fail(h, EINVAL, "unique id 0 means none");
    return check_name(h, family, "unique id family");
}

ifctl::client::CreateOptions plain_options(unsigned queues, uint64_t unique_id, const char* family) {
    ifctl::client::CreateOptions opts;
    opts.queues = queues;
    if (family) {
        opts.unique_id = unique_id;
        opts.unique_family = family;
    }
    return opts;
}

// The caller's ifctl_create_opts_t, whatever header version it was built
// with, as this library's: a smaller struct is zero-extended, a larger one is
// accepted only if what this library does not know is zero (as openat2(2)).
int read_create_opts(ifctl_t* h, const ifctl_create_opts_t* in, ifctl_create_opts_t& out) {
    std::memset(&out, 0, sizeof out);
    if (!in) return 0;
    constexpr size_t kFirst = offsetof(ifctl_create_opts_t, unique_family) + sizeof(const char*);
    if (in->size < kFirst) return fail(h, EINVAL, "ifctl_create_opts_t.size is smaller than any version of it");
    if (in->size > sizeof out) {
        const auto* tail = reinterpret_cast<const unsigned char*>(in) + sizeof out;
        for (size_t n = 0; n < in->size - sizeof out; ++n)
            if (tail[n]) return fail(h, E2BIG, "ifctl_create_opts_t has options this library does not know");
    }
    std::memcpy(&out, in, in->size < sizeof out ? in->size : sizeof out);
    constexpr unsigned kKnown = IFCTL_CREATE_OWNER | IFCTL_CREATE_GROUP | IFCTL_CREATE_PERSIST | IFCTL_CREATE_VNET_HDR;
    if (out.flags & ~kKnown) return fail(h, EINVAL, "ifctl_create_opts_t.flags has bits that are not IFCTL_CREATE_*");
    if (out.unique_id == 0 && out.unique_family) return fail(h, EINVAL, "unique_family is set but unique_id is 0");
    if (out.unique_id) {
        if (int rc = check_family(h, out.unique_id, out.unique_family); rc < 0) return rc;
    }
    return 0;
}

// Sends an operation this build's protocol tables may not name yet (a newer
// daemon's): the reply is read like any other; a daemon without it answers
// EOPNOTSUPP "unknown operation N", said here in the caller's terms.
int call_raw(ifctl_t* h, uint16_t op, const char* name, const char* what,
             const std::function<void(proto::Writer&)>& attrs) {
    const InterfaceRef t = InterfaceRef::by_name(name);
    proto::Writer w = h->conn->request(static_cast<proto::Op>(op), &t);
    attrs(w);
    client::DecodedReply r;
    if (client::Result sent = h->conn->call(w, r); !sent.ok()) return finish(h, sent);
    h->message = r.message;
    if (!r.status) return 0;
    if (r.status == EOPNOTSUPP && r.message.rfind("unknown operation", 0) == 0)
        h->message = std::string("this ifctld cannot ") + what + " (it does not know operation " + std::to_string(op) +
                     "); a newer ifctld can";
    if (h->message.empty()) h->message = std::strerror(r.status);
    return -r.status;
}

// Protocol numbers of descriptions (docs/protocol.md): op SetDescription, attribute Description.
constexpr uint16_t kOpSetDescription = 32;
constexpr uint16_t kAttrDescription = 91;
constexpr size_t kMaxDescription = 255;  // IFALIASZ - 1

void from_event(const proto::Event& in, ifctl_event_t& out) {
    std::memset(&out, 0, sizeof out);
    out.seq = in.seq;
    out.kind = in.kind;
    out.index = in.index;
    copy_str(out.name, sizeof out.name, in.name);
    out.managed = in.managed;
    out.time_ms = in.time_ms;
    copy_str(out.old_name, sizeof out.old_name, in.old_name);
    out.flags = in.flags;
    out.old_flags = in.old_flags;
    out.mtu = in.mtu;
    out.old_mtu = in.old_mtu;
    out.carrier = in.carrier;
    if (in.address) {
        out.has_addr = 1;
        from_proto(*in.address, out.addr);
    }
    out.lladdr_len = in.lladdr.size() < sizeof out.lladdr ? in.lladdr.size() : sizeof out.lladdr;
    if (out.lladdr_len) std::memcpy(out.lladdr, in.lladdr.data(), out.lladdr_len);
}

// A malloc'd copy (C frees it); null when out of memory.
char* dup_str(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

// Waits up to timeout_ms (< 0: no limit) for the descriptor to be readable.
int wait_readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    for (;;) {
        const int n = ::poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
        if (n > 0) return 0;
        if (n == 0) return -ETIMEDOUT;
        if (errno != EINTR) return -errno;
    }
}

}  // namespace

extern "C" {

int ifctl_open(ifctl_t** out, const char* socket_path, char* why, size_t why_len) {
    if (why && why_len) why[0] = '\0';
    if (!out) {
        copy_str(why, why_len, "no place for the handle (out is NULL)");
        return -EINVAL;
    }
    *out = nullptr;
    try {
        const std::string path = socket_path ? std::string(socket_path) : ifctl::client::default_socket_path();
        std::unique_ptr<ifctl_t> h(new ifctl_t);
        std::string reason;
        const int rc = Connection::open(path, h->conn, reason);
        if (rc < 0) {
            copy_str(why, why_len, reason.empty() ? std::string(std::strerror(-rc)) : reason);
            return rc;
        }
        *out = h.release();
        return 0;
    } catch (const std::bad_alloc&) {
        copy_str(why, why_len, "out of memory");
        return -ENOMEM;
    } catch (const std::exception& e) {
        try { copy_str(why, why_len, std::string("internal error: ") + e.what()); } catch (...) {}
        return -EIO;
    } catch (...) {
        copy_str(why, why_len, "internal error");
        return -EIO;
    }
}

void ifctl_close(ifctl_t* h) { delete h; }

const char* ifctl_message(const ifctl_t* h) { return h ? h->message.c_str() : ""; }

int ifctl_fd(const ifctl_t* h) { return h && h->conn ? h->conn->fd() : -EINVAL; }

int ifctl_list(ifctl_t* h, ifctl_iface_t** ifaces, size_t* count) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (!ifaces || !count) return fail(h, EINVAL, "no place for the result (ifaces or count is NULL)");
        *ifaces = nullptr;
        *count = 0;
        std::vector<proto::Interface> list;
        const int rc = finish(h, h->conn->list(list));
        if (rc < 0) return rc;
        if (list.empty()) return 0;
        auto* arr = static_cast<ifctl_iface_t*>(std::calloc(list.size(), sizeof(ifctl_iface_t)));
        if (!arr) return fail(h, ENOMEM, "out of memory");
        for (size_t n = 0; n < list.size(); ++n) {
            if (from_proto(list[n], arr[n]) < 0) {
                ifctl_list_free(arr, n);
                return fail(h, ENOMEM, "out of memory");
            }
        }
        *ifaces = arr;
        *count = list.size();
        return 0;
    });
}

void ifctl_list_free(ifctl_iface_t* ifaces, size_t count) {
    if (!ifaces) return;
    for (size_t n = 0; n < count; ++n) free_arrays(&ifaces[n]);
    std::free(ifaces);
}

int ifctl_get(ifctl_t* h, const char* name, ifctl_iface_t* out) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return get_iface(h, InterfaceRef::by_name(name), out);
    });
}

int ifctl_get_by_index(ifctl_t* h, unsigned index, ifctl_iface_t* out) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (index == 0) return fail(h, EINVAL, "interface index 0 does not exist");
        return get_iface(h, InterfaceRef::by_index(index), out);
    });
}

void ifctl_iface_free(ifctl_iface_t* iface) {
    if (iface) free_arrays(iface);
}

int ifctl_create(ifctl_t* h, const char* name, unsigned queues, char* created_name) {
    return create(h, name, plain_options(queues, 0, nullptr), created_name);
}

int ifctl_create_with(ifctl_t* h, const char* name, const ifctl_create_opts_t* opts, char* created_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        ifctl_create_opts_t o;
        if (int rc = read_create_opts(h, opts, o); rc < 0) return rc;
        ifctl::client::CreateOptions c = plain_options(o.queues, o.unique_id, o.unique_id ? o.unique_family : nullptr);
        if (o.flags & IFCTL_CREATE_OWNER) c.owner = o.owner;
        if (o.flags & IFCTL_CREATE_GROUP) c.group = o.group;
        c.persistent = o.flags & IFCTL_CREATE_PERSIST;
        c.vnet_hdr = o.flags & IFCTL_CREATE_VNET_HDR;
        return create(h, name, c, created_name);
    });
}

int ifctl_set_owner(ifctl_t* h, const char* name, uid_t owner) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_owner(InterfaceRef::by_name(name), owner));
    });
}

int ifctl_set_persistent(ifctl_t* h, const char* name, int persistent) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_persistent(InterfaceRef::by_name(name), persistent != 0));
    });
}

int ifctl_move_netns_pid(ifctl_t* h, const char* name, pid_t pid) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (pid <= 0) return fail(h, EINVAL, "process id must be positive");
        ifctl::client::NetnsTarget where;
        where.pid = static_cast<uint32_t>(pid);
        return finish(h, h->conn->move_netns(InterfaceRef::by_name(name), where));
    });
}

int ifctl_move_netns_path(ifctl_t* h, const char* name, const char* path) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!path || !*path) return fail(h, EINVAL, "namespace path is missing");
        ifctl::client::NetnsTarget where;
        where.path = path;
        return finish(h, h->conn->move_netns(InterfaceRef::by_name(name), where));
    });
}

int ifctl_set_description(ifctl_t* h, const char* name, const char* text) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        const std::string d = text ? text : "";
        if (d.size() > kMaxDescription) return fail(h, EINVAL, "description is longer than 255 bytes");
        return call_raw(h, kOpSetDescription, name, "set descriptions",
                        [&](proto::Writer& w) { w.str(kAttrDescription, d); });
    });
}

int ifctl_get_description(ifctl_t* h, const char* name, char** text) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (!text) return fail(h, EINVAL, "no place for the result (text is NULL)");
        *text = nullptr;
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Interface i;
        if (int rc = finish(h, h->conn->get(InterfaceRef::by_name(name), i)); rc < 0) return rc;
        *text = dup_str(i.description);
        return *text ? 0 : fail(h, ENOMEM, "out of memory");
    });
}

void ifctl_description_free(char* text) { std::free(text); }

int ifctl_group_add(ifctl_t* h, const char* name, const char* group) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (int rc = check_name(h, group, "group name"); rc < 0) return rc;
        return finish(h, h->conn->group_add(InterfaceRef::by_name(name), group));
    });
}

int ifctl_group_del(ifctl_t* h, const char* name, const char* group) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (int rc = check_name(h, group, "group name"); rc < 0) return rc;
        return finish(h, h->conn->group_del(InterfaceRef::by_name(name), group));
    });
}

int ifctl_get_groups(ifctl_t* h, const char* name, char*** groups, size_t* count) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (!groups || !count) return fail(h, EINVAL, "no place for the result (groups or count is NULL)");
        *groups = nullptr;
        *count = 0;
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Interface i;
        if (int rc = finish(h, h->conn->get(InterfaceRef::by_name(name), i)); rc < 0) return rc;
        if (i.groups.empty()) return 0;
        auto* arr = static_cast<char**>(std::calloc(i.groups.size(), sizeof(char*)));
        if (!arr) return fail(h, ENOMEM, "out of memory");
        for (size_t n = 0; n < i.groups.size(); ++n)
            if (!(arr[n] = dup_str(i.groups[n]))) {
                ifctl_groups_free(arr, n);
                return fail(h, ENOMEM, "out of memory");
            }
        *groups = arr;
        *count = i.groups.size();
        return 0;
    });
}

void ifctl_groups_free(char** groups, size_t count) {
    if (!groups) return;
    for (size_t n = 0; n < count; ++n) std::free(groups[n]);
    std::free(groups);
}

int ifctl_move_home(ifctl_t* h, const char* name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->move_home(name));
    });
}

int ifctl_subscribe(ifctl_t* h, const char* name, uint32_t kinds, uint64_t* last_seq) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (name) {
            if (int rc = check_name(h, name); rc < 0) return rc;
        }
        if (kinds & ~uint32_t{IFCTL_EV_ALL}) return fail(h, EINVAL, "event kinds has bits that are not IFCTL_EV_*");
        const InterfaceRef t = InterfaceRef::by_name(name ? name : "");
        return finish(h, h->conn->subscribe(name ? &t : nullptr, kinds ? kinds : proto::kAllEvents, last_seq));
    });
}

int ifctl_next_event(ifctl_t* h, ifctl_event_t* ev, int timeout_ms) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (!ev) return fail(h, EINVAL, "no place for the event (ev is NULL)");
        if (int rc = wait_readable(h->conn->fd(), timeout_ms); rc < 0)
            return fail(h, -rc, rc == -ETIMEDOUT ? "no event in time" : std::strerror(-rc));
        proto::Event e;
        const int rc = finish(h, h->conn->next_event(e));
        if (rc < 0) return rc;
        from_event(e, *ev);
        return 0;
    });
}

const char* ifctl_event_kind_name(uint32_t kind) {
    // The names are string literals (event.cpp): NUL-terminated, static.
    const std::string_view n = proto::event_kind_name(kind);
    return n.empty() ? "" : n.data();
}

int ifctl_event_kinds_parse(const char* list, uint32_t* mask) {
    if (!list || !mask) return -EINVAL;
    try {
        std::string bad;
        uint32_t m = 0;
        if (!proto::parse_event_kinds(list, m, bad) || m == 0) return -EINVAL;
        *mask = m;
        return 0;
    } catch (...) {
        return -ENOMEM;
    }
}

int ifctl_destroy(ifctl_t* h, const char* name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->destroy(InterfaceRef::by_name(name)));
    });
}

int ifctl_rename(ifctl_t* h, const char* name, const char* new_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (int rc = check_name(h, new_name, "new name"); rc < 0) return rc;
        return finish(h, h->conn->rename(InterfaceRef::by_name(name), new_name));
    });
}

int ifctl_set_flags(ifctl_t* h, const char* name, uint32_t flags, uint32_t mask) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_flags(InterfaceRef::by_name(name), flags, mask));
    });
}

int ifctl_set_mtu(ifctl_t* h, const char* name, unsigned mtu) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_mtu(InterfaceRef::by_name(name), mtu));
    });
}

int ifctl_set_metric(ifctl_t* h, const char* name, int metric) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_metric(InterfaceRef::by_name(name), metric));
    });
}

int ifctl_set_txqlen(ifctl_t* h, const char* name, unsigned txqlen) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_txqlen(InterfaceRef::by_name(name), txqlen));
    });
}

int ifctl_set_lladdr(ifctl_t* h, const char* name, const unsigned char* addr, size_t len) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!addr && len) return fail(h, EINVAL, "link-level address is NULL");
        if (len > 32) return fail(h, EINVAL, "link-level address is longer than 32 bytes");
        std::vector<uint8_t> ll(addr, addr + len);
        return finish(h, h->conn->set_lladdr(InterfaceRef::by_name(name), ll));
    });
}

int ifctl_addr_add(ifctl_t* h, const char* name, const ifctl_addr_t* addr) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Address a;
        if (int rc = to_proto(h, addr, a, "address"); rc < 0) return rc;
        return finish(h, h->conn->addr_add(InterfaceRef::by_name(name), a));
    });
}

int ifctl_addr_del(ifctl_t* h, const char* name, const ifctl_addr_t* addr) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Address a;
        if (int rc = to_proto(h, addr, a, "address"); rc < 0) return rc;
        return finish(h, h->conn->addr_del(InterfaceRef::by_name(name), a));
    });
}

int ifctl_addr_replace(ifctl_t* h, const char* name, const ifctl_addr_t* old_addr, const ifctl_addr_t* new_addr) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Address o, n;
        if (int rc = to_proto(h, old_addr, o, "old address"); rc < 0) return rc;
        if (int rc = to_proto(h, new_addr, n, "new address"); rc < 0) return rc;
        return finish(h, h->conn->addr_replace(InterfaceRef::by_name(name), o, n));
    });
}

int ifctl_multi_add(ifctl_t* h, const char* name, const unsigned char mac[6]) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!mac) return fail(h, EINVAL, "multicast address is NULL");
        return finish(h, h->conn->multi_add(InterfaceRef::by_name(name), mac6(mac)));
    });
}

int ifctl_multi_del(ifctl_t* h, const char* name, const unsigned char mac[6]) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!mac) return fail(h, EINVAL, "multicast address is NULL");
        return finish(h, h->conn->multi_del(InterfaceRef::by_name(name), mac6(mac)));
    });
}

int ifctl_multi_join(ifctl_t* h, const char* name, const unsigned char mac[6]) { return membership(h, name, mac, true); }

int ifctl_multi_leave(ifctl_t* h, const char* name, const unsigned char mac[6]) {
    return membership(h, name, mac, false);
}

int ifctl_flag_ref(ifctl_t* h, const char* name, uint32_t flag, int on) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->flag_ref(InterfaceRef::by_name(name), flag, on != 0));
    });
}

int ifctl_set_caps(ifctl_t* h, const char* name, uint32_t tun_f) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_caps(InterfaceRef::by_name(name), tun_f));
    });
}

int ifctl_rename_live(ifctl_t* h, const char* name, const char* new_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (int rc = check_name(h, new_name, "new name"); rc < 0) return rc;
        return finish(h, h->conn->rename(InterfaceRef::by_name(name), new_name, true));
    });
}

int ifctl_create_unique(ifctl_t* h, const char* name, unsigned queues, uint64_t unique_id, const char* family,
                        char* created_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_family(h, unique_id, family); rc < 0) return rc;
        return create(h, name, plain_options(queues, unique_id, family), created_name);
    });
}

int ifctl_detach(ifctl_t* h, const char* name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->detach(InterfaceRef::by_name(name)));
    });
}

int ifctl_forget(ifctl_t* h, uint64_t unique_id, const char* family) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_family(h, unique_id, family); rc < 0) return rc;
        return finish(h, h->conn->forget(unique_id, family));
    });
}

int ifctl_open_queue(ifctl_t* h, const char* name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        int fd = -1;
        const int rc = finish(h, h->conn->open_queue(InterfaceRef::by_name(name), &fd));
        return rc < 0 ? rc : fd;
    });
}

const char* ifctl_version(void) { return IFCTL_PROJECT_VERSION; }

}  // extern "C"
