#include "actions.hpp"

#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <random>

#include "output.hpp"
#include "plan_check.hpp"
#include "report.hpp"
#include "value_parse.hpp"

namespace ifctl::cli {

namespace {

// A random locally administered unicast MAC (IEEE 802: bit 1 set, bit 0 clear).
std::vector<uint8_t> random_mac() {
    std::random_device rd;
    std::vector<uint8_t> mac(6);
    for (uint8_t& b : mac) b = static_cast<uint8_t>(rd());
    mac[0] = (mac[0] & 0xfe) | 0x02;
    return mac;
}

// Applies one action at a time; `name` follows creates and renames so later
// words act on the interface under its new name.
class Applier {
public:
    Applier(client::Connection& c, std::string name) : c_(c), name_(std::move(name)) {}

    const std::string& name() const { return name_; }

    // 0 or -errno; on failure message_ or the connection's message says why.
    int apply(const Op& op) {
        explanation_.clear();
        return std::visit([this](const auto& o) { return run(o); }, op);
    }

    // The daemon's explanation of the last failure, or ours.
    const std::string& explanation() const { return explanation_.empty() ? c_.message() : explanation_; }

    // ifctl changes only what ifctld owns: refuse up front rather than half-way.
    int check_managed() {
        proto::Interface rec;
        if (int rc = c_.get(target(), rec); rc < 0) return rc;
        if (!rec.managed) {
            unmanaged_ = true;
            return -EPERM;
        }
        return 0;
    }

    bool unmanaged() const { return unmanaged_ || c_.last_unmanaged(); }

private:
    client::Target target() const { return client::Target::by_name(name_); }

    int fail(int rc, std::string why) {
        explanation_ = std::move(why);
        return rc;
    }

    int run(const op::Create& o) {
        client::CreateOptions opts;
        opts.queues = o.queues;
        uint32_t uid = 0;
        if (o.owner && resolve_user(*o.owner, uid)) opts.owner = uid;
        uint32_t gid = 0;
        if (o.group && resolve_group(*o.group, gid)) opts.group = gid;
        opts.vnet_hdr = o.vnet_hdr;
        opts.persistent = o.persistent;
        if (o.unique_id) {
            opts.unique_id = o.unique_id;
            opts.unique_family = "ether";  // a TAP is an Ethernet interface
        }
        proto::Interface created;
        if (int rc = c_.create(o.name, opts, created); rc < 0) return rc;
        name_ = created.name;
        return 0;
    }
    int run(const op::Destroy&) { return c_.destroy(target()); }

    int run(const op::Addr& o) {
        proto::Interface rec;
        if (int rc = c_.get(target(), rec); rc < 0) return rc;
        proto::Address a = o.addr;
        if (o.mode == op::AddrMode::Delete) {
            for (const proto::Address& have : rec.addresses)
                if (have.same_local(a) && (!o.has_prefix || have.prefix == a.prefix)) return c_.addr_del(target(), have);
            return fail(-EADDRNOTAVAIL, name_ + " has no such address");
        }
        // ifconfig's default: the directed broadcast on a broadcast medium.
        if (a.family == AF_INET && (rec.flags & IFF_BROADCAST) && !a.peer && !a.broadcast && a.prefix < 31)
            a.broadcast = broadcast_of(a.local.data(), a.prefix);
        if (o.mode == op::AddrMode::Set)
            for (const proto::Address& have : rec.addresses)
                if (have.family == AF_INET) return c_.addr_replace(target(), have, a);
        return c_.addr_add(target(), a);
    }

    int run(const op::Flags& o) { return c_.set_flags(target(), o.flags, o.mask); }
    int run(const op::Mtu& o) { return c_.set_mtu(target(), o.mtu); }
    int run(const op::Metric& o) { return c_.set_metric(target(), o.metric); }
    int run(const op::Txqlen& o) { return c_.set_txqlen(target(), o.qlen); }
    int run(const op::Lladdr& o) {
        return c_.set_lladdr(target(), o.random ? random_mac() : std::vector<uint8_t>(o.mac.begin(), o.mac.end()));
    }
    int run(const op::Rename& o) {
        if (int rc = c_.rename(target(), o.name); rc < 0) return rc;
        name_ = o.name;
        return 0;
    }
    int run(const op::Owner& o) {
        uint32_t uid = 0;
        if (!resolve_user(o.user, uid)) return fail(-EINVAL, "no such user");  // checked before, kept honest
        return c_.set_owner(target(), uid);
    }
    int run(const op::Multicast& o) { return o.join ? c_.multi_add(target(), o.mac) : c_.multi_del(target(), o.mac); }
    int run(const op::Persist& o) { return c_.set_persistent(target(), o.on); }
    int run(const op::Netns& o) {
        client::NetnsTarget where;
        uint32_t pid = 0;
        std::string ignored;
        if (parse_u32(o.where, pid, ignored)) where.pid = pid;
        else where.path = o.where;
        return c_.move_netns(target(), where);
    }
    int run(const op::Unsupported&) { return fail(-EOPNOTSUPP, "not supported by this ifctld yet"); }

    client::Connection& c_;
    std::string name_;
    std::string explanation_;
    bool unmanaged_ = false;
};

// Whether create was asked for a pattern ("tap", which became "tap%d", or "vm%d"
// as typed): then the daemon chose the name and the user needs to be told it.
bool created_by_pattern(const Plan& plan) {
    const auto* c = plan.actions.empty() ? nullptr : std::get_if<op::Create>(&plan.actions.front().op);
    return c && c->name.find('%') != std::string::npos;
}

int report(const Applier& a, std::string_view what, int rc) {
    std::cerr << "ifctl: " << failure_message(a.name(), what, rc, a.explanation(), a.unmanaged()) << "\n";
    return kExitFailed;
}

}  // namespace

int apply_plan(client::Connection& c, const Plan& plan, const Options& o) {
    Applier a(c, plan.name);
    if (!std::holds_alternative<op::Create>(plan.actions.front().op))
        if (int rc = a.check_managed(); rc < 0) return report(a, "", rc);
    for (const Action& act : plan.actions)
        if (int rc = a.apply(act.op); rc < 0) return report(a, act.words, rc);
    if (created_by_pattern(plan)) {
        if (!o.json) {
            std::cout << a.name() << "\n";
            return kExitOk;
        }
        proto::Interface rec;
        if (int rc = c.get(client::Target::by_name(a.name()), rec); rc < 0) return report(a, "", rc);
        std::cout << json_interface(rec);
    }
    return kExitOk;
}

}  // namespace ifctl::cli
