#include "actions.hpp"

#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <random>

#include <unistd.h>

#include "output.hpp"
#include "plan_check.hpp"
#include "progress.hpp"
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

// The interfaces as the lines of a batch file will have left them, so that
// keywords that depend on the current state (inet replaces the first inet
// address; a delete needs the address's prefix) can be recorded without the
// daemon applying anything yet.
using BatchModel = std::map<std::string, proto::Interface>;

// Applies one action at a time; `name` follows creates and renames so later
// words act on the interface under its new name. With a model, the connection
// is recording a batch: state comes from the model, and each action updates it.
class Applier {
public:
    Applier(client::Connection& c, std::string name, BatchModel* model = nullptr)
        : c_(c), name_(std::move(name)), model_(model) {}

    const std::string& name() const { return name_; }

    // 0 or -errno, with the daemon's explanation of a failure, or ours.
    client::Result apply(const Op& op) {
        return std::visit([this](const auto& o) { return run(o); }, op);
    }

    // ifctl changes only what ifctld owns: refuse up front rather than half-way.
    client::Result check_managed() {
        proto::Interface rec;
        if (client::Result r = c_.get(target(), rec); !r.ok()) return r;
        if (!rec.managed) return {-EPERM, {}, true};
        return {};
    }

private:
    client::InterfaceRef target() const { return client::InterfaceRef::by_name(name_); }

    static client::Result fail(int rc, std::string why) { return {rc, std::move(why)}; }

    client::Result run(const op::Create& o) {
        client::CreateOptions opts;
        opts.queues = o.queues;
        uint32_t uid = 0;
        if (o.owner && resolve_user(*o.owner, uid)) opts.owner = uid;
        uint32_t gid = 0;
        if (o.tap_group && resolve_group(*o.tap_group, gid)) opts.group = gid;
        opts.vnet_hdr = o.vnet_hdr;
        opts.persistent = o.persistent;
        if (o.unique_id) {
            opts.unique_id = o.unique_id;
            opts.unique_family = "ether";  // a TAP is an Ethernet interface
        }
        proto::Interface created;
        if (client::Result r = c_.create(o.name, opts, created); !r.ok()) return r;
        name_ = created.name;
        if (model_) {  // what a new TAP looks like: a broadcast medium without addresses
            created.flags = IFF_BROADCAST | IFF_MULTICAST;
            (*model_)[name_] = created;
        }
        return {};
    }
    client::Result run(const op::Destroy&) {
        if (client::Result r = c_.destroy(target()); !r.ok()) return r;
        if (model_) model_->erase(name_);
        return {};
    }

    // The interface's record: from the daemon, or from the model of a batch.
    client::Result lookup(proto::Interface& rec) {
        if (!model_) return c_.get(target(), rec);
        auto it = model_->find(name_);
        if (it == model_->end()) return fail(-ENODEV, "no interface named " + name_ + " at this line");
        rec = it->second;
        return {};
    }

    client::Result run(const op::Addr& o) {
        proto::Interface rec;
        if (client::Result r = lookup(rec); !r.ok()) return r;
        proto::Address a = o.addr;
        std::vector<proto::Address>* model_addrs = model_ ? &(*model_)[name_].addresses : nullptr;
        auto drop = [&](const proto::Address& gone) {
            if (model_addrs)
                std::erase_if(*model_addrs, [&](const proto::Address& x) { return x.same_local(gone) && x.prefix == gone.prefix; });
        };
        if (o.mode == op::AddrMode::Delete) {
            for (const proto::Address& have : rec.addresses)
                if (have.same_local(a) && (!o.has_prefix || have.prefix == a.prefix)) {
                    if (client::Result r = c_.addr_del(target(), have); !r.ok()) return r;
                    drop(have);
                    return {};
                }
            return fail(-EADDRNOTAVAIL, name_ + " has no such address");
        }
        // ifconfig's default: the directed broadcast on a broadcast medium.
        if (a.family == AF_INET && (rec.flags & IFF_BROADCAST) && !a.peer && !a.broadcast && a.prefix < 31)
            a.broadcast = broadcast_of(a.local.data(), a.prefix);
        if (o.mode == op::AddrMode::Set)
            for (const proto::Address& have : rec.addresses)
                if (have.family == AF_INET) {
                    if (client::Result r = c_.addr_replace(target(), have, a); !r.ok()) return r;
                    drop(have);
                    if (model_addrs) model_addrs->insert(model_addrs->begin(), a);
                    return {};
                }
        if (client::Result r = c_.addr_add(target(), a); !r.ok()) return r;
        if (model_addrs) model_addrs->push_back(a);
        return {};
    }

    // `down` keeps the interface's global IPv6 addresses, as BSD's ifconfig does (ifctl(8)).
    client::Result run(const op::Flags& o) {
        const bool down = (o.mask & IFF_UP) && !(o.flags & IFF_UP);
        return c_.set_flags(target(), o.flags, o.mask, down);
    }
    client::Result run(const op::Mtu& o) { return c_.set_mtu(target(), o.mtu); }
    client::Result run(const op::Metric& o) { return c_.set_metric(target(), o.metric); }
    client::Result run(const op::Txqlen& o) { return c_.set_txqlen(target(), o.qlen); }
    client::Result run(const op::Lladdr& o) {
        return c_.set_lladdr(target(), o.random ? random_mac() : std::vector<uint8_t>(o.mac.begin(), o.mac.end()));
    }
    client::Result run(const op::Rename& o) {
        if (client::Result r = c_.rename(target(), o.name); !r.ok()) return r;
        if (model_) {
            auto node = model_->extract(name_);
            if (!node.empty()) {
                node.key() = o.name;
                node.mapped().name = o.name;
                model_->insert(std::move(node));
            }
        }
        name_ = o.name;
        return {};
    }
    client::Result run(const op::Owner& o) {
        uint32_t uid = 0;
        if (!resolve_user(o.user, uid)) return fail(-EINVAL, "no such user");  // checked before, kept honest
        return c_.set_owner(target(), uid);
    }
    client::Result run(const op::Multicast& o) { return o.join ? c_.multi_add(target(), o.mac) : c_.multi_del(target(), o.mac); }
    client::Result run(const op::Persist& o) { return c_.set_persistent(target(), o.on); }
    client::Result run(const op::Netns& o) {
        client::NetnsTarget where;
        uint32_t pid = 0;
        std::string ignored;
        if (parse_u32(o.where, pid, ignored)) where.pid = pid;
        else where.path = o.where;
        return c_.move_netns(target(), where);
    }
    client::Result run(const op::Offloads& o) {
        proto::Interface rec;
        if (client::Result r = lookup(rec); !r.ok()) return r;
        const uint32_t want = (rec.caps_enabled | o.on) & ~o.off;
        if (client::Result r = c_.set_caps(target(), want); !r.ok()) return r;
        if (model_) (*model_)[name_].caps_enabled = want;
        return {};
    }
    client::Result run(const op::Description& o) {
        if (client::Result r = c_.set_description(target(), o.text); !r.ok()) return r;
        if (model_) (*model_)[name_].description = o.text;
        return {};
    }
    client::Result run(const op::IfGroup& o) {
        if (client::Result r = o.join ? c_.group_add(target(), o.name) : c_.group_del(target(), o.name); !r.ok()) return r;
        if (model_) {
            std::vector<std::string>& g = (*model_)[name_].groups;
            std::erase(g, o.name);
            if (o.join) g.push_back(o.name);
        }
        return {};
    }
    client::Result run(const op::Inet6Opts& o) { return c_.set_inet6(target(), o.no_dad, o.auto_linklocal); }
    client::Result run(const op::MoveHome&) { return c_.move_home(name_); }
    client::Result run(const op::Unsupported&) { return fail(-EOPNOTSUPP, "not supported by this ifctld yet"); }
    client::Result run(const op::WaitUp& o) { return c_.wait_ready(target(), o.timeout_ms); }

    client::Connection& c_;
    std::string name_;
    BatchModel* model_;
};

// Whether create was asked for a pattern ("tap", which became "tap%d", or "vm%d"
// as typed): then the daemon chose the name and the user needs to be told it.
bool created_by_pattern(const Plan& plan) {
    const auto* c = plan.actions.empty() ? nullptr : std::get_if<op::Create>(&plan.actions.front().op);
    return c && c->name.find('%') != std::string::npos;
}

int report(const Applier& a, std::string_view what, const client::Result& r) {
    std::cerr << "ifctl: " << failure_message(a.name(), what, r.error, r.message, r.unmanaged) << "\n";
    return kExitFailed;
}

}  // namespace

int apply_plan(client::Connection& c, const Plan& plan, const Options& o) {
    Applier a(c, plan.name);
    // Waiting changes nothing, so any interface may be waited for.
    const bool changes = std::any_of(plan.actions.begin(), plan.actions.end(),
                                     [](const Action& x) { return !std::holds_alternative<op::WaitUp>(x.op); });
    // Create names an interface to come, -vnet one away from here: the daemon judges those.
    const Op& first = plan.actions.front().op;
    if (changes && !std::holds_alternative<op::Create>(first) && !std::holds_alternative<op::MoveHome>(first))
        if (client::Result r = a.check_managed(); !r.ok()) return report(a, "", r);
    for (const Action& act : plan.actions)
        if (client::Result r = a.apply(act.op); !r.ok()) return report(a, act.words, r);
    if (created_by_pattern(plan)) {
        if (!o.json) {
            std::cout << a.name() << "\n";
            return kExitOk;
        }
        proto::Interface rec;
        if (client::Result r = c.get(client::InterfaceRef::by_name(a.name()), rec); !r.ok()) return report(a, "", r);
        std::cout << json_interface(rec);
    }
    return kExitOk;
}

int apply_file(client::Connection& c, const std::vector<FileLine>& lines, const std::string& label, const Options& o) {
    Progress progress(std::cerr, label, lines.size(), ::isatty(STDERR_FILENO));
    // The interfaces as they are now; the lines' own effects are added as they are recorded.
    std::vector<proto::Interface> now;
    if (client::Result r = c.list(now); !r.ok()) {
        std::cerr << "ifctl: " << label << ": listing interfaces: " << std::strerror(-r.error) << ": " << r.message << "\n";
        return kExitFailed;
    }
    BatchModel model;
    for (proto::Interface& i : now) model[i.name] = std::move(i);
    std::vector<std::vector<uint8_t>> steps;
    std::vector<size_t> line_of_step;  // index into `lines`
    c.start_recording(&steps);
    for (size_t l = 0; l < lines.size(); ++l) {
        Applier a(c, lines[l].plan.name, &model);
        for (const Action& act : lines[l].plan.actions)
            if (client::Result r = a.apply(act.op); !r.ok()) {
                c.stop_recording();
                progress.abandon();
                std::cerr << "ifctl: " << label << ":" << lines[l].number << ": "
                          << failure_message(a.name(), act.words, r.error, r.message, false) << " (nothing applied)\n";
                return kExitFailed;
            }
        line_of_step.resize(steps.size(), l);
        progress.prepared(l + 1, steps.size());
    }
    c.stop_recording();
    progress.applying(steps.size());
    std::optional<uint32_t> failed;
    std::vector<proto::Interface> created;
    if (client::Result r = c.batch(steps, &failed, &created); !r.ok()) {
        progress.abandon();
        std::string where = label;
        if (failed && *failed < line_of_step.size()) {
            const FileLine& fl = lines[line_of_step[*failed]];
            where += ":" + std::to_string(fl.number) + ": " + fl.text;
        }
        std::cerr << "ifctl: " << where << ": " << std::strerror(-r.error) << ": " << r.message
                  << (r.unmanaged ? " (not managed by ifctld)" : "") << "; nothing was applied\n";
        return kExitFailed;
    }
    progress.done(steps.size());
    // As on the command line, a create by pattern tells the name the daemon picked.
    size_t next = 0;  // into `created`, which follows the creates in line order
    for (const FileLine& fl : lines)
        for (const Action& act : fl.plan.actions) {
            const auto* cr = std::get_if<op::Create>(&act.op);
            if (!cr) continue;
            if (next >= created.size()) return kExitOk;  // an ifctld that does not say
            const proto::Interface& made = created[next++];
            if (cr->name.find('%') != std::string::npos) std::cout << (o.json ? json_interface(made) : made.name + "\n");
        }
    return kExitOk;
}

}  // namespace ifctl::cli
