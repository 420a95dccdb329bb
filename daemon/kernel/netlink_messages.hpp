// What the netlink code shares between its files (internal to daemon/kernel):
// the ack and error callbacks that carry the kernel's errno, the attribute
// policies, and the parsers from rtnetlink messages to the protocol's records.
#pragma once

#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>

#include <cstdint>

#include "daemon/kernel/netlink.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon::rtnl {

// State of one request: set by the ack and error callbacks.
struct AckState {
    int error = 0;
    bool done = false;
};

// Callbacks for nl_cb_err and NL_CB_ACK: `arg` is an AckState.
int on_error(struct sockaddr_nl*, struct nlmsgerr* e, void* arg);
int on_ack(struct nl_msg*, void* arg);

// Attribute policies of link and address messages (filled once, before the
// first socket is opened).
void init_policies();
extern struct nla_policy link_policy[];

// A route netlink socket, connected; throws if it cannot be opened.
nl_sock* connect_route_socket();

// A link message into a record (kernel facts only; addresses are not touched).
void parse_link(struct nlmsghdr* nlh, proto::Interface& i);
// An address message; false if it is not an inet or inet6 address we can read.
bool parse_address(struct nlmsghdr* nlh, proto::Address& a, uint32_t& index);

// Milliseconds since the epoch, for a record's change time.
uint64_t now_ms();

}  // namespace ifctl::daemon::rtnl

namespace ifctl::daemon {

// libnl callback state: what the ack/error callbacks report, and the callbacks
// of changes and of dumps (which go to handle()).
struct Netlink::Callbacks {
    rtnl::AckState ack;
    struct nl_cb* ack_cb = nullptr;   // for changes: ack/error only
    struct nl_cb* dump_cb = nullptr;  // for dumps: every message to handle()
};

}  // namespace ifctl::daemon
