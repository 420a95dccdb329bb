// The seam between the daemon's core and the kernel's links and addresses:
// what the request pipeline and the handlers read and change. Netlink
// (netlink.hpp) is the real one; tests/unit/fake_kernel.hpp keeps a map, so
// the pipeline and the handlers are tested without root. TAPs go through the
// kernel's TunDriver (tun_driver.hpp), a seam of the same kind.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/kernel/tun_driver.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

// A change to one link; unset fields are left alone.
struct LinkChange {
    std::optional<uint32_t> flags, flags_mask;
    std::optional<uint32_t> mtu;
    std::optional<uint32_t> txqlen;
    std::optional<std::string> name;
    std::optional<std::vector<uint8_t>> lladdr;
    std::optional<int> netns_fd;       // move into the namespace of this nsfs descriptor
    std::optional<uint32_t> netns_pid; // move into the namespace of this process
    std::optional<uint32_t> group;     // the link group (IFLA_GROUP)
    std::optional<std::string> ifalias;  // the description (IFLA_IFALIAS); empty removes it
    std::optional<bool> auto_linklocal;  // inet6 addr_gen_mode: eui64 (true) or none (false)
};

class Kernel {
public:
    virtual ~Kernel() = default;

    // Changes. Each returns 0 or the kernel's negative errno.
    virtual int change_link(uint32_t index, const LinkChange& c) = 0;
    virtual int add_address(uint32_t index, const proto::Address& a) = 0;
    // Adds an IPv6 address as a dump showed it: its settable flags (nodad,
    // noprefixroute, ...) too, and a preferred lifetime of 0 if it was deprecated.
    virtual int restore_address(uint32_t index, const proto::Address& a) = 0;
    virtual int delete_address(uint32_t index, const proto::Address& a) = 0;
    virtual int delete_link(uint32_t index) = 0;
    // Makes `noqueue` the link's root queueing discipline.
    virtual int set_root_noqueue(uint32_t index) = 0;

    // Reads every pending event; returns the indexes whose state changed.
    virtual std::set<uint32_t> poll_events() = 0;
    // The kernel view, as of the last poll_events(). Callers poll once per
    // request (and after a change of their own whose result they read).
    virtual const proto::Interface* find(uint32_t index) = 0;
    virtual const proto::Interface* find(const std::string& name) = 0;
    virtual std::vector<const proto::Interface*> all() = 0;  // in ifindex order
    // Reads one link again, for facts that change without an event (queue counts, stats).
    virtual void refresh_link(uint32_t index) = 0;
    // Counts links coming into and leaving the view (made, deleted, moved in
    // or out): the kernel's device order (SIOCGIFCONF's) changes only then.
    virtual uint64_t links_came_or_went() const = 0;
    // The kernel's own SIOCGIFCONF answer in this namespace, now: one struct
    // ifreq per IPv4 address, in its order. 0, or the negative errno.
    virtual int inet_ifconf(std::vector<uint8_t>& out) = 0;
    // The TUN/TAP driver the daemon's TAPs are made and set through.
    virtual TunDriver& tun() = 0;
    // Runs `fn` with the kernel of another network namespace (`ns_fd`, as
    // open_netns() gives it: a move's destination), from a thread that joined
    // it; the daemon's own threads never leave theirs. fn's result, or -errno
    // if the namespace could not be joined. The default, a Netlink opened in
    // that namespace, is the real one (netns_kernel.cpp).
    virtual int run_in_netns(int ns_fd, const std::function<int(Kernel& there)>& fn);
};

}  // namespace ifctl::daemon
