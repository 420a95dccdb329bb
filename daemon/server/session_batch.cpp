// The batch side of a session: a batch's parts collected within its budgets
// (steps and bytes per batch, bytes per uid), the first part judged at once so
// that a client refused its first step is not left to send thousands more, and
// the batch run so that other connections are served between its steps. The
// batch stays all or nothing: a change another connection sends meanwhile
// waits (parked) until the batch has ended; reads are answered at once.
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>

#include "daemon/server/session.hpp"
#include "libifctl/protocol/wire.hpp"

namespace ifctl::daemon {

using proto::AttrType;

std::vector<std::weak_ptr<Session>> Session::parked_sessions_;

namespace {
// A step's vector and its allocation's header, besides its bytes.
constexpr size_t kStepOverhead = sizeof(std::vector<uint8_t>) + 16;
// How long a batch runs before the others get a turn: well under the 100 ms
// another client's get may wait, and a step rarely takes a millisecond.
constexpr auto kSlice = std::chrono::milliseconds(20);
}  // namespace

void Session::drop_batch() {
    budget_.sub(peer_.uid, UidBudget::Batch, batch_bytes_);
    batch_bytes_ = 0;
    std::vector<std::vector<uint8_t>>().swap(batch_steps_);
    batch_open_ = false;
}

// Adds a part's steps within the budgets; a refusal drops the whole batch.
std::optional<Reply> Session::take_steps(const proto::Request& req) {
    size_t bytes = 0, steps = 0;
    for (const proto::Attr& a : req.repeated)
        if (a.type == wire_type(AttrType::Step)) {
            bytes += a.payload.size() + kStepOverhead;
            ++steps;
        }
    auto refuse = [&](int err, const std::string& why) {
        drop_batch();
        return Reply::error(err, why + "; nothing was applied");
    };
    if (batch_steps_.size() + steps > limits_.max_batch_steps)
        return refuse(E2BIG, "a batch may hold at most " + std::to_string(limits_.max_batch_steps) +
                                 " steps (limits.max_batch_steps)");
    if (batch_bytes_ + bytes > limits_.max_batch_bytes)
        return refuse(E2BIG, "a batch may hold at most " + std::to_string(limits_.max_batch_bytes) +
                                 " bytes of steps (limits.max_batch_bytes)");
    const size_t uid_held = budget_.held(peer_.uid, UidBudget::Batch);
    if (!peer_.is_root() && uid_held + bytes > limits_.max_batch_bytes_per_uid)
        return refuse(ENOBUFS, "uid " + std::to_string(peer_.uid) + " holds " + std::to_string(uid_held) +
                                   " bytes of unfinished batches on its connections, the most one user may "
                                   "(limits.max_batch_bytes_per_uid = " +
                                   std::to_string(limits_.max_batch_bytes_per_uid) + "); finish or close them first");
    for (const proto::Attr& a : req.repeated)
        if (a.type == wire_type(AttrType::Step)) batch_steps_.emplace_back(a.payload.begin(), a.payload.end());
    batch_bytes_ += bytes;
    budget_.add(peer_.uid, UidBudget::Batch, bytes);
    return std::nullopt;
}

// Collects a batch's steps; the part without batch-continues runs them all.
// A refused part refuses its whole batch: the parts that follow (a client
// sends them without waiting) are answered with the same refusal and never
// run as a batch of their own.
void Session::batch_part(uint16_t op, uint32_t id, const proto::Request& req) {
    const bool continues = req.has(AttrType::BatchContinues) && req.get(AttrType::BatchContinues).as_u8();
    if (batch_refused_) {
        Reply no = Reply::error(batch_refused_->first, "an earlier part of this batch was refused (" +
                                                           batch_refused_->second + ")");
        if (!continues) batch_refused_.reset();
        return queue_reply(op, id, std::move(no));
    }
    const bool first = !batch_open_;
    std::optional<Reply> no = take_steps(req);
    if (!no && continues && first) no = dispatcher_.judge_batch_start(peer_, batch_steps_);
    if (no) {
        drop_batch();
        if (continues) batch_refused_.emplace(no->status, no->message);
        return queue_reply(op, id, std::move(*no));
    }
    if (continues) {
        batch_open_ = true;
        return queue_reply(op, id, Reply{});
    }
    queue_reply(op, id, run_batch());
}

Reply Session::run_batch() {
    std::vector<std::vector<uint8_t>> steps;
    steps.swap(batch_steps_);
    const size_t bytes = batch_bytes_;
    batch_bytes_ = 0;
    batch_open_ = false;
    // The others served between steps may close this connection.
    const std::shared_ptr<Session> self = shared_from_this();
    in_batch_ = true;
    auto last = std::chrono::steady_clock::now();
    const std::function<void()> between_steps = [&] {
        if (std::chrono::steady_clock::now() - last < kSlice) return;
        io_.poll();  // everything ready: other clients' reads, events, the watchdog's ping
        last = std::chrono::steady_clock::now();
    };
    Reply r;
    try {
        r = dispatcher_.handle_batch(peer_, steps, between_steps);
    } catch (const std::exception& e) {
        spdlog::error("{}: batch failed inside the daemon: {}", peer_.describe(), e.what());
        r = Reply::error(EIO, std::string("internal error: ") + e.what());
    }
    in_batch_ = false;
    budget_.sub(peer_.uid, UidBudget::Batch, bytes);
    wake_parked();
    return r;
}

void Session::park(std::span<const uint8_t> frame) {
    parked_.assign(frame.begin(), frame.end());
    parked_sessions_.push_back(weak_from_this());
}

void Session::wake_parked() {
    std::vector<std::weak_ptr<Session>> parked;
    parked.swap(parked_sessions_);
    for (const std::weak_ptr<Session>& w : parked)
        boost::asio::post(io_, [w] {
            if (auto s = w.lock()) s->unpark();
        });
}

void Session::unpark() {
    if (closed_ || parked_.empty()) return;
    std::vector<uint8_t> frame;
    frame.swap(parked_);
    handle_frame(frame, false);  // parks again if another batch began meanwhile
    flush();
    wait_readable();
}

}  // namespace ifctl::daemon
