// The one request pipeline. A client's single request, each step of a batch
// and the daemon's own work (a batch's undo steps and its deferred destroys)
// all pass here, in this order:
//
//   descriptor -> the kernel's pending events -> target (ENODEV, managed rule)
//   -> policy and the state directory's preflight (single requests only; a
//   batch judged its steps on its plan, batch.cpp) -> the inverse (batch steps)
//   -> handler -> the audit's after-state and the record (single requests).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/core/address_limits.hpp"
#include "daemon/core/dispatch.hpp"
#include "daemon/core/handlers.hpp"
#include "daemon/core/operations.hpp"

namespace ifctl::daemon {

using proto::AttrType;
using namespace detail;

Dispatcher::Dispatcher(Kernel& kernel, Registry& registry, DaemonLimits limits, std::shared_ptr<const Policy> policy)
    : kernel_(kernel), registry_(registry), limits_(limits), policy_(std::move(policy)) {}

Reply Dispatcher::handle(const Peer& peer, const proto::Request& req) {
    const proto::OpSpec& spec = *proto::op_spec(req.header.op);
    AuditRecord rec;
    rec.peer = &peer;
    rec.op = spec.name;
    Reply r;
    {
        const AfterRequest after{*this};
        Pass pass{Pass::Kind::Request};
        pass.audit = &rec;
        r = run(peer, req, pass);
    }
    if (spec.changes) {
        rec.error = r.status;
        if (r.status && rec.result == AuditResult::Ok) rec.result = AuditResult::Failed;
        rec.message = r.message;
        audit(rec);
    }
    return r;
}

Reply Dispatcher::run(const Peer& peer, const proto::Request& req, Pass& pass) {
    const OpDescriptor* op = descriptor(req.op());
    if (!op || op->route != Route::Handler) return Reply::error(EOPNOTSUPP, "operation not handled here");
    const bool request = pass.kind == Pass::Kind::Request;

    // One look at the kernel's events per request: a change anyone made before
    // this request was sent (or the step before this one made) is seen by it.
    kernel_.poll_events();
    Target target;
    if (std::optional<Reply> bad = find_target(*op, req, target, pass.audit)) return std::move(*bad);
    if (pass.runs_last && target.record) {
        const uint32_t index = target.record->index;
        if (std::find(pass.runs_last->begin(), pass.runs_last->end(), index) != pass.runs_last->end())
            return Reply::error(ENODEV, target.name + " is destroyed by an earlier step");
        if (op->batch == BatchRole::RunsLast) {
            pass.runs_last->push_back(index);
            return {};
        }
    }
    if (request) {
        if (std::optional<Reply> no = judge(peer, *op, req, target, *pass.audit)) return std::move(*no);
        const std::optional<uint32_t> owner =
            target.managed ? std::optional<uint32_t>(target.managed->owner) : std::nullopt;
        if (std::optional<Reply> no = address_room(limits_, kernel_, registry_, req, target.name, target.record, owner)) {
            pass.audit->result = AuditResult::Refused;
            pass.audit->rule = no->status == ENOSPC ? "limits.max_addresses_per_interface" : "limits.max_addresses_per_owner";
            pass.audit->after = pass.audit->before;
            return std::move(*no);
        }
        if (op->facets != kNoFacet && op->needs_store)
            if (std::optional<Reply> no = refuse_unrecordable()) return std::move(*no);
    }
    // Worked out before the step runs, kept only if it succeeds.
    std::vector<std::vector<uint8_t>> inverse;
    if (pass.undo && op->undo && target.record) op->undo(req, target, peer.client, inverse);

    const uint32_t index = target.record ? target.record->index : 0;
    // Held for the whole request: a reload may replace policy_ meanwhile.
    const std::shared_ptr<const Policy> policy = policy_;
    Ctx ctx{kernel_, registry_, peer, limits_, *policy, req, target, persist_, reloader_};
    Reply r = op->handler(ctx);

    if (snapshot_ && proto::op_spec(req.header.op)->changes) {
        snapshot_->touch(index);
        for (const proto::Interface& i : r.interfaces) snapshot_->touch(i.index);
    }
    if (pass.undo && !r.status) {
        if (op->batch == BatchRole::UndoneByDestroy && !r.interfaces.empty()) {
            proto::Writer w(static_cast<uint16_t>(proto::Op::Destroy), 0, 0);
            w.u32(wire_type(AttrType::Index), r.interfaces.front().index);
            inverse.push_back(w.finish());
        }
        for (auto& f : inverse) pass.undo->push_back(std::move(f));
    }
    if (request && op->facets != kNoFacet) {
        // The state after, as the kernel reports it now (its events for our own
        // change are queued before the change is acknowledged).
        kernel_.poll_events();
        AuditRecord& rec = *pass.audit;
        uint32_t after = index;
        // Not resolved before (create's new name, move-home's TAP from away):
        // the interface the reply holds.
        if (op->target != TargetFrom::Request && !r.status && !r.interfaces.empty()) {
            after = r.interfaces[0].index;
            rec.interface = r.interfaces[0].name;
        }
        if (op->audit == AuditField::PolicySource) rec.after = policy_source(*policy_);
        else rec.after = audit_state(op->audit, after ? kernel_.find(after) : nullptr, after ? registry_.find(after) : nullptr);
        if (persist_ && r.status == 0) record_kernel_config(req, index, r);
    }
    return r;
}

Reply Dispatcher::run_own(const Peer& peer, const std::vector<uint8_t>& frame) {
    proto::Request req;
    if (proto::Error e = proto::validate_request(frame, req)) return Reply::error(e.code, e.message);
    Pass pass{Pass::Kind::Own};
    return run(peer, req, pass);
}

// The interface the request is about: named by the request (resolved, the
// managed rule applied) or, for create, the name its pattern will give.
std::optional<Reply> Dispatcher::find_target(const OpDescriptor& op, const proto::Request& req, Target& target,
                                             AuditRecord* audit) {
    if (op.target == TargetFrom::Request) {
        if (audit)
            audit->interface = req.has(AttrType::Name) ? std::string(req.get(AttrType::Name).as_str())
                                                : "index " + std::to_string(req.get(AttrType::Index).as_u32());
        if (std::optional<Reply> bad = resolve(kernel_, registry_, op, req, target)) {
            if (audit && bad->unmanaged) {
                audit->result = AuditResult::Refused;
                audit->rule = "managed interfaces only";
            }
            return bad;
        }
    } else if (op.target == TargetFrom::NewName) {
        target.name = expected_name(kernel_, std::string(req.get(AttrType::NewName).as_str()));
    } else if (audit && req.has(AttrType::Name)) {
        // Named, but not an interface of this namespace (move-home: a TAP moved
        // away): the audit line still says which.
        audit->interface = std::string(req.get(AttrType::Name).as_str());
    }
    if (audit && op.target != TargetFrom::None) audit->interface = target.name;
    return std::nullopt;
}

// Asks the policy; the audit record gets the deciding rule and the state before.
std::optional<Reply> Dispatcher::judge(const Peer& peer, const OpDescriptor& op, const proto::Request& req,
                                       const Target& target, AuditRecord& rec) {
    const uint32_t owned = op.access == Access::Creator ? static_cast<uint32_t>(registry_.count_owned_by(peer.uid)) : 0;
    Subject subject{req, target.name, target.managed, target.record, owned};
    if (installs(op.installs, Value::NewName)) subject.new_name = expected_name(kernel_, std::string(req.get(AttrType::NewName).as_str()));
    const Decision d = authorize(*policy_, peer, subject);
    rec.rule = d.rule;
    rec.before = audit_state(op.audit, target.record, target.managed);
    if (d.error) {
        rec.result = AuditResult::Refused;
        rec.after = rec.before;
        return Reply::error(d.error, d.message);
    }
    if (op.audit == AuditField::PolicySource) rec.before = policy_source(*policy_);
    return std::nullopt;
}

// A change the state directory could not record is refused before it is made.
std::optional<Reply> Dispatcher::refuse_unrecordable() {
    if (!persist_) return std::nullopt;
    const int rc = persist_->preflight();
    if (rc == 0) return std::nullopt;
    return Reply::error(-rc, "the state directory cannot be written (" + std::string(std::strerror(-rc)) +
                                 "): changes are refused until it can");
}

// Kernel-held configuration goes to disk by group commit; a request with
// Durable waits for it.
void Dispatcher::record_kernel_config(const proto::Request& req, uint32_t index, Reply& r) {
    if (!index && !r.interfaces.empty()) index = r.interfaces.front().index;  // create
    if (!index) return;
    persist_->note_change(index);
    if (!req.has(AttrType::Durable) || !req.get(AttrType::Durable).as_u8()) return;
    kernel_.poll_events();  // our own change's events, so the record holds it
    if (int rc = persist_->flush(); rc < 0)
        r = Reply::error(-rc, "the change was made but could not be written to the state directory: " +
                                  std::string(std::strerror(-rc)));
}

}  // namespace ifctl::daemon
