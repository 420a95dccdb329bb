// Batch: several changes applied all or none.
//
// 1. Every step (a whole request frame) is validated, then judged: the target
//    each step will have is worked out on a model of the batch's own effects
//    (creates, renames, destroys), the managed rule applied, and authorize()
//    asked, the same call a single request gets. A refusal changes nothing.
// 2. The steps run in order through the ordinary handlers. Before each step its
//    inverse is recorded (as request frames, targeting by index, which renames
//    keep); a create's inverse, destroying what it made, is completed after it.
// 3. A failing step undoes the applied ones in reverse and the reply names the
//    step (StepIndex) with its errno and message.
// Destroy cannot be undone (the TAP and its queues are gone), so destroys run
// last, once every other step has succeeded; a later step may not name an
// interface the batch destroys.
#include <linux/if.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "daemon/core/handlers.hpp"
#include "daemon/core/policy.hpp"

namespace ifctl::daemon {

using proto::A;
using proto::Op;
using namespace detail;

namespace {

uint16_t t(A a) { return static_cast<uint16_t>(a); }
uint16_t o(Op op) { return static_cast<uint16_t>(op); }

// Operations a batch may hold: the changes whose inverse is known.
bool batchable(Op op) {
    switch (op) {
        case Op::Create: case Op::Destroy: case Op::SetFlags: case Op::SetMtu: case Op::SetMetric:
        case Op::SetLladdr: case Op::SetTxqlen: case Op::AddrAdd: case Op::AddrDel: case Op::AddrReplace:
        case Op::Rename: case Op::MultiAdd: case Op::MultiDel: case Op::SetOwner:
        case Op::SetCaps: case Op::SetDescription: case Op::GroupAdd: case Op::GroupDel:
            return true;
        default:
            return false;
    }
}

Reply step_error(size_t i, size_t n, int err, const std::string& msg) {
    Reply r = Reply::error(err, "step " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + msg);
    r.step_index = static_cast<uint32_t>(i);
    return r;
}

proto::Writer by_index(Op op, uint32_t index) {
    proto::Writer w(o(op), 0, 0);
    w.u32(t(A::Index), index);
    return w;
}

proto::Address decode(const proto::Request& req, A which) {
    proto::Address a;
    proto::decode_address(req.get(which), a);  // validated with the request
    return a;
}

const proto::Address* held(const proto::Interface& k, const proto::Address& a) {
    for (const proto::Address& x : k.addresses)
        if (x.same_local(a) && x.prefix == a.prefix) return &x;
    return nullptr;
}

proto::Address plain(proto::Address a) {
    a.flags = 0;  // the kernel's own flags (secondary, permanent) are not requested
    return a;
}

// The requests that undo `req` on `target`, worked out before it runs.
std::vector<std::vector<uint8_t>> inverse_of(const proto::Request& req, const Target& tg, ClientId client) {
    std::vector<std::vector<uint8_t>> out;
    if (!tg.kernel) return out;
    const proto::Interface& k = *tg.kernel;
    auto add = [&](proto::Writer w) { out.push_back(w.finish()); };
    switch (req.op()) {
        case Op::SetFlags: {
            const uint32_t mask = req.get(A::FlagsMask).as_u32();
            add(std::move(by_index(Op::SetFlags, k.index).u32(t(A::Flags), k.flags & mask).u32(t(A::FlagsMask), mask)));
            break;
        }
        case Op::SetMtu: add(std::move(by_index(Op::SetMtu, k.index).u32(t(A::Mtu), k.mtu))); break;
        case Op::SetTxqlen: add(std::move(by_index(Op::SetTxqlen, k.index).u32(t(A::Txqlen), k.txqlen))); break;
        case Op::SetMetric:
            if (tg.managed) add(std::move(by_index(Op::SetMetric, k.index).s32(t(A::Metric), tg.managed->metric)));
            break;
        case Op::SetLladdr:
            if (!k.lladdr.empty()) add(std::move(by_index(Op::SetLladdr, k.index).bytes(t(A::Lladdr), k.lladdr)));
            break;
        case Op::Rename: add(std::move(by_index(Op::Rename, k.index).str(t(A::NewName), k.name))); break;
        case Op::SetCaps:
            if (tg.managed) add(std::move(by_index(Op::SetCaps, k.index).u32(t(A::CapsEnabled), tg.managed->caps_enabled)));
            break;
        case Op::SetDescription:
            add(std::move(by_index(Op::SetDescription, k.index).str(t(A::Description), k.description)));
            break;
        case Op::GroupAdd:
        case Op::GroupDel:
            add(std::move(by_index(req.op() == Op::GroupAdd ? Op::GroupDel : Op::GroupAdd, k.index)
                              .str(t(A::IfGroup), std::string(req.get(A::IfGroup).as_str()))));
            break;
        case Op::SetOwner:
            if (tg.managed) add(std::move(by_index(Op::SetOwner, k.index).u32(t(A::Owner), tg.managed->owner)));
            break;
        case Op::AddrAdd: {
            proto::Writer w = by_index(Op::AddrDel, k.index);
            proto::encode_address(w, A::Address, decode(req, A::Address));
            add(std::move(w));
            break;
        }
        case Op::AddrDel: {
            const proto::Address* h = held(k, decode(req, A::Address));
            if (!h) break;  // the step will fail: nothing to undo
            // With cascade the kernel takes the same-subnet secondaries too; put them back after.
            const bool cascade = req.has(A::Cascade) && req.get(A::Cascade).as_u8();
            std::vector<proto::Address> back{plain(*h)};
            if (cascade)
                for (const proto::Address& x : secondaries_of(k, *h)) back.push_back(plain(x));
            for (const proto::Address& a : back) {
                proto::Writer w = by_index(Op::AddrAdd, k.index);
                proto::encode_address(w, A::Address, a);
                add(std::move(w));
            }
            break;
        }
        case Op::AddrReplace: {
            const proto::Address* h = held(k, decode(req, A::OldAddress));
            if (!h) break;
            proto::Writer w = by_index(Op::AddrReplace, k.index);
            proto::encode_address(w, A::OldAddress, decode(req, A::Address));
            proto::encode_address(w, A::Address, plain(*h));
            add(std::move(w));
            break;
        }
        case Op::MultiAdd:
        case Op::MultiDel: {
            const auto& p = req.get(A::Lladdr).payload;
            Mac mac{};
            if (p.size() != mac.size() || !tg.managed) break;
            std::copy(p.begin(), p.end(), mac.begin());
            // The holder the step counts for: this connection, or the shared plain one.
            const bool per_client = req.has(A::PerClient) && req.get(A::PerClient).as_u8();
            const bool member = tg.managed->multicast.held_by(per_client ? client : kPlain, mac);
            // Joining a group already joined, or leaving one not joined, changes nothing to undo.
            if ((req.op() == Op::MultiAdd) == member) break;
            proto::Writer w = by_index(req.op() == Op::MultiAdd ? Op::MultiDel : Op::MultiAdd, k.index);
            w.raw(t(A::Lladdr), mac.data(), mac.size());
            if (per_client) w.u8(t(A::PerClient), 1);
            add(std::move(w));
            break;
        }
        default: break;
    }
    return out;
}

// The batch's view of names while it is judged: interfaces as the steps
// before this one will have left them.
struct Model {
    struct If {
        uint32_t index = 0;  // 0: created by the batch
        std::string name;
        bool managed = false;
        uint32_t owner = 0;
        bool gone = false;  // destroyed by the batch
    };
    Netlink& kernel;
    Registry& registry;
    std::vector<If> ifs;  // kernel interfaces the batch touched, and those it creates

    If* tracked(uint32_t index) {
        for (If& i : ifs)
            if (i.index == index) return &i;
        return nullptr;
    }
    If* track(const proto::Interface& k) {
        const Managed* m = registry.find(k.index);
        ifs.push_back({k.index, k.name, m != nullptr, m ? m->owner : 0, false});
        return &ifs.back();
    }
    If* by_name(const std::string& name) {
        for (If& i : ifs)
            if (!i.gone && i.name == name) return &i;
        const proto::Interface* k = kernel.find(name);
        if (!k || tracked(k->index)) return nullptr;  // renamed or destroyed by an earlier step
        return track(*k);
    }
    If* by_index(uint32_t index) {
        if (If* i = tracked(index)) return i->gone ? nullptr : i;
        const proto::Interface* k = kernel.find(index);
        return k ? track(*k) : nullptr;
    }
};

}  // namespace

// One audit record for the whole batch: refused (naming the step and the
// rule), failed (the step, rolled back) or ok.
Reply Dispatcher::handle_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps) {
    AuditRecord rec;
    rec.peer = &peer;
    rec.op = "batch";
    Reply r = run_batch(peer, steps, rec);
    if (rec.before.empty()) rec.before = std::to_string(steps.size()) + " step(s)";
    rec.error = r.status;
    if (r.status && rec.result == AuditResult::Ok) rec.result = AuditResult::Failed;
    rec.message = r.message;
    audit(rec);
    return r;
}

Reply Dispatcher::run_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps, AuditRecord& rec) {
    kernel_.poll_events();
    struct AfterRequest {
        Dispatcher& d;
        ~AfterRequest() {
            if (d.after_request) d.after_request();
        }
    } after{*this};
    const size_t n = steps.size();
    if (n == 0) return Reply::error(EINVAL, "a batch needs at least one step");

    // 1. Validate and judge every step before anything is applied.
    std::vector<proto::Request> reqs(n);
    for (size_t i = 0; i < n; ++i) {
        if (proto::Error e = proto::validate_request(steps[i], reqs[i])) return step_error(i, n, e.code, e.message);
        if (!batchable(reqs[i].op()))
            return step_error(i, n, EINVAL, std::string(proto::op_name(reqs[i].header.op)) + " cannot be a step of a batch");
    }
    Model model{kernel_, registry_, {}};
    // Held for the whole batch: a reload may replace policy_ meanwhile.
    const std::shared_ptr<const Policy> policy = policy_;
    size_t owned = registry_.count_owned_by(peer.uid);  // for max_interfaces, counting the batch's own creates
    for (size_t i = 0; i < n; ++i) {
        const proto::Request& req = reqs[i];
        const proto::OpSpec& spec = *proto::op_spec(req.header.op);
        const HandlerRow& row = *handler_for(req.op());
        Model::If* target = nullptr;
        std::string name;
        if (spec.needs_target) {
            if (req.has(A::Name)) {
                name = req.get(A::Name).as_str();
                target = model.by_name(name);
                if (!target) return step_error(i, n, ENODEV, "no interface named " + name + " at this step");
            } else {
                const uint32_t index = req.get(A::Index).as_u32();
                target = model.by_index(index);
                if (!target) return step_error(i, n, ENODEV, "no interface with index " + std::to_string(index) + " at this step");
                name = target->name;
            }
            if (row.needs_managed && !target->managed) {
                Reply r = step_error(i, n, EPERM, name + " is not managed by ifctld (only interfaces it created can be changed through it)");
                r.unmanaged = true;
                return r;
            }
        }
        // An interface the batch creates is judged as what it will be: managed, with its owner.
        Managed planned;
        const Managed* m = nullptr;
        const proto::Interface* k = nullptr;
        if (target) {
            m = target->index ? registry_.find(target->index) : nullptr;
            k = target->index ? kernel_.find(target->index) : nullptr;
            if (!target->index) {
                planned.owner = target->owner;
                m = &planned;
            }
        }
        if (req.op() == Op::Create) name = expected_name(kernel_, std::string(req.get(A::NewName).as_str()));
        const Subject subject{req, name, m, k, owned};
        if (Decision d = authorize(*policy, peer, subject); d.error) {
            rec.result = AuditResult::Refused;
            rec.rule = d.rule;
            rec.interface = name;
            rec.before = rec.after = audit_state(req.op(), k, m);
            return step_error(i, n, d.error, d.message);
        }
        if (req.op() == Op::Create && (!req.has(A::Owner) || req.get(A::Owner).as_u32() == peer.uid)) ++owned;
        switch (req.op()) {
            case Op::Create: {
                const std::string new_name(req.get(A::NewName).as_str());
                if (new_name.find('%') == std::string::npos) {
                    const uint32_t owner = req.has(A::Owner) ? req.get(A::Owner).as_u32() : peer.uid;
                    model.ifs.push_back({0, new_name, true, owner, false});
                }
                break;
            }
            case Op::Rename: target->name = req.get(A::NewName).as_str(); break;
            case Op::Destroy: target->gone = true; break;
            case Op::SetOwner: target->owner = req.get(A::Owner).as_u32(); break;
            default: break;
        }
    }

    // A batch the state directory could not record is refused before any step runs.
    if (persist_)
        if (int rc = persist_->preflight(); rc < 0)
            return Reply::error(-rc, "the state directory cannot be written (" + std::string(std::strerror(-rc)) +
                                         "): changes are refused until it can");

    // 2. Apply in order, recording how to undo each step before it runs.
    std::vector<std::vector<uint8_t>> undo;
    std::vector<uint32_t> destroys;  // run last: a destroy cannot be undone
    std::vector<proto::Interface> created;  // the reply's records: what each create made, in step order
    if (persist_) persist_->begin_deferred();
    auto rollback = [&](Reply r) {
        // What was staged goes to disk first: the undo steps record as single requests do.
        if (persist_ && persist_->deferred())
            if (int rc = persist_->end_deferred(); rc < 0)
                spdlog::error("batch rollback: writing the staged records: {}", std::strerror(-rc));
        std::string failures;
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
            Reply u = run_internal(peer, *it);
            if (u.status) {
                spdlog::error("batch rollback: {}", u.message);
                failures += "; undoing failed: " + u.message;
            }
        }
        kernel_.poll_events();
        r.message += failures;
        return r;
    };
    for (size_t i = 0; i < n; ++i) {
        const proto::Request& req = reqs[i];
        const HandlerRow& row = *handler_for(req.op());
        kernel_.poll_events();  // the step sees what the one before it did
        Target target;
        if (proto::op_spec(req.header.op)->needs_target) {
            if (std::optional<Reply> bad = resolve(kernel_, registry_, row, req, target))
                return rollback(step_error(i, n, bad->status, bad->message));
            if (std::find(destroys.begin(), destroys.end(), target.kernel->index) != destroys.end())
                return rollback(step_error(i, n, ENODEV, target.name + " is destroyed by an earlier step"));
        }
        if (req.op() == Op::Destroy) {
            destroys.push_back(target.kernel->index);
            continue;
        }
        std::vector<std::vector<uint8_t>> inverse = inverse_of(req, target, peer.client);
        Ctx ctx{kernel_, registry_, peer, limits_, *policy_, req, target, persist_, reloader_};
        Reply r = row.fn(ctx);
        if (r.status) return rollback(step_error(i, n, r.status, r.message));
        if (req.op() == Op::Create && !r.interfaces.empty()) {
            inverse.push_back(by_index(Op::Destroy, r.interfaces.front().index).finish());
            created.push_back(r.interfaces.front());
        }
        for (auto& f : inverse) undo.push_back(std::move(f));
    }
    // Every other step's records on disk, one flush for all, before the
    // destroys (which record and remove synchronously) and the reply.
    if (persist_)
        if (int rc = persist_->end_deferred(); rc < 0)
            return rollback(step_error(n - 1, n, -rc, "the state directory could not record the batch: " +
                                                          std::string(std::strerror(-rc))));
    // 3. Every other step succeeded: now the destroys.
    for (size_t d = 0; d < destroys.size(); ++d) {
        Reply r = run_internal(peer, by_index(Op::Destroy, destroys[d]).finish());
        if (r.status) {
            if (d > 0) r.message += " (" + std::to_string(d) + " interface(s) destroyed before it stay destroyed)";
            // Name the step that asked for this destroy.
            size_t step = 0;
            for (size_t i = 0, seen = 0; i < n; ++i)
                if (reqs[i].op() == Op::Destroy && seen++ == d) step = i;
            return rollback(step_error(step, n, r.status, r.message));
        }
    }
    rec.after = "applied";
    Reply done;
    done.interfaces = std::move(created);
    return done;
}

// Runs one request the daemon made itself (an undo step): resolved and checked
// like any, but not judged again: it puts back what the same client had.
Reply Dispatcher::run_internal(const Peer& peer, const std::vector<uint8_t>& frame) {
    proto::Request req;
    if (proto::Error e = proto::validate_request(frame, req)) return Reply::error(e.code, e.message);
    const HandlerRow* row = handler_for(req.op());
    if (!row) return Reply::error(EOPNOTSUPP, "operation not handled here");
    kernel_.poll_events();
    Target target;
    if (proto::op_spec(req.header.op)->needs_target)
        if (std::optional<Reply> bad = resolve(kernel_, registry_, *row, req, target)) return std::move(*bad);
    Ctx ctx{kernel_, registry_, peer, limits_, *policy_, req, target, persist_, reloader_};
    return row->fn(ctx);
}

}  // namespace ifctl::daemon
