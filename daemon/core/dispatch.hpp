// From a validated request to a reply: resolves the target interface, checks
// that it is managed and that the peer may act on it, runs the operation's
// handler (its descriptor, operations.cpp; the pipeline, dispatch.cpp), and
// writes the audit record.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/audit.hpp"
#include "daemon/core/events.hpp"
#include "daemon/core/peer.hpp"
#include "daemon/core/persistence.hpp"
#include "daemon/core/policy.hpp"
#include "daemon/core/registry.hpp"
#include "daemon/core/snapshot.hpp"
#include "daemon/kernel/netlink.hpp"
#include "daemon/kernel/unique_fd.hpp"
#include "libifctl/protocol/schema.hpp"

namespace ifctl::daemon {

struct Reply {
    int status = 0;  // 0 or a positive errno
    std::string message;
    bool unmanaged = false;
    std::vector<proto::Interface> interfaces;
    bool brief = false;  // encode the records without addresses, statistics, multicast
    UniqueFd fd;  // passed to the client with SCM_RIGHTS
    // Subscribe: the session delivers the events this filter passes.
    std::optional<EventBus::Filter> subscribe;
    // WaitReady on an interface not ready yet: the session answers later.
    struct Wait {
        uint32_t index = 0;
        std::optional<uint32_t> timeout_ms;
    };
    std::optional<Wait> wait;
    std::optional<uint32_t> step_index;  // Batch: the step that failed

    static Reply error(int err, std::string msg) {
        Reply r;
        r.status = err;
        r.message = std::move(msg);
        return r;
    }
};

struct DaemonLimits {
    uint32_t max_queues = 16;  // per TAP, on create and open
    // New TAPs get the noqueue root qdisc, as veth has: a multi-queue TAP has
    // 256 transmit queues, and the kernel's default gives each its own
    // pfifo_fast (about 3 MB per TAP, allocated when it goes up), which a TAP,
    // never stopping its queues, does not use.
    bool noqueue = true;
    // Addresses (address_limits.cpp): an interface's record must fit in a
    // frame, and one user's interfaces must not fill the daemon's state.
    uint32_t max_addresses_per_interface = 256;
    uint32_t max_addresses_per_owner = 4096;
};

struct OpDescriptor;
namespace detail {
struct Target;
}

// Re-reads the configuration (Op::Reload, SIGHUP): returns 0 and a summary, or
// an errno and why the old policy stays.
using Reloader = std::function<int(std::string& message)>;

class Dispatcher {
public:
    using Target = detail::Target;
    Dispatcher(Kernel& kernel, Registry& registry, DaemonLimits limits = {},
               std::shared_ptr<const Policy> policy = std::make_shared<Policy>());

    // Replaces the policy for every request from now on (in-flight ones are
    // judged one at a time on this thread, so the swap is atomic for them).
    void set_policy(std::shared_ptr<const Policy> p) { policy_ = std::move(p); }
    const Policy& policy() const { return *policy_; }
    void set_reloader(Reloader r) { reloader_ = std::move(r); }

    Reply handle(const Peer& peer, const proto::Request& req);

    // Runs a batch's steps (whole request frames) all or none: every step is
    // validated and authorized first, then applied in order; on a failure
    // what was applied is undone in reverse. See batch.cpp.
    // `between_steps`, if given, is called between steps: the caller may serve
    // others there (reads; changes wait while in_batch()).
    Reply handle_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps,
                       const std::function<void()>& between_steps = {});
    // The first part of a batch sent in several: its steps validated and judged
    // at once (audited when refused), so that a client refused its first steps
    // is not left to send the rest. Nothing runs.
    std::optional<Reply> judge_batch_start(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps);
    // A batch is being applied (its caller serves others between steps).
    bool in_batch() const { return in_batch_; }

    // Up with carrier (what WaitReady waits for); false if it does not exist.
    bool ready(uint32_t index);

    EventBus& events() { return events_; }
    // Run after every request and batch: publishes the events it caused (main
    // connects the reconciler here).
    std::function<void()> after_request;

    // Periodic care of managed TAPs: re-attach the daemon's own queue once no
    // client queue is attached any more (the kernel sends no event for that).
    void maintain();

    // A connection closed: drops its multicast memberships and flag references
    // (the kernel follows when a reference was the last).
    void client_closed(const Peer& peer);

    // Stop. For good (stop_kind.hpp): destroys the managed interfaces; with
    // persistence, only the non-persistent ones nobody holds a queue of.
    // Otherwise (a restart) leaves every one to the next start.
    void shutdown(bool for_good = true);

    // With a state directory: changes are recorded (persistence.hpp) and
    // refused when they could not be.
    void set_persistence(Persistence* p) { persist_ = p; }

    // With a snapshot (snapshot.hpp): every request's changes are published
    // before its reply leaves; kernel events are published as they are read.
    void set_snapshot(Snapshot* s) { snapshot_ = s; }
    Snapshot* snapshot() { return snapshot_; }
    // Publishes what requests and kernel events touched since the last time.
    void publish() {
        if (snapshot_) snapshot_->publish(kernel_, registry_);
    }

private:
    // How a request goes through the pipeline (pipeline.cpp).
    struct Pass {
        enum class Kind {
            Request,  // a client's single request: judged, audited, recorded
            Step,     // a step of a batch: judged on the batch's plan before any step ran
            Own,      // the daemon's own work (a batch's undo and deferred destroys): not judged
        } kind;
        AuditRecord* audit = nullptr;  // Request: filled in as it goes
        std::vector<std::vector<uint8_t>>* undo = nullptr;  // Step: the inverse, recorded before it runs
        std::vector<uint32_t>* runs_last = nullptr;  // Step: targets of operations deferred to the end
    };
    // The one request pipeline: descriptor, the kernel's events, the target,
    // the policy (Request), the state directory's preflight (Request), the
    // handler, the audit's after-state and the record (Request).
    Reply run(const Peer& peer, const proto::Request& req, Pass& pass);
    // Validates a request the daemon made itself and runs it as Own.
    Reply run_own(const Peer& peer, const std::vector<uint8_t>& frame);
    std::optional<Reply> find_target(const OpDescriptor& op, const proto::Request& req, Target& target,
                                     AuditRecord* audit);
    std::optional<Reply> judge(const Peer& peer, const OpDescriptor& op, const proto::Request& req,
                               const Target& target, AuditRecord& audit);
    std::optional<Reply> refuse_unrecordable();
    void record_kernel_config(const proto::Request& req, uint32_t index, Reply& r);
    Reply run_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps, AuditRecord& audit,
                    const std::function<void()>& between_steps);
    std::optional<Reply> validate_steps(const std::vector<std::vector<uint8_t>>& steps,
                                        const std::function<void()>& between_steps = {});
    std::optional<Reply> judge_batch(const Peer& peer, const std::vector<std::vector<uint8_t>>& steps, AuditRecord& audit,
                                     const std::function<void()>& between_steps = {});

    // Publishes the events a request read or caused, however it ends, and
    // the snapshot (before the reply is sent: read-your-writes).
    struct AfterRequest {
        Dispatcher& d;
        ~AfterRequest() {
            if (d.after_request) d.after_request();
            d.publish();
        }
    };

    Kernel& kernel_;
    Registry& registry_;
    DaemonLimits limits_;
    Persistence* persist_ = nullptr;
    Snapshot* snapshot_ = nullptr;
    EventBus events_;
    std::shared_ptr<const Policy> policy_;
    Reloader reloader_;
    bool in_batch_ = false;
};

}  // namespace ifctl::daemon
