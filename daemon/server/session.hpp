// One client connection: reads request frames (one per SEQPACKET datagram),
// validates them, hands them to the dispatcher in order, and writes the replies.
// Replies are queued; while a client does not read its replies the session stops
// reading its requests (back-pressure), so a slow client never blocks others.
// Per-client limits (ifctl.conf(5) [limits]): a request larger than
// max_request_bytes gets EMSGSIZE; with max_in_flight replies unread, new
// requests get ENOBUFS without being run; a connection that has not said hello
// within hello_timeout seconds is closed. Bytes are budgeted too, per connection
// and per uid (uid_budget.hpp): reply bytes waiting to be read (reading pauses
// over budget and resumes as they drain) and the steps of an unfinished batch.
// A long batch lets the others in between its steps (run_batch()).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "daemon/core/dispatch.hpp"
#include "daemon/core/peer.hpp"
#include "daemon/server/uid_budget.hpp"

namespace ifctl::daemon {

struct SessionLimits {
    size_t max_queued_replies = 1024;  // frames waiting for the client to read, before reading pauses
    size_t max_in_flight = 256;        // unread replies, before new requests are refused (ENOBUFS)
    size_t max_request_bytes = 65536;  // one request frame
    unsigned hello_timeout = 10;       // seconds
    size_t max_queued_events = 4096;   // event frames waiting; one more and the subscription is dropped
    size_t max_batch_steps = 8192;                // steps in one batch, however many requests carry them
    size_t max_batch_bytes = 4 << 20;              // one batch's steps held until its last part
    size_t max_batch_bytes_per_uid = 16 << 20;     // unfinished batches across a uid's connections (not root)
    size_t max_reply_bytes = 1 << 20;              // reply bytes waiting for one client, before reading pauses
    size_t max_reply_bytes_per_uid = 8 << 20;      // the same across a uid's connections (not root)
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::io_context& io, int fd, Peer peer, Dispatcher& dispatcher, const SessionLimits& limits,
            UidBudget& budget, std::function<void(Session*)> on_close);
    void start();
    void close();
    const Peer& peer() const { return peer_; }

private:
    struct OutFrame {
        std::vector<uint8_t> bytes;
        UniqueFd fd;
        bool close_after = false;
        bool event = false;  // counts against max_queued_events
    };

    // Events (subscribe) and the readiness wait: both are fed by the event bus.
    void subscribe(uint32_t id, const EventBus::Filter& f);
    void deliver(const proto::Event& e);
    void unsubscribe();
    void start_wait(uint32_t id, const Reply::Wait& w);
    void end_wait(int status, const std::string& message);
    void push(OutFrame f);
    void batch_part(uint16_t op, uint32_t id, const proto::Request& req);
    std::optional<Reply> take_steps(const proto::Request& req);
    Reply run_batch();
    void drop_batch();
    void flush_later();
    // Over its reply budget (its own or its uid's): reading waits for it to drain.
    bool over_reply_budget();
    // A change that arrives while another connection's batch runs waits for its end.
    void park(std::span<const uint8_t> frame);
    void unpark();
    void wake_parked();
    void watch_hangup();

    void wait_readable();
    void read_available();
    void handle_frame(std::span<const uint8_t> frame, bool had_fds);
    void queue_reply(uint16_t op, uint32_t id, Reply r, bool close_after = false);
    void queue_hello(uint32_t id, bool with_snapshot);
    Reply snapshot_reply();
    static proto::Interface fitting(const proto::Interface& i, size_t room);
    void flush();

    boost::asio::io_context& io_;
    boost::asio::posix::stream_descriptor sock_;
    boost::asio::steady_timer hello_timer_;
    Peer peer_;
    Dispatcher& dispatcher_;
    SessionLimits limits_;
    UidBudget& budget_;
    size_t out_bytes_ = 0;  // in out_, counted in budget_
    bool uid_wake_pending_ = false;  // asked budget_ to wake it when its uid's replies drain
    std::function<void(Session*)> on_close_;
    std::deque<OutFrame> out_;
    // One receive buffer for every session: the daemon has one I/O thread and a
    // frame is handled before the next read, and 64 KiB per connection would make
    // a thousand idle clients cost 64 MB.
    static std::vector<uint8_t> inbuf_;
    bool hello_done_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
    bool flush_posted_ = false;

    EventBus::Token sub_token_ = 0;  // 0: not subscribed
    uint32_t sub_id_ = 0;            // the Subscribe request's id, carried by every event frame
    size_t queued_events_ = 0;

    // A batch sent in several Batch requests (BatchContinues): the steps so far.
    std::vector<std::vector<uint8_t>> batch_steps_;
    size_t batch_bytes_ = 0;  // what batch_steps_ holds, counted in budget_
    bool batch_open_ = false;
    // A part of this batch was refused: the parts still to come are refused
    // too, without keeping their steps, until the last one (errno, why).
    std::optional<std::pair<int, std::string>> batch_refused_;
    bool in_batch_ = false;   // running a batch, which lets others in between steps: read nothing meanwhile
    std::vector<uint8_t> parked_;  // a change waiting for another connection's batch to end
    static std::vector<std::weak_ptr<Session>> parked_sessions_;

    bool waiting_ = false;  // a WaitReady is pending: no further request is read
    EventBus::Token wait_token_ = 0;
    uint32_t wait_id_ = 0, wait_index_ = 0, wait_timeout_ms_ = 0;
    std::unique_ptr<boost::asio::steady_timer> wait_timer_;
    bool told_in_flight_ = false;  // the in-flight refusal is audited once per connection
};

}  // namespace ifctl::daemon
