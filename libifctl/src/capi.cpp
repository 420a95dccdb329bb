// The C API of ifctl.h, a thin layer over client::Connection.
//
// Every entry point catches C++ exceptions (none may cross into C): a failed
// allocation becomes -ENOMEM, anything else -EIO, each with a message.
// Results handed to C are malloc'd, so that they can be freed from C.
#include "ifctl/ifctl.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

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
using ifctl::client::Target;
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
int finish(ifctl_t* h, int rc) {
    h->message = rc < 0 ? h->conn->message() : std::string();
    if (rc < 0 && h->message.empty()) h->message = std::strerror(-rc);
    return rc;
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

int get_iface(ifctl_t* h, const Target& target, ifctl_iface_t* out) {
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
        const Target t = Target::by_name(name);
        return finish(h, join ? h->conn->multi_add(t, mac6(mac), true) : h->conn->multi_del(t, mac6(mac), true));
    });
}

// Both creates; family NULL: no unique id.
int create(ifctl_t* h, const char* name, unsigned queues, uint64_t unique_id, const char* family, char* created_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name, "name or pattern"); rc < 0) return rc;
        ifctl::client::CreateOptions opts;
        opts.queues = queues;
        if (family) {
            opts.unique_id = unique_id;
            opts.unique_family = family;
        }
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
        return get_iface(h, Target::by_name(name), out);
    });
}

int ifctl_get_by_index(ifctl_t* h, unsigned index, ifctl_iface_t* out) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (index == 0) return fail(h, EINVAL, "interface index 0 does not exist");
        return get_iface(h, Target::by_index(index), out);
    });
}

void ifctl_iface_free(ifctl_iface_t* iface) {
    if (iface) free_arrays(iface);
}

int ifctl_create(ifctl_t* h, const char* name, unsigned queues, char* created_name) {
    return create(h, name, queues, 0, nullptr, created_name);
}

int ifctl_destroy(ifctl_t* h, const char* name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->destroy(Target::by_name(name)));
    });
}

int ifctl_rename(ifctl_t* h, const char* name, const char* new_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (int rc = check_name(h, new_name, "new name"); rc < 0) return rc;
        return finish(h, h->conn->rename(Target::by_name(name), new_name));
    });
}

int ifctl_set_flags(ifctl_t* h, const char* name, uint32_t flags, uint32_t mask) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_flags(Target::by_name(name), flags, mask));
    });
}

int ifctl_set_mtu(ifctl_t* h, const char* name, unsigned mtu) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_mtu(Target::by_name(name), mtu));
    });
}

int ifctl_set_metric(ifctl_t* h, const char* name, int metric) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_metric(Target::by_name(name), metric));
    });
}

int ifctl_set_txqlen(ifctl_t* h, const char* name, unsigned txqlen) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_txqlen(Target::by_name(name), txqlen));
    });
}

int ifctl_set_lladdr(ifctl_t* h, const char* name, const unsigned char* addr, size_t len) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!addr && len) return fail(h, EINVAL, "link-level address is NULL");
        if (len > 32) return fail(h, EINVAL, "link-level address is longer than 32 bytes");
        std::vector<uint8_t> ll(addr, addr + len);
        return finish(h, h->conn->set_lladdr(Target::by_name(name), ll));
    });
}

int ifctl_addr_add(ifctl_t* h, const char* name, const ifctl_addr_t* addr) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Address a;
        if (int rc = to_proto(h, addr, a, "address"); rc < 0) return rc;
        return finish(h, h->conn->addr_add(Target::by_name(name), a));
    });
}

int ifctl_addr_del(ifctl_t* h, const char* name, const ifctl_addr_t* addr) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Address a;
        if (int rc = to_proto(h, addr, a, "address"); rc < 0) return rc;
        return finish(h, h->conn->addr_del(Target::by_name(name), a));
    });
}

int ifctl_addr_replace(ifctl_t* h, const char* name, const ifctl_addr_t* old_addr, const ifctl_addr_t* new_addr) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        proto::Address o, n;
        if (int rc = to_proto(h, old_addr, o, "old address"); rc < 0) return rc;
        if (int rc = to_proto(h, new_addr, n, "new address"); rc < 0) return rc;
        return finish(h, h->conn->addr_replace(Target::by_name(name), o, n));
    });
}

int ifctl_multi_add(ifctl_t* h, const char* name, const unsigned char mac[6]) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!mac) return fail(h, EINVAL, "multicast address is NULL");
        return finish(h, h->conn->multi_add(Target::by_name(name), mac6(mac)));
    });
}

int ifctl_multi_del(ifctl_t* h, const char* name, const unsigned char mac[6]) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (!mac) return fail(h, EINVAL, "multicast address is NULL");
        return finish(h, h->conn->multi_del(Target::by_name(name), mac6(mac)));
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
        return finish(h, h->conn->flag_ref(Target::by_name(name), flag, on != 0));
    });
}

int ifctl_set_caps(ifctl_t* h, const char* name, uint32_t tun_f) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->set_caps(Target::by_name(name), tun_f));
    });
}

int ifctl_rename_live(ifctl_t* h, const char* name, const char* new_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        if (int rc = check_name(h, new_name, "new name"); rc < 0) return rc;
        return finish(h, h->conn->rename(Target::by_name(name), new_name, true));
    });
}

int ifctl_create_unique(ifctl_t* h, const char* name, unsigned queues, uint64_t unique_id, const char* family,
                        char* created_name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_family(h, unique_id, family); rc < 0) return rc;
        return create(h, name, queues, unique_id, family, created_name);
    });
}

int ifctl_detach(ifctl_t* h, const char* name) {
    if (!h) return -EINVAL;
    return guarded(h, [&]() -> int {
        if (int rc = check_name(h, name); rc < 0) return rc;
        return finish(h, h->conn->detach(Target::by_name(name)));
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
        const int rc = finish(h, h->conn->open_queue(Target::by_name(name), &fd));
        return rc < 0 ? rc : fd;
    });
}

const char* ifctl_version(void) { return IFCTL_PROJECT_VERSION; }

}  // extern "C"
