// A kernel for the daemon core's unit tests (daemon/kernel/kernel.hpp): links
// and addresses in a map, changed as Linux changes them, with a log of calls
// (for the pipeline's order) and one injectable failure per call kind.
#pragma once

#include <linux/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "daemon/kernel/kernel.hpp"

namespace ifctl::test {

class FakeKernel : public daemon::Kernel {
public:
    std::map<uint32_t, proto::Interface> links;
    std::vector<std::string> calls;       // "poll", "find", "change_link", ...
    std::map<std::string, int> fail;      // call name -> negative errno it returns once

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

private:
    int call(const std::string& name) {
        calls.push_back(name);
        auto it = fail.find(name);
        if (it == fail.end()) return 0;
        const int rc = it->second;
        fail.erase(it);
        return rc;
    }
};

}  // namespace ifctl::test
