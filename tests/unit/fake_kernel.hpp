// A kernel for the daemon core's unit tests (daemon/kernel/kernel.hpp): links
// and addresses in a map, changed as Linux changes them, with a log of calls
// (for the pipeline's order) and one injectable failure per call kind. Its
// TUN/TAP driver (FakeTun) makes TAPs as links of the same map and keeps what
// the daemon set on each (owner, group, persistence, queues, filter, offloads).
#pragma once

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/kernel/kernel.hpp"

namespace ifctl::test {

class FakeKernel;

// Injected failures: call name -> the negative errno it returns, once.
inline int injected(std::vector<std::string>& calls, std::map<std::string, int>& fail, const std::string& name) {
    calls.push_back(name);
    auto it = fail.find(name);
    if (it == fail.end()) return 0;
    const int rc = it->second;
    fail.erase(it);
    return rc;
}

class FakeTun : public daemon::TunDriver {
public:
    // What the daemon set on one TAP, by ifindex (stable across renames).
    struct Device {
        short flags = 0;  // as made: IFF_TAP, IFF_VNET_HDR, ...
        std::optional<uint32_t> owner, group;
        bool persist = false;
        uint32_t offloads = 0;
        std::optional<std::vector<std::array<uint8_t, 6>>> filter;  // last TUNSETTXFILTER
        bool filter_allmulti = false;
    };
    std::map<uint32_t, Device> devices;
    std::map<int, uint32_t> queues;    // descriptor -> device
    std::map<int, bool> attached;      // descriptor -> attached (TUNSETQUEUE)
    std::vector<std::string> calls;    // "open", "set_owner", ...
    std::map<std::string, int> fail;   // call name -> negative errno it returns once

    explicit FakeTun(FakeKernel& kernel) : kernel_(kernel) {}

    int open(const std::string& name, short flags, uint32_t ifindex, daemon::UniqueFd& out,
             std::string* actual) override;
    int get_iff(int fd, std::string& name, short& flags) override;
    int set_persist(int fd, bool on) override {
        return set(fd, "set_persist", [&](Device& d) { d.persist = on; });
    }
    int set_owner(int fd, uint32_t uid) override {
        return set(fd, "set_owner", [&](Device& d) { d.owner = uid; });
    }
    int set_group(int fd, uint32_t gid) override {
        return set(fd, "set_group", [&](Device& d) { d.group = gid; });
    }
    int set_queue(int fd, bool attach) override;
    int set_tx_filter(int fd, const std::vector<std::array<uint8_t, 6>>& addresses, bool allmulti) override {
        return set(fd, "set_tx_filter", [&](Device& d) {
            d.filter = addresses;
            d.filter_allmulti = allmulti;
        });
    }
    int set_offloads(int fd, uint32_t tun_f) override {
        return set(fd, "set_offloads", [&](Device& d) { d.offloads = tun_f; });
    }
    inline int read_state(uint32_t ifindex, daemon::TunState& out) override;
    // Any descriptor stands for the other namespace (FakeKernel::run_in_netns).
    int device_netns(int fd, daemon::UniqueFd& out) override {
        if (int rc = injected(calls, fail, "device_netns")) return rc;
        if (!queues.count(fd)) return -EBADF;
        out = daemon::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        return out ? 0 : -errno;
    }

private:
    // A call on a queue descriptor: EBADF for one this driver did not open.
    template <typename F>
    int set(int fd, const std::string& name, F apply) {
        if (int rc = injected(calls, fail, name)) return rc;
        auto q = queues.find(fd);
        if (q == queues.end()) return -EBADF;
        apply(devices[q->second]);
        return 0;
    }
    inline const proto::Interface* named(const std::string& dev) const;
    FakeKernel& kernel_;
};

class FakeKernel : public daemon::Kernel {
public:
    FakeTun tap_driver{*this};

    std::map<uint32_t, proto::Interface> links;
    std::vector<std::string> calls;       // "poll", "find", "change_link", ...
    std::map<std::string, int> fail;      // call name -> negative errno it returns once
    // The other network namespace, for moves (move-netns): a link moved with
    // netns_fd or netns_pid goes there, keeping its index if it is free, and
    // run_in_netns() works on it. Null: there is no other (EINVAL, EPERM).
    FakeKernel* other = nullptr;

    proto::Interface& add_link(uint32_t index, const std::string& name) {
        proto::Interface& k = links[index];
        k.index = index;
        k.name = name;
        k.mtu = 1500;
        k.min_mtu = 68;
        k.max_mtu = 65521;
        k.txqlen = 1000;
        k.lladdr = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(index)};
        return k;
    }
    // How many changing calls were made (not reads).
    size_t changes() const {
        size_t n = 0;
        for (const std::string& c : calls)
            if (c != "poll" && c != "find" && c != "all" && c != "refresh") ++n;
        return n;
    }

    int change_link(uint32_t index, const daemon::LinkChange& c) override {
        if (int rc = call("change_link")) return rc;
        auto it = links.find(index);
        if (it == links.end()) return -ENODEV;
        proto::Interface& k = it->second;
        if (c.mtu && (*c.mtu < k.min_mtu || *c.mtu > k.max_mtu)) return -EINVAL;
        if (c.name) {
            for (auto& [i, other] : links)
                if (i != index && other.name == *c.name) return -EEXIST;
            k.name = *c.name;
        }
        if (c.netns_fd || c.netns_pid) return move_to_other(index);
        if (c.mtu) k.mtu = *c.mtu;
        if (c.txqlen) k.txqlen = *c.txqlen;
        if (c.lladdr) k.lladdr = *c.lladdr;
        if (c.flags) k.flags = (k.flags & ~*c.flags_mask) | (*c.flags & *c.flags_mask);
        return 0;
    }
    int add_address(uint32_t index, const proto::Address& a) override {
        if (int rc = call("add_address")) return rc;
        auto it = links.find(index);
        if (it == links.end()) return -ENODEV;
        for (const proto::Address& x : it->second.addresses)
            if (x.same_local(a) && x.prefix == a.prefix) return -EEXIST;
        it->second.addresses.push_back(a);
        return 0;
    }
    int restore_address(uint32_t index, const proto::Address& a) override { return add_address(index, a); }
    int delete_address(uint32_t index, const proto::Address& a) override {
        if (int rc = call("delete_address")) return rc;
        auto it = links.find(index);
        if (it == links.end()) return -ENODEV;
        auto& v = it->second.addresses;
        for (auto x = v.begin(); x != v.end(); ++x)
            if (x->same_local(a) && x->prefix == a.prefix) {
                v.erase(x);
                return 0;
            }
        return -EADDRNOTAVAIL;
    }
    int delete_link(uint32_t index) override {
        if (int rc = call("delete_link")) return rc;
        return links.erase(index) ? 0 : -ENODEV;
    }
    int set_root_noqueue(uint32_t) override { return call("set_root_noqueue"); }
    // What inet_ifconf answers (its bytes, or a negative errno), how often it
    // was asked, and the count links_came_or_went() reports.
    std::vector<uint8_t> ifconf_answer;
    int ifconf_error = 0;
    int ifconf_reads = 0;
    uint64_t came_or_went = 0;
    uint64_t links_came_or_went() const override { return came_or_went; }
    int inet_ifconf(std::vector<uint8_t>& out) override {
        ++ifconf_reads;
        out = ifconf_answer;
        return ifconf_error;
    }
    std::set<uint32_t> poll_events() override {
        calls.push_back("poll");
        return {};
    }
    const proto::Interface* find(uint32_t index) override {
        calls.push_back("find");
        auto it = links.find(index);
        return it == links.end() ? nullptr : &it->second;
    }
    const proto::Interface* find(const std::string& name) override {
        calls.push_back("find");
        for (auto& [i, k] : links)
            if (k.name == name) return &k;
        return nullptr;
    }
    std::vector<const proto::Interface*> all() override {
        calls.push_back("all");
        std::vector<const proto::Interface*> out;
        for (auto& [i, k] : links) out.push_back(&k);
        return out;
    }
    void refresh_link(uint32_t) override { calls.push_back("refresh"); }
    daemon::TunDriver& tun() override { return tap_driver; }
    int run_in_netns(int, const std::function<int(daemon::Kernel&)>& fn) override {
        if (int rc = call("run_in_netns")) return rc;
        return other ? fn(*other) : -EPERM;
    }

private:
    // As dev_change_net_namespace(): down, without its addresses, at the same
    // index unless the other namespace has that one taken.
    int move_to_other(uint32_t index) {
        if (!other) return -EINVAL;
        for (auto& [i, k] : other->links)
            if (k.name == links.at(index).name) return -EEXIST;
        proto::Interface k = links.at(index);
        links.erase(index);
        k.addresses.clear();
        k.flags &= ~static_cast<uint32_t>(IFF_UP);
        if (other->links.count(k.index)) k.index = other->links.rbegin()->first + 1;
        other->links[k.index] = k;
        return 0;
    }

    int call(const std::string& name) { return injected(calls, fail, name); }
};

// As drivers/net/tun.c: an existing name is attached to (unless IFF_TUN_EXCL)
// if it is a TAP, refused if it is another kind of link; a new name (a
// pattern's first free unit) is made at `ifindex` (EBUSY if taken) or the
// next free index. Each queue is a descriptor of /dev/null, so that closing
// it (the daemon's UniqueFd) is harmless.
inline int FakeTun::open(const std::string& name, short flags, uint32_t ifindex, daemon::UniqueFd& out,
                         std::string* actual) {
    if (int rc = injected(calls, fail, "open")) return rc;
    if (name.empty() || name.size() >= IFNAMSIZ) return -EINVAL;
    std::string dev = name;
    if (const size_t pct = name.find("%d"); pct != std::string::npos)
        for (int unit = 0;; ++unit) {
            dev = name.substr(0, pct) + std::to_string(unit) + name.substr(pct + 2);
            if (!named(dev)) break;
        }
    uint32_t index = 0;
    if (const proto::Interface* k = named(dev)) {
        if (flags & IFF_TUN_EXCL) return -EEXIST;
        if (!devices.count(k->index)) return -EINVAL;
        index = k->index;
    } else {
        if (ifindex && kernel_.links.count(ifindex)) return -EBUSY;
        index = ifindex ? ifindex : (kernel_.links.empty() ? 1 : kernel_.links.rbegin()->first + 1);
        kernel_.add_link(index, dev);
        devices[index].flags = static_cast<short>(flags & ~IFF_TUN_EXCL);
    }
    daemon::UniqueFd fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!fd) return -errno;
    queues[fd.get()] = index;
    attached[fd.get()] = true;
    ++kernel_.links.at(index).queues;
    if (actual) *actual = dev;
    out = std::move(fd);
    return 0;
}

inline const proto::Interface* FakeTun::named(const std::string& dev) const {
    for (const auto& [i, k] : kernel_.links)
        if (k.name == dev) return &k;
    return nullptr;
}

inline int FakeTun::get_iff(int fd, std::string& name, short& flags) {
    if (int rc = injected(calls, fail, "get_iff")) return rc;
    auto q = queues.find(fd);
    if (q == queues.end()) return -EBADF;
    // The device may have been moved into the other namespace.
    const auto here = kernel_.links.find(q->second);
    if (here != kernel_.links.end()) name = here->second.name;
    else if (kernel_.other && kernel_.other->links.count(q->second)) name = kernel_.other->links.at(q->second).name;
    else return -EBADFD;
    flags = static_cast<short>(devices[q->second].flags | (attached[fd] ? 0 : IFF_DETACH_QUEUE));
    return 0;
}

inline int FakeTun::set_queue(int fd, bool attach) {
    if (int rc = injected(calls, fail, "set_queue")) return rc;
    auto q = queues.find(fd);
    if (q == queues.end()) return -EBADF;
    if (attached[fd] == attach) return -EINVAL;  // the kernel refuses a queue already so
    attached[fd] = attach;
    proto::Interface& k = kernel_.links.at(q->second);
    if (attach) {
        --k.queues_detached;
        ++k.queues;
    } else {
        --k.queues;
        ++k.queues_detached;
    }
    return 0;
}

inline int FakeTun::read_state(uint32_t ifindex, daemon::TunState& out) {
    if (int rc = injected(calls, fail, "read_state")) return rc;
    auto d = devices.find(ifindex);
    if (d == devices.end()) return kernel_.links.count(ifindex) ? -EINVAL : -ENODEV;
    const proto::Interface& k = kernel_.links.at(ifindex);
    out = daemon::TunState{d->second.owner, d->second.group, d->second.persist, k.queues, k.queues_detached};
    return 0;
}

}  // namespace ifctl::test
