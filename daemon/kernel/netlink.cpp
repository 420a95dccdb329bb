#include "netlink.hpp"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <string>

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

namespace ifctl::daemon {
namespace {

// More interfaces than this with stale address lists are re-read with one dump
// for all: 4096 TAPs read one at a time cost 8192 dumps.
constexpr size_t kFewStaleLists = 16;

// State of one request: set by the ack and error callbacks.
struct AckState {
    int error = 0;
    bool done = false;
};

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
struct nla_policy info_policy[IFLA_INFO_MAX + 1];
struct nla_policy tun_policy[IFLA_TUN_MAX + 1];
struct nla_policy addr_policy[IFA_MAX + 1];

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

uint64_t now_ms() {
    using namespace std::chrono;
    return static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// Appends an address attribute of the family's length.
void put_addr(struct nl_msg* msg, int type, const uint8_t* bytes, size_t len) {
    nla_put(msg, type, static_cast<int>(len), bytes);
}

}  // namespace

// libnl callback state: what the ack/error callbacks report and where dumps go.
struct Netlink::Callbacks {
    AckState ack;
    struct nl_cb* ack_cb = nullptr;   // for changes: ack/error only
    struct nl_cb* dump_cb = nullptr;  // for dumps: every message to handle()
    std::set<uint32_t>* dump_changed = nullptr;
};

Netlink::Netlink() : cb_(std::make_unique<Callbacks>()) {
    init_policies();
    req_ = connect_route_socket();
    ev_ = connect_route_socket();
    // Dumps filtered by interface index need strict checking (Linux 4.20+).
    int one = 1;
    setsockopt(nl_socket_get_fd(req_), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
    // One read per reply instead of a peek and a read: the buffer holds any
    // message or dump batch the kernel sends (at most 32 KiB).
    nl_socket_disable_msg_peek(req_);
    nl_socket_set_msg_buf_size(req_, 64 * 1024);
    // Extended acks would add text we do not use; the errno is what matters.
    nl_socket_disable_seq_check(ev_);
    nl_socket_set_nonblocking(ev_);
    nl_socket_set_buffer_size(ev_, 8 << 20, 0);
    if (int rc = nl_socket_add_memberships(ev_, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0); rc < 0)
        throw std::runtime_error(std::string("cannot subscribe to netlink events: ") + nl_geterror(rc));

    cb_->ack_cb = nl_cb_alloc(NL_CB_DEFAULT);
    nl_cb_err(cb_->ack_cb, NL_CB_CUSTOM, on_error, &cb_->ack);
    nl_cb_set(cb_->ack_cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &cb_->ack);

    cb_->dump_cb = nl_cb_alloc(NL_CB_DEFAULT);
    nl_cb_err(cb_->dump_cb, NL_CB_CUSTOM, on_error, &cb_->ack);
    nl_cb_set(cb_->dump_cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &cb_->ack);
    nl_cb_set(cb_->dump_cb, NL_CB_VALID, NL_CB_CUSTOM,
              [](struct nl_msg* msg, void* arg) {
                  auto* self = static_cast<Netlink*>(arg);
                  self->handle(msg, self->cb_->dump_changed);
                  return static_cast<int>(NL_OK);
              },
              this);
    resync();
}

Netlink::~Netlink() {
    nl_cb_put(cb_->ack_cb);
    nl_cb_put(cb_->dump_cb);
    nl_socket_free(req_);
    nl_socket_free(ev_);
}

int Netlink::event_fd() const { return nl_socket_get_fd(ev_); }

int Netlink::transact(struct nl_msg* msg) {
    cb_->ack = {};
    int rc = nl_send_auto(req_, msg);
    nlmsg_free(msg);
    if (rc < 0) return -EIO;
    while (!cb_->ack.done) {
        rc = nl_recvmsgs(req_, cb_->ack_cb);
        if (rc < 0 && !cb_->ack.done) return -EIO;
    }
    return cb_->ack.error;
}

void Netlink::dump(int type, int family, uint32_t index, struct nl_cb* cb) {
    // A dump the kernel interrupts (the list changed under it) is simply asked again.
    for (int attempt = 1;; ++attempt) {
        try {
            dump_once(type, family, index, cb ? cb : cb_->dump_cb);
            return;
        } catch (const DumpInterrupted&) {
            if (attempt == 5) throw std::runtime_error("netlink dump interrupted 5 times in a row");
        }
    }
}

void Netlink::dump_once(int type, int family, uint32_t index, struct nl_cb* cb) {
    struct nl_msg* msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
    if (type == RTM_GETLINK) {
        struct ifinfomsg ifi{};
        ifi.ifi_family = static_cast<unsigned char>(family);
        nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
        // Ask for the stats64 block and link info as in any dump.
    } else {
        struct ifaddrmsg ifa{};
        ifa.ifa_family = static_cast<unsigned char>(family);
        ifa.ifa_index = index;
        nlmsg_append(msg, &ifa, sizeof ifa, NLMSG_ALIGNTO);
    }
    cb_->ack = {};
    const int rc = nl_send_auto(req_, msg);
    nlmsg_free(msg);
    if (rc < 0) throw std::runtime_error(std::string("netlink dump request failed: ") + nl_geterror(rc));
    // nl_recvmsgs returns after NLMSG_DONE (the default finish handler stops).
    if (int r = nl_recvmsgs(req_, cb); r < 0) {
        if (r == -NLE_DUMP_INTR) throw DumpInterrupted{};
        throw std::runtime_error(std::string("netlink dump failed: ") + nl_geterror(r));
    }
}

void Netlink::refresh_link(uint32_t index) {
    struct nl_msg* msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
    struct ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = static_cast<int>(index);
    nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
    cb_->ack = {};
    const int rc = nl_send_auto(req_, msg);
    nlmsg_free(msg);
    if (rc < 0) return;
    // The reply is the link message followed by the ack (nl_send_auto asks for one).
    while (!cb_->ack.done)
        if (nl_recvmsgs(req_, cb_->dump_cb) < 0) break;
    if (cb_->ack.error == -ENODEV) links_.erase(index);
}

void Netlink::refresh_addresses(uint32_t index) {
    if (index && !links_.count(index)) {
        stale_addresses_.erase(index);
        return;
    }
    // Read into a scratch list: a failed dump leaves the old lists, still marked stale.
    dumped_addresses_.clear();
    dumping_addresses_ = true;
    try {
        dump(RTM_GETADDR, AF_INET, index);
        dump(RTM_GETADDR, AF_INET6, index);
    } catch (...) {
        dumping_addresses_ = false;
        throw;
    }
    dumping_addresses_ = false;
    if (index) {
        links_[index].addresses.clear();
        stale_addresses_.erase(index);
    } else {
        for (auto& [_, rec] : links_) rec.addresses.clear();
        stale_addresses_.clear();
    }
    // In the kernel's order: each interface's inet addresses, then its inet6 ones.
    for (auto& [idx, a] : dumped_addresses_)
        if (auto it = links_.find(idx); it != links_.end()) it->second.addresses.push_back(std::move(a));
    dumped_addresses_.clear();
}

std::set<uint32_t> Netlink::resync() {
    std::set<uint32_t> before;
    for (auto& [idx, _] : links_) before.insert(idx);
    links_.clear();
    stale_addresses_.clear();
    std::set<uint32_t> changed;
    cb_->dump_changed = &changed;
    dump(RTM_GETLINK, AF_UNSPEC, 0);
    cb_->dump_changed = nullptr;
    refresh_addresses(0);
    std::set<uint32_t> vanished;
    for (uint32_t idx : before)
        if (!links_.count(idx)) vanished.insert(idx);
    return vanished;
}

// A listener may read the view (and so dump) from inside on_event: what those
// dumps bring is not an event.
void Netlink::emit(const Event& e) {
    if (!on_event) return;
    const bool was = reading_events_;
    reading_events_ = false;
    try {
        on_event(e);
    } catch (const std::exception& ex) {
        spdlog::error("handling a kernel event: {}", ex.what());
    }
    reading_events_ = was;
}

void Netlink::handle(struct nl_msg* msg, std::set<uint32_t>* changed) {
    struct nlmsghdr* nlh = nlmsg_hdr(msg);
    switch (nlh->nlmsg_type) {
        case RTM_NEWLINK: {
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return;
            auto* ifi = static_cast<struct ifinfomsg*>(nlmsg_data(nlh));
            // Only the interface's own message: wireless and bridge events use other families.
            if (ifi->ifi_family != AF_UNSPEC) return;
            proto::Interface& rec = links_[static_cast<uint32_t>(ifi->ifi_index)];
            std::vector<proto::Address> keep = std::move(rec.addresses);
            parse_link(nlh, rec);
            rec.addresses = std::move(keep);
            rec.change_time_ms = now_ms();
            if (changed) changed->insert(rec.index);
            if (reading_events_) emit({Event::Type::Link, rec.index, &rec, nullptr});
            break;
        }
        case RTM_DELLINK: {
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return;
            auto* ifi = static_cast<struct ifinfomsg*>(nlmsg_data(nlh));
            if (ifi->ifi_family != AF_UNSPEC) return;
            const auto idx = static_cast<uint32_t>(ifi->ifi_index);
            links_.erase(idx);
            stale_addresses_.erase(idx);
            if (changed) changed->insert(idx);
            if (reading_events_) emit({Event::Type::LinkGone, idx, nullptr, nullptr});
            break;
        }
        case RTM_NEWADDR:
        case RTM_DELADDR: {
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg))) return;
            proto::Address a;
            uint32_t idx = 0;
            if (!parse_address(nlh, a, idx)) return;
            if (dumping_addresses_) {
                if (nlh->nlmsg_type == RTM_NEWADDR) dumped_addresses_.emplace_back(idx, a);
            } else {
                // An event: re-read the interface's list so its order is the kernel's.
                if (auto it = links_.find(idx); it != links_.end()) it->second.change_time_ms = now_ms();
                stale_addresses_.insert(idx);
                if (changed) changed->insert(idx);
                if (reading_events_)
                    emit({nlh->nlmsg_type == RTM_NEWADDR ? Event::Type::AddrNew : Event::Type::AddrGone, idx,
                              nullptr, &a});
            }
            break;
        }
        default:
            break;
    }
}

std::set<uint32_t> Netlink::poll_events() {
    std::set<uint32_t> changed;
    bool overrun = false, truncated = false;
    // Bounded by the queue: each round takes up to kSlots datagrams, and a round
    // that gets fewer has emptied it (or met an overrun, which the kernel
    // reports on the next read: see DatagramBatch).
    for (;;) {
        const int n = events_.receive(nl_socket_get_fd(ev_));
        if (n == -ENOBUFS) {  // the kernel dropped events: read on, then resync
            overrun = true;
            continue;
        }
        if (n < 0) spdlog::warn("reading kernel events: {}", std::strerror(-n));
        if (n <= 0) break;
        reading_events_ = true;
        for (unsigned i = 0; i < static_cast<unsigned>(n); ++i) {
            // Only the kernel's messages are events. A process may send to our
            // port too (rtnetlink lets any process with CAP_NET_ADMIN in the
            // namespace do it); what it says is not the kernel's state.
            sockaddr_nl from{};
            std::memcpy(&from, &events_.sender(i), sizeof from);
            if (from.nl_family != AF_NETLINK || from.nl_pid != 0) continue;
            if (events_.truncated(i)) {  // longer than a slot: its content is lost
                spdlog::warn("a kernel event longer than {} bytes was cut short: reading everything again",
                             DatagramBatch::kSlotBytes);
                truncated = true;
                continue;
            }
            int len = static_cast<int>(events_.size(i));
            for (auto* nlh = reinterpret_cast<const nlmsghdr*>(events_.data(i)); nlmsg_ok(nlh, len);
                 nlh = nlmsg_next(const_cast<nlmsghdr*>(nlh), &len)) {
                struct nl_msg* m = nlmsg_convert(const_cast<nlmsghdr*>(nlh));
                if (!m) continue;
                handle(m, &changed);
                nlmsg_free(m);
            }
        }
        reading_events_ = false;
        if (static_cast<unsigned>(n) < DatagramBatch::kSlots) break;
    }
    if (overrun || truncated || resync_pending_) {
        std::set<uint32_t> vanished;
        try {
            if (overrun) spdlog::warn("kernel events were lost (ENOBUFS on the event socket): reading everything again");
            vanished = resync();
            resync_pending_ = false;
            // The reconciler compares its view first (a managed interface that
            // vanished is still in the registry then), the registry follows.
            emit({Event::Type::Resynced, 0, nullptr, nullptr});
        } catch (const std::exception& e) {
            // Keep serving what we have; try again at the next poll.
            spdlog::error("kernel view resync failed, will retry: {}", e.what());
            resync_pending_ = true;
        }
        if (on_change) {
            for (uint32_t idx : vanished) on_change(idx, nullptr);
            for (auto& [idx, rec] : links_) on_change(idx, &rec);
        }
        for (auto& [idx, _] : links_) changed.insert(idx);
        for (uint32_t idx : vanished) changed.insert(idx);
        return changed;
    }
    if (on_change)
        for (uint32_t idx : changed) {
            auto it = links_.find(idx);
            on_change(idx, it == links_.end() ? nullptr : &it->second);
        }
    return changed;
}

const proto::Interface* Netlink::find(uint32_t index) {
    auto it = links_.find(index);
    if (it == links_.end()) return nullptr;
    if (stale_addresses_.count(index)) refresh_addresses(index);
    return &it->second;
}

const proto::Interface* Netlink::find(const std::string& name) {
    for (auto& [idx, rec] : links_)
        if (rec.name == name) {
            if (stale_addresses_.count(idx)) refresh_addresses(idx);
            return &rec;
        }
    return nullptr;
}

std::vector<const proto::Interface*> Netlink::all() {
    // Many stale lists (a burst of address events): one dump for all of them.
    if (stale_addresses_.size() > kFewStaleLists) refresh_addresses(0);
    while (!stale_addresses_.empty()) refresh_addresses(*stale_addresses_.begin());
    std::vector<const proto::Interface*> out;
    out.reserve(links_.size());
    for (auto& [_, rec] : links_) out.push_back(&rec);
    return out;
}

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
    return transact(msg);
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
