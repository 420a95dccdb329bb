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

#include "daemon/core/address_limits.hpp"
#include "daemon/core/handlers/support.hpp"
#include "daemon/core/policy.hpp"

namespace ifctl::daemon {

using proto::AttrType;
using proto::Op;
using namespace detail;

namespace {

Reply step_error(size_t i, size_t n, int err, const std::string& msg) {
    Reply r = Reply::error(err, "step " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + msg);
    r.step_index = static_cast<uint32_t>(i);
    return r;
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
    Kernel& kernel;
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

// The interfaces the steps name that exist now (those the batch creates do
// not yet): what a rollback after a crash would put back.
// Steps are parsed one at a time, as the batch runs them, not held all at once.
std::vector<uint32_t> named_interfaces(Kernel& kernel, const std::vector<std::vector<uint8_t>>& steps) {
    std::set<uint32_t> out;
    for (const std::vector<uint8_t>& step : steps) {
        proto::Request req;
        if (proto::validate_request(step, req)) continue;  // validated before: cannot happen
        const proto::Interface* k = req.has(AttrType::Name)    ? kernel.find(std::string(req.get(AttrType::Name).as_str()))
                                    : req.has(AttrType::Index) ? kernel.find(req.get(AttrType::Index).as_u32())
                                                        : nullptr;
        if (k) out.insert(k->index);
    }
    return {out.begin(), out.end()};
}

// The batch's intent on disk before its first step: a crash before it commits
// is rolled back at the next start (Persistence::begin_batch()). An error
// reply if it cannot be written (nothing has run then).
std::optional<Reply> record_intent(Persistence* persist, Kernel& kernel,
                                   const std::vector<std::vector<uint8_t>>& steps) {
    if (!persist) return std::nullopt;
    if (int rc = persist->begin_batch(named_interfaces(kernel, steps), steps.size()); rc < 0)
        return Reply::error(-rc, "the state directory could not record the batch: " + std::string(std::strerror(-rc)));
    return std::nullopt;
}

}  // namespace

// One audit record for the whole batch: refused (naming the step and the
// rule), failed (the step, rolled back) or ok.
Reply Dispatcher::handle_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps,
                               const std::function<void()>& between_steps) {
    AuditRecord rec;
    rec.peer = &peer;
    rec.op = "batch";
    in_batch_ = true;
    Reply r;
    try {
        r = run_batch(peer, steps, rec, between_steps);
    } catch (...) {
        in_batch_ = false;
        throw;
    }
    in_batch_ = false;
    if (rec.before.empty()) rec.before = std::to_string(steps.size()) + " step(s)";
    rec.error = r.status;
    if (r.status && rec.result == AuditResult::Ok) rec.result = AuditResult::Failed;
    rec.message = r.message;
    audit(rec);
    return r;
}

std::optional<Reply> Dispatcher::judge_batch_start(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps) {
    kernel_.poll_events();
    AuditRecord rec;
    rec.peer = &peer;
    rec.op = "batch";
    std::optional<Reply> no = validate_steps(steps);
    if (!no) no = judge_batch(peer, steps, rec);
    if (!no) return std::nullopt;
    if (rec.before.empty()) rec.before = "first " + std::to_string(steps.size()) + " step(s)";
    rec.error = no->status;
    if (rec.result == AuditResult::Ok) rec.result = AuditResult::Failed;
    rec.message = no->message;
    audit(rec);
    return no;
}

// Each step a whole, valid request that may be a step.
std::optional<Reply> Dispatcher::validate_steps(const std::vector<std::vector<uint8_t>>& steps,
                                                const std::function<void()>& between_steps) {
    const size_t n = steps.size();
    if (n == 0) return Reply::error(EINVAL, "a batch needs at least one step");
    for (size_t i = 0; i < n; ++i) {
        if (between_steps) between_steps();
        proto::Request req;
        if (proto::Error e = proto::validate_request(steps[i], req)) return step_error(i, n, e.code, e.message);
        const OpDescriptor* op = descriptor(req.op());
        if (!op || op->batch == BatchRole::Never || op->batch == BatchRole::Unset)
            return step_error(i, n, EINVAL, std::string(proto::op_name(req.header.op)) + " cannot be a step of a batch");
    }
    return std::nullopt;
}

// Judges every step on a model of the batch's own effects (creates, renames,
// destroys, owners): a refusal names the step, and nothing has run.
std::optional<Reply> Dispatcher::judge_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps,
                                             AuditRecord& rec, const std::function<void()>& between_steps) {
    const size_t n = steps.size();
    Model model{kernel_, registry_, {}};
    // Held for the whole batch: a reload may replace policy_ meanwhile.
    const std::shared_ptr<const Policy> policy = policy_;
    size_t owned = registry_.count_owned_by(peer.uid);  // for max_interfaces, counting the batch's own creates
    AddressTally tally;  // the batch's own additions, for the address limits
    for (size_t i = 0; i < n; ++i) {
        if (between_steps) between_steps();
        proto::Request req;
        proto::validate_request(steps[i], req);  // validated before: a step's Request is kilobytes, one at a time
        const proto::OpSpec& spec = *proto::op_spec(req.header.op);
        const OpDescriptor& row = *descriptor(req.op());
        Model::If* target = nullptr;
        std::string name;
        if (spec.needs_target) {
            if (req.has(AttrType::Name)) {
                name = req.get(AttrType::Name).as_str();
                target = model.by_name(name);
                if (!target) return step_error(i, n, ENODEV, "no interface named " + name + " at this step");
            } else {
                const uint32_t index = req.get(AttrType::Index).as_u32();
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
        if (row.target == TargetFrom::NewName) name = expected_name(kernel_, std::string(req.get(AttrType::NewName).as_str()));
        Subject subject{req, name, m, k, owned};
        if (installs(row.installs, Value::NewName)) subject.new_name = expected_name(kernel_, std::string(req.get(AttrType::NewName).as_str()));
        if (Decision d = authorize(*policy, peer, subject); d.error) {
            rec.result = AuditResult::Refused;
            rec.rule = d.rule;
            rec.interface = name;
            rec.before = rec.after = audit_state(row.audit, k, m);
            return step_error(i, n, d.error, d.message);
        }
        const std::optional<uint32_t> owner = target && target->managed ? std::optional<uint32_t>(target->owner) : std::nullopt;
        if (std::optional<Reply> no = address_room(limits_, kernel_, registry_, req, name, k, owner, &tally)) {
            rec.result = AuditResult::Refused;
            rec.rule = no->status == ENOSPC ? "limits.max_addresses_per_interface" : "limits.max_addresses_per_owner";
            rec.interface = name;
            return step_error(i, n, no->status, no->message);
        }
        if (req.op() == Op::Create && (!req.has(AttrType::Owner) || req.get(AttrType::Owner).as_u32() == peer.uid)) ++owned;
        switch (req.op()) {
            case Op::Create: {
                const std::string new_name(req.get(AttrType::NewName).as_str());
                if (new_name.find('%') == std::string::npos) {
                    const uint32_t owner = req.has(AttrType::Owner) ? req.get(AttrType::Owner).as_u32() : peer.uid;
                    model.ifs.push_back({0, new_name, true, owner, false});
                }
                break;
            }
            case Op::Rename: target->name = subject.new_name; break;
            case Op::Destroy: target->gone = true; break;
            case Op::SetOwner: target->owner = req.get(AttrType::Owner).as_u32(); break;
            default: break;
        }
    }
    return std::nullopt;
}

Reply Dispatcher::run_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps, AuditRecord& rec,
                            const std::function<void()>& between_steps) {
    kernel_.poll_events();
    const AfterRequest after{*this};
    const size_t n = steps.size();
    auto yield = [&] {
        if (between_steps) between_steps();
    };

    // 1. Validate and judge every step before anything is applied.
    if (std::optional<Reply> no = validate_steps(steps, between_steps)) return std::move(*no);
    if (std::optional<Reply> no = judge_batch(peer, steps, rec, between_steps)) return std::move(*no);

    // A batch the state directory could not record is refused before any step runs.
    if (std::optional<Reply> no = refuse_unrecordable()) return std::move(*no);
    if (std::optional<Reply> no = record_intent(persist_, kernel_, steps)) return std::move(*no);

    // 2. Apply in order, recording how to undo each step before it runs.
    Frames undo;
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
            yield();
            Reply u = run_own(peer, *it);
            if (u.status) {
                spdlog::error("batch rollback: {}", u.message);
                failures += "; undoing failed: " + u.message;
            }
        }
        kernel_.poll_events();
        if (persist_) persist_->end_batch();  // rolled back: nothing is left to roll back at start
        r.message += failures;
        return r;
    };
    for (size_t i = 0; i < n; ++i) {
        yield();
        proto::Request req;
        proto::validate_request(steps[i], req);
        // The step sees what the one before it did; it was judged on the plan above.
        Pass pass{Pass::Kind::Step};
        pass.undo = &undo;
        pass.runs_last = &destroys;
        Reply r = run(peer, req, pass);
        if (r.status) return rollback(step_error(i, n, r.status, r.message));
        if (req.op() == Op::Create && !r.interfaces.empty()) created.push_back(std::move(r.interfaces.front()));
    }
    // Every other step's records on disk, one flush for all, before the
    // destroys (which record and remove synchronously) and the reply.
    // The commit: the records, then the intent removed (else a start would roll it back).
    if (persist_)
        if (int rc = persist_->end_deferred(); rc < 0 || (rc = persist_->end_batch()) < 0)
            return rollback(step_error(n - 1, n, -rc, "the state directory could not record the batch: " +
                                                          std::string(std::strerror(-rc))));
    // 3. Every other step succeeded: now the destroys.
    for (size_t d = 0; d < destroys.size(); ++d) {
        yield();
        Reply r = run_own(peer, request_by_index(Op::Destroy, destroys[d]).finish());
        if (r.status) {
            if (d > 0) r.message += " (" + std::to_string(d) + " interface(s) destroyed before it stay destroyed)";
            // Name the step that asked for this destroy.
            size_t step = 0;
            for (size_t i = 0, seen = 0; i < n; ++i)
                if (proto::frame_op(steps[i]) == static_cast<uint16_t>(Op::Destroy) && seen++ == d) step = i;
            return rollback(step_error(step, n, r.status, r.message));
        }
    }
    rec.after = "applied";
    Reply done;
    done.interfaces = std::move(created);
    return done;
}

}  // namespace ifctl::daemon
