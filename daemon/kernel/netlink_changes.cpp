// Changes to links and addresses, each waiting for the kernel's ack.
#include "netlink.hpp"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <spdlog/spdlog.h>

#include "daemon/kernel/netlink_messages.hpp"

namespace ifctl::daemon {

using namespace rtnl;

namespace {

// A link dump's members of one link group (Netlink::group_members).
struct GroupScan {
    uint32_t group = 0;
    std::set<uint32_t> members;
    AckState ack;
};

int collect_group_member(struct nl_msg* msg, void* arg) {
    auto* scan = static_cast<GroupScan*>(arg);
    struct nlmsghdr* nlh = nlmsg_hdr(msg);
    if (nlh->nlmsg_type != RTM_NEWLINK) return NL_OK;
    auto* ifi = static_cast<struct ifinfomsg*>(nlmsg_data(nlh));
    struct nlattr* tb[IFLA_MAX + 1];
    if (nlmsg_parse(nlh, sizeof *ifi, tb, IFLA_MAX, link_policy) == 0 && tb[IFLA_GROUP] &&
        nla_len(tb[IFLA_GROUP]) >= 4 && nla_get_u32(tb[IFLA_GROUP]) == scan->group)
        scan->members.insert(static_cast<uint32_t>(ifi->ifi_index));
    return NL_OK;
}

// Appends an address attribute of the family's length.
void put_addr(struct nl_msg* msg, int type, const uint8_t* bytes, size_t len) {
    nla_put(msg, type, static_cast<int>(len), bytes);
}

}  // namespace

int Netlink::change_link(uint32_t index, const LinkChange& c) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
    if (!msg) return -ENOMEM;
    struct ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = static_cast<int>(index);
    if (c.flags) {
        ifi.ifi_flags = *c.flags;
        ifi.ifi_change = c.flags_mask.value_or(0xffffffffu);
    }
    nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
    if (c.mtu) nla_put_u32(msg, IFLA_MTU, *c.mtu);
    if (c.txqlen) nla_put_u32(msg, IFLA_TXQLEN, *c.txqlen);
    if (c.name) nla_put_string(msg, IFLA_IFNAME, c.name->c_str());
    if (c.lladdr) nla_put(msg, IFLA_ADDRESS, static_cast<int>(c.lladdr->size()), c.lladdr->data());
    if (c.netns_fd) nla_put_u32(msg, IFLA_NET_NS_FD, static_cast<uint32_t>(*c.netns_fd));
    if (c.netns_pid) nla_put_u32(msg, IFLA_NET_NS_PID, *c.netns_pid);
    if (c.group) nla_put_u32(msg, IFLA_GROUP, *c.group);
    if (c.ifalias) nla_put(msg, IFLA_IFALIAS, static_cast<int>(c.ifalias->size()), c.ifalias->data());
    if (c.auto_linklocal) {
        struct nlattr* spec = nla_nest_start(msg, IFLA_AF_SPEC);
        struct nlattr* in6 = nla_nest_start(msg, AF_INET6);
        nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, *c.auto_linklocal ? IN6_ADDR_GEN_MODE_EUI64 : IN6_ADDR_GEN_MODE_NONE);
        nla_nest_end(msg, in6);
        nla_nest_end(msg, spec);
    }
    return transact(msg);
}

namespace {

// The IPv6 address flags a client may set (inet6_rtm_newaddr takes these from
// IFA_FLAGS); the others are the kernel's own state.
constexpr uint32_t kSettableInet6Flags =
    IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;

}  // namespace

int Netlink::add_address(uint32_t index, const proto::Address& a) { return add_address(index, a, false); }

int Netlink::restore_address(uint32_t index, const proto::Address& a) { return add_address(index, a, true); }

int Netlink::add_address(uint32_t index, const proto::Address& a, bool as_it_was) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    if (!msg) return -ENOMEM;
    struct ifaddrmsg ifa{};
    ifa.ifa_family = a.family;
    ifa.ifa_prefixlen = a.prefix;
    ifa.ifa_index = index;
    // As the ioctl path does: loopback addresses get host scope, others universe.
    if (a.family == AF_INET && a.local[0] == 127) ifa.ifa_scope = RT_SCOPE_HOST;
    nlmsg_append(msg, &ifa, sizeof ifa, NLMSG_ALIGNTO);
    const size_t len = a.length();
    put_addr(msg, IFA_LOCAL, a.local.data(), len);
    put_addr(msg, IFA_ADDRESS, a.peer ? a.peer->data() : a.local.data(), len);
    if (a.broadcast) put_addr(msg, IFA_BROADCAST, a.broadcast->data(), 4);
    if (!a.label.empty()) nla_put_string(msg, IFA_LABEL, a.label.c_str());
    if (as_it_was && a.family == AF_INET6) {
        if (const uint32_t f = a.flags & kSettableInet6Flags) nla_put_u32(msg, IFA_FLAGS, f);
        // A permanent address has an infinite valid lifetime; a deprecated one
        // a preferred lifetime of 0. Nothing else about lifetimes is recorded.
        if (a.flags & IFA_F_DEPRECATED) {
            struct ifa_cacheinfo ci {};
            ci.ifa_valid = 0xffffffffu;  // INFINITY_LIFE_TIME
            ci.ifa_prefered = 0;
            nla_put(msg, IFA_CACHEINFO, sizeof ci, &ci);
        }
    }
    // Of the flags a caller may hold, only "no DAD" is asked for a new address
    // (an interface set to no_dad); an address put back keeps all it had.
    if (!as_it_was && a.family == AF_INET6 && (a.flags & IFA_F_NODAD)) nla_put_u32(msg, IFA_FLAGS, IFA_F_NODAD);
    const int rc = transact(msg);
    // An inet6 address added without DAD is announced from the kernel's DAD
    // work (inet6_addr_add leaves its RTM_NEWADDR to addrconf_dad_completed),
    // which may run after the acknowledgement, and after the request is
    // answered: the list is read again instead, so that the answer and the
    // snapshot hold the address (read-your-writes). It is in the list already.
    if (rc == 0 && a.family == AF_INET6 && (a.flags & IFA_F_NODAD)) stale_addresses_.insert(index);
    return rc;
}

int Netlink::delete_address(uint32_t index, const proto::Address& a) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_DELADDR, 0);
    if (!msg) return -ENOMEM;
    struct ifaddrmsg ifa{};
    ifa.ifa_family = a.family;
    ifa.ifa_prefixlen = a.prefix;
    ifa.ifa_index = index;
    nlmsg_append(msg, &ifa, sizeof ifa, NLMSG_ALIGNTO);
    const size_t len = a.length();
    put_addr(msg, IFA_LOCAL, a.local.data(), len);
    put_addr(msg, IFA_ADDRESS, a.peer ? a.peer->data() : a.local.data(), len);
    if (!a.label.empty()) nla_put_string(msg, IFA_LABEL, a.label.c_str());
    // Of the flags a caller may hold, only "no DAD" is asked for (an interface set to no_dad).
    if (a.family == AF_INET6 && (a.flags & IFA_F_NODAD)) nla_put_u32(msg, IFA_FLAGS, IFA_F_NODAD);
    return transact(msg);
}

int Netlink::set_root_noqueue(uint32_t index) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
    if (!msg) return -ENOMEM;
    struct tcmsg tcm{};
    tcm.tcm_family = AF_UNSPEC;
    tcm.tcm_ifindex = static_cast<int>(index);
    tcm.tcm_parent = TC_H_ROOT;
    nlmsg_append(msg, &tcm, sizeof tcm, NLMSG_ALIGNTO);
    nla_put_string(msg, TCA_KIND, "noqueue");
    return transact(msg);
}

// Every link of the namespace in `group`, from a fresh dump; nullopt if it
// cannot be read. The members an interrupted attempt saw (dump() asks again)
// stay in the set: that can only add, and a link too many makes the group not
// ours only, which is the safe answer.
std::optional<std::set<uint32_t>> Netlink::group_members(uint32_t group) {
    GroupScan scan;
    scan.group = group;
    struct nl_cb* cb = nl_cb_alloc(NL_CB_DEFAULT);
    if (!cb) return std::nullopt;
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, collect_group_member, &scan);
    nl_cb_err(cb, NL_CB_CUSTOM, on_error, &scan.ack);
    bool read = true;
    try {
        dump(RTM_GETLINK, AF_UNSPEC, 0, cb);
    } catch (const std::exception&) {
        read = false;
    }
    nl_cb_put(cb);
    if (!read || scan.ack.error) return std::nullopt;
    return scan.members;
}

std::vector<uint32_t> Netlink::delete_links(const std::vector<uint32_t>& indexes) {
    if (indexes.size() < 2) return indexes;  // one link: RTM_DELLINK by index costs the same
    // Group 0 is every link's default (the kernel refuses to delete it); a
    // random number with the top bit set is one nobody uses, as checked below.
    std::random_device random;
    const uint32_t group = 0x80000000u | static_cast<uint32_t>(random());
    std::vector<uint32_t> left;
    std::set<uint32_t> grouped;
    LinkChange into_group;
    into_group.group = group;
    for (uint32_t index : indexes) {
        if (change_link(index, into_group) == 0) grouped.insert(index);
        else left.push_back(index);  // gone already (ENODEV), or refused: one by one
    }
    // Only ours may be in the group: deleting it deletes every member.
    const auto members = group_members(group);
    if (!grouped.empty() && members == grouped) {
        struct nl_msg* msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
        if (!msg) return indexes;
        struct ifinfomsg ifi{};
        ifi.ifi_family = AF_UNSPEC;
        nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);  // index 0: the group names the links
        nla_put_u32(msg, IFLA_GROUP, group);
        if (const int rc = transact(msg); rc == 0) return left;
        else spdlog::warn("deleting link group {} failed ({}); deleting its {} links one by one", group,
                          std::strerror(-rc), grouped.size());
    } else if (!grouped.empty()) {
        spdlog::warn("link group {} {}; deleting our {} links one by one", group,
                     members ? "holds other links than ours" : "could not be read back", grouped.size());
    }
    left.insert(left.end(), grouped.begin(), grouped.end());
    return left;
}

int Netlink::delete_link(uint32_t index) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
    if (!msg) return -ENOMEM;
    struct ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = static_cast<int>(index);
    nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
    return transact(msg);
}

}  // namespace ifctl::daemon
