// The two netlink sockets (requests with their acks, and events), and dumps.
#include "netlink.hpp"

#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "daemon/kernel/netlink_messages.hpp"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

namespace ifctl::daemon {

using namespace rtnl;

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
                  self->handle(msg, nullptr);  // what a dump brings is the view, not a change
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

}  // namespace ifctl::daemon
