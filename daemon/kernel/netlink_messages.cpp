#include "daemon/kernel/netlink_messages.hpp"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ifctl::daemon::rtnl {

int on_error(struct sockaddr_nl*, struct nlmsgerr* e, void* arg) {
    auto* s = static_cast<AckState*>(arg);
    s->error = e->error;  // the kernel's own -errno
    s->done = true;
    return NL_STOP;
}

int on_ack(struct nl_msg*, void* arg) {
    static_cast<AckState*>(arg)->done = true;
    return NL_STOP;
}

struct nla_policy link_policy[IFLA_MAX + 1];

namespace {
struct nla_policy info_policy[IFLA_INFO_MAX + 1];
struct nla_policy tun_policy[IFLA_TUN_MAX + 1];
struct nla_policy addr_policy[IFA_MAX + 1];
}  // namespace

void init_policies() {
    static bool done = false;
    if (done) return;
    done = true;
    link_policy[IFLA_IFNAME].type = NLA_STRING;
    for (int a : {IFLA_MTU, IFLA_MIN_MTU, IFLA_MAX_MTU, IFLA_TXQLEN}) link_policy[a].type = NLA_U32;
    for (int a : {IFLA_CARRIER, IFLA_OPERSTATE}) link_policy[a].type = NLA_U8;
    link_policy[IFLA_LINKINFO].type = NLA_NESTED;
    link_policy[IFLA_IFALIAS].type = NLA_STRING;
    link_policy[IFLA_AF_SPEC].type = NLA_NESTED;
    link_policy[IFLA_STATS64].minlen = sizeof(struct rtnl_link_stats64);
    info_policy[IFLA_INFO_KIND].type = NLA_STRING;
    info_policy[IFLA_INFO_DATA].type = NLA_NESTED;
    for (int a : {IFLA_TUN_NUM_QUEUES, IFLA_TUN_NUM_DISABLED_QUEUES}) tun_policy[a].type = NLA_U32;
    addr_policy[IFA_LABEL].type = NLA_STRING;
    addr_policy[IFA_FLAGS].type = NLA_U32;
}

nl_sock* connect_route_socket() {
    nl_sock* sk = nl_socket_alloc();
    if (!sk) throw std::runtime_error("nl_socket_alloc failed");
    if (int rc = nl_connect(sk, NETLINK_ROUTE); rc < 0) {
        nl_socket_free(sk);
        throw std::runtime_error(std::string("cannot open a route netlink socket: ") + nl_geterror(rc));
    }
    return sk;
}

void parse_link(struct nlmsghdr* nlh, proto::Interface& i) {
    auto* ifi = static_cast<struct ifinfomsg*>(nlmsg_data(nlh));
    struct nlattr* tb[IFLA_MAX + 1];
    if (nlmsg_parse(nlh, sizeof *ifi, tb, IFLA_MAX, link_policy) < 0) return;
    i.index = static_cast<uint32_t>(ifi->ifi_index);
    i.flags = ifi->ifi_flags;
    i.hw_type = ifi->ifi_type;
    if (tb[IFLA_IFNAME]) i.name = nla_get_string(tb[IFLA_IFNAME]);
    if (tb[IFLA_MTU]) i.mtu = nla_get_u32(tb[IFLA_MTU]);
    if (tb[IFLA_MIN_MTU]) i.min_mtu = nla_get_u32(tb[IFLA_MIN_MTU]);
    if (tb[IFLA_MAX_MTU]) i.max_mtu = nla_get_u32(tb[IFLA_MAX_MTU]);
    if (tb[IFLA_TXQLEN]) i.txqlen = nla_get_u32(tb[IFLA_TXQLEN]);
    if (tb[IFLA_ADDRESS]) {
        auto* p = static_cast<const uint8_t*>(nla_data(tb[IFLA_ADDRESS]));
        i.lladdr.assign(p, p + std::min(nla_len(tb[IFLA_ADDRESS]), 32));
    } else {
        i.lladdr.clear();
    }
    if (tb[IFLA_CARRIER]) i.carrier = nla_get_u8(tb[IFLA_CARRIER]);
    if (tb[IFLA_OPERSTATE]) i.operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
    if (tb[IFLA_LINKINFO]) {
        struct nlattr* info[IFLA_INFO_MAX + 1];
        if (nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], info_policy) == 0 && info[IFLA_INFO_KIND]) {
            i.kind = nla_get_string(info[IFLA_INFO_KIND]);
            struct nlattr* tun[IFLA_TUN_MAX + 1];
            if (i.kind == "tun" && info[IFLA_INFO_DATA] &&
                nla_parse_nested(tun, IFLA_TUN_MAX, info[IFLA_INFO_DATA], tun_policy) == 0) {
                if (tun[IFLA_TUN_NUM_QUEUES]) i.queues = nla_get_u32(tun[IFLA_TUN_NUM_QUEUES]);
                if (tun[IFLA_TUN_NUM_DISABLED_QUEUES])
                    i.queues_detached = nla_get_u32(tun[IFLA_TUN_NUM_DISABLED_QUEUES]);
            }
        }
    }
    i.description = tb[IFLA_IFALIAS] ? nla_get_string(tb[IFLA_IFALIAS]) : "";
    // IFLA_AF_SPEC holds one attribute per family; inet6's carries addr_gen_mode.
    if (tb[IFLA_AF_SPEC]) {
        struct nlattr* af;
        int rem;
        nla_for_each_nested(af, tb[IFLA_AF_SPEC], rem) {
            if (nla_type(af) != AF_INET6) continue;
            struct nlattr* in6[IFLA_INET6_MAX + 1];
            if (nla_parse_nested(in6, IFLA_INET6_MAX, af, nullptr) == 0 && in6[IFLA_INET6_ADDR_GEN_MODE])
                i.auto_linklocal = nla_get_u8(in6[IFLA_INET6_ADDR_GEN_MODE]) != IN6_ADDR_GEN_MODE_NONE;
        }
    }
    if (tb[IFLA_STATS64]) {
        struct rtnl_link_stats64 s;
        std::memcpy(&s, nla_data(tb[IFLA_STATS64]), sizeof s);
        i.stats = {s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes, s.rx_errors, s.tx_errors,
                   s.rx_dropped, s.tx_dropped, s.multicast, s.collisions};
    }
}

bool parse_address(struct nlmsghdr* nlh, proto::Address& a, uint32_t& index) {
    auto* ifa = static_cast<struct ifaddrmsg*>(nlmsg_data(nlh));
    if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return false;
    struct nlattr* tb[IFA_MAX + 1];
    if (nlmsg_parse(nlh, sizeof *ifa, tb, IFA_MAX, addr_policy) < 0) return false;
    const size_t len = ifa->ifa_family == AF_INET ? 4 : 16;
    auto bytes = [&](struct nlattr* at, uint8_t* out) {
        if (!at || static_cast<size_t>(nla_len(at)) != len) return false;
        std::memcpy(out, nla_data(at), len);
        return true;
    };
    index = ifa->ifa_index;
    a = proto::Address{};
    a.family = ifa->ifa_family;
    a.prefix = ifa->ifa_prefixlen;
    a.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS the peer when it differs.
    std::array<uint8_t, 16> address{};
    const bool has_address = bytes(tb[IFA_ADDRESS], address.data());
    if (!bytes(tb[IFA_LOCAL], a.local.data())) {
        if (!has_address) return false;
        a.local = address;
    } else if (has_address && std::memcmp(address.data(), a.local.data(), len) != 0) {
        a.peer = address;
    }
    std::array<uint8_t, 4> brd{};
    if (a.family == AF_INET && bytes(tb[IFA_BROADCAST], brd.data())) a.broadcast = brd;
    if (tb[IFA_LABEL]) a.label = nla_get_string(tb[IFA_LABEL]);
    return true;
}

uint64_t now_ms() {
    using namespace std::chrono;
    return static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace ifctl::daemon::rtnl
