#include "session.hpp"

#include "oversized_records.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "libifctl/protocol/event.hpp"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/passed_fds.hpp"
#include "libifctl/protocol/wire.hpp"

namespace ifctl::daemon {

using proto::AttrType;

namespace {
constexpr size_t kMaxFdsPerFrame = 8;  // room to receive (and close) stray descriptors
constexpr int kReadBurst = 64;         // frames read per wake-up before yielding to others
constexpr const char* kSoftware = "ifctld " IFCTL_VERSION_STRING;
}  // namespace

// One byte more than the largest frame: a longer one shows up as MSG_TRUNC.
std::vector<uint8_t> Session::inbuf_(proto::kMaxFrame + 1);

Session::Session(boost::asio::io_context& io, int fd, Peer peer, Dispatcher& dispatcher, const SessionLimits& limits,
                 UidBudget& budget, std::function<void(Session*)> on_close)
    : io_(io),
      sock_(io, fd),
      hello_timer_(io),
      peer_(std::move(peer)),
      dispatcher_(dispatcher),
      limits_(limits),
      budget_(budget),
      on_close_(std::move(on_close)) {
}

void Session::start() {
    // A connection that never says hello would hold a descriptor (and, for its
    // uid, a connection slot) for ever.
    hello_timer_.expires_after(std::chrono::seconds(limits_.hello_timeout));
    hello_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->hello_done_ || self->closed_) return;
        spdlog::info("{}: no hello within {} s; closing the connection", self->peer_.describe(),
                     self->limits_.hello_timeout);
        self->close();
    });
    wait_readable();
}

void Session::close() {
    if (closed_) return;
    closed_ = true;
    unsubscribe();
    if (waiting_) {
        dispatcher_.events().unsubscribe(wait_token_);
        if (wait_timer_) wait_timer_->cancel();
        waiting_ = false;
    }
    boost::system::error_code ec;
    hello_timer_.cancel();
    sock_.cancel(ec);
    sock_.close(ec);
    // What it buffered no longer counts against its uid.
    drop_batch();
    budget_.sub(peer_.uid, UidBudget::Reply, out_bytes_);
    out_bytes_ = 0;
    out_.clear();
    parked_.clear();
    // What this connection held (multicast memberships, flag references) goes with it.
    try {
        dispatcher_.client_closed(peer_);
    } catch (const std::exception& e) {
        spdlog::error("{}: dropping its references failed: {}", peer_.describe(), e.what());
    }
    if (on_close_) on_close_(this);
}

void Session::wait_readable() {
    if (reading_ || closing_ || closed_ || waiting_ || in_batch_ || !parked_.empty()) return;
    if (out_.size() >= limits_.max_queued_replies) return;  // resumed by flush()
    if (over_reply_budget()) return;                        // resumed by flush() or the uid's drain
    reading_ = true;
    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                         self->reading_ = false;
                         if (ec) return self->close();
                         self->read_available();
                     });
}

void Session::read_available() {
    for (int n = 0; n < kReadBurst && !closing_ && !closed_ && !waiting_ && parked_.empty(); ++n) {
        if (out_.size() >= limits_.max_queued_replies || over_reply_budget()) break;
        alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * kMaxFdsPerFrame)];
        iovec iov{inbuf_.data(), inbuf_.size()};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof cbuf;
        const ssize_t got = ::recvmsg(sock_.native_handle(), &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            return close();
        }
        // Descriptors are never expected from a client: close them and say so.
        bool had_fds = mh.msg_flags & MSG_CTRUNC;
        proto::for_each_passed_fd(mh, [&](int fd) {
            ::close(fd);
            had_fds = true;
        });
        if (got == 0) {  // orderly shutdown by the peer; finish writing, then close
            closing_ = true;
            if (out_.empty()) return close();
            break;
        }
        if ((mh.msg_flags & MSG_TRUNC) || static_cast<size_t>(got) > limits_.max_request_bytes) {
            const uint32_t id = proto::frame_id(std::span<const uint8_t>(inbuf_.data(), static_cast<size_t>(got)));
            const size_t limit = std::min<size_t>(limits_.max_request_bytes, proto::kMaxFrame);
            queue_reply(0, id, Reply::error(EMSGSIZE, "request longer than " + std::to_string(limit) +
                                                          " bytes (limits.max_request_bytes)"));
        } else {
            handle_frame(std::span<const uint8_t>(inbuf_.data(), static_cast<size_t>(got)), had_fds);
        }
        // Hand each reply to the kernel at once: what counts against
        // max_in_flight is only what the client has not taken.
        flush();
    }
    flush();
    wait_readable();
}

void Session::handle_frame(std::span<const uint8_t> frame, bool had_fds) {
    // Echo the id if there is one, so that a client can match even a refusal.
    // (The op too, but only from a frame that reaches the id, as a refusal of a
    // shorter one carries neither.)
    const uint32_t id = proto::frame_id(frame);
    const uint16_t op = frame.size() >= proto::header_at::kId + 4 ? proto::frame_op(frame) : 0;
    if (had_fds) return queue_reply(op, id, Reply::error(EBADMSG, "requests must not carry file descriptors"));

    proto::Request req;
    if (proto::Error e = proto::validate_request(frame, req)) {
        spdlog::debug("{}: bad request: {}", peer_.describe(), e.message);
        return queue_reply(op, id, Reply::error(e.code, e.message), !hello_done_);
    }
    if (!hello_done_) {
        if (req.op() != proto::Op::Hello)
            return queue_reply(op, id, Reply::error(EPROTO, "the first request must be hello (version exchange)"), true);
        const uint32_t v = req.get(AttrType::Version).as_u32();
        if (v != proto::kVersion)
            return queue_reply(op, id, Reply::error(EPROTONOSUPPORT, "protocol version " + std::to_string(v) +
                                                   " is not supported; this ifctld speaks version " +
                                                   std::to_string(proto::kVersion)), true);
        hello_done_ = true;
        hello_timer_.cancel();
        return queue_hello(id, req.has(AttrType::Snapshot) && req.get(AttrType::Snapshot).as_u8());
    }
    if (req.op() == proto::Op::Hello)
        return queue_reply(op, id, Reply::error(EISCONN, "hello was already exchanged on this connection"));
    if (req.op() == proto::Op::Snapshot) return queue_reply(op, id, snapshot_reply());
    if (dispatcher_.in_batch() && proto::op_spec(req.header.op)->changes) return park(frame);
    // A client that sends without reading is told so, and its requests are not run.
    if (out_.size() >= limits_.max_in_flight) {
        if (!told_in_flight_)
            spdlog::warn("{}: {} replies unread, over limits.max_in_flight; refusing its requests until it reads",
                         peer_.describe(), out_.size());
        told_in_flight_ = true;
        return queue_reply(op, id, Reply::error(ENOBUFS, std::to_string(out_.size()) + " replies are unread, the most "
                                                         "ifctld holds for one connection (limits.max_in_flight = " +
                                                         std::to_string(limits_.max_in_flight) +
                                                         "); read replies before sending more requests"));
    }
    if (req.op() == proto::Op::Batch) return batch_part(op, id, req);
    if (batch_open_) {
        batch_open_ = false;
        batch_steps_.clear();
        return queue_reply(op, id, Reply::error(EINPROGRESS, "a batch was still open (its last part had "
                                                             "batch-continues); it is discarded and nothing applied"));
    }
    if (req.op() == proto::Op::Subscribe && sub_token_)
        return queue_reply(op, id, Reply::error(EBUSY, "this connection is subscribed already; open another"));
    // A bug or an exhausted resource in one request must not end the daemon.
    Reply r;
    try {
        r = dispatcher_.handle(peer_, req);
    } catch (const std::exception& e) {
        spdlog::error("{}: {} failed inside the daemon: {}", peer_.describe(), proto::op_name(op), e.what());
        r = Reply::error(EIO, std::string("internal error: ") + e.what());
    }
    if (r.wait) return start_wait(id, *r.wait);
    if (r.subscribe) subscribe(id, *r.subscribe);
    queue_reply(op, id, std::move(r));
}

void Session::push(OutFrame f) {
    if (f.event) ++queued_events_;
    out_bytes_ += f.bytes.size();
    budget_.add(peer_.uid, UidBudget::Reply, f.bytes.size());
    out_.push_back(std::move(f));
}

// Event frames arrive while the loop serves someone else: send them soon, but
// not from inside the publisher.
void Session::flush_later() {
    if (flush_posted_ || closed_) return;
    flush_posted_ = true;
    boost::asio::post(sock_.get_executor(), [self = shared_from_this()] {
        self->flush_posted_ = false;
        self->flush();
        self->wait_readable();
    });
}

void Session::subscribe(uint32_t id, const EventBus::Filter& f) {
    sub_id_ = id;
    sub_token_ = dispatcher_.events().subscribe(
        f, [weak = weak_from_this()](const proto::Event& e) {
            if (auto self = weak.lock()) self->deliver(e);
        });
    spdlog::debug("{}: subscribed to events (kinds {:#x}, index {})", peer_.describe(), f.kinds, f.index);
}

void Session::unsubscribe() {
    if (!sub_token_) return;
    dispatcher_.events().unsubscribe(sub_token_);
    sub_token_ = 0;
}

void Session::deliver(const proto::Event& e) {
    if (closed_ || !sub_token_) return;
    const uint16_t op = static_cast<uint16_t>(proto::Op::Subscribe);
    if (queued_events_ >= limits_.max_queued_events) {
        // A reader this far behind is dropped, never waited for: one last frame says why.
        unsubscribe();
        const std::string why = "subscription dropped: more than " + std::to_string(limits_.max_queued_events) +
                                " events were waiting for this client to read them (last seq " +
                                std::to_string(e.seq - 1) + "); subscribe again and re-read the state";
        spdlog::warn("{}: {}", peer_.describe(), why);
        proto::Writer w(op, proto::kFlagEvent, sub_id_, ENOBUFS);
        w.str(wire_type(AttrType::Message), why);
        push({w.finish(), {}, false, true});
        return flush_later();
    }
    proto::Writer w(op, proto::kFlagEvent, sub_id_);
    proto::encode_event(w, e);
    std::vector<uint8_t> frame = w.finish();
    // Straight into the socket when nothing waits before it, so the limit
    // counts only what the client's socket could not take. Never closes here:
    // a failed send is queued and flush() (outside the publisher) deals with it.
    if (out_.empty() && !writing_ &&
        ::send(sock_.native_handle(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
            static_cast<ssize_t>(frame.size()))
        return;
    push({std::move(frame), {}, false, true});
    flush_later();
}

void Session::start_wait(uint32_t id, const Reply::Wait& w) {
    waiting_ = true;
    wait_id_ = id;
    wait_index_ = w.index;
    wait_timeout_ms_ = w.timeout_ms.value_or(0);
    EventBus::Filter f{w.index, proto::kEvFlags | proto::kEvCarrier | proto::kEvLinkRemoved};
    wait_token_ = dispatcher_.events().subscribe(f, [weak = weak_from_this()](const proto::Event& e) {
        auto self = weak.lock();
        if (!self || !self->waiting_) return;
        if (e.kind == proto::kEvLinkRemoved) return self->end_wait(ENODEV, e.name + " was deleted while waiting for it");
        if (self->dispatcher_.ready(self->wait_index_)) self->end_wait(0, {});
    });
    if (w.timeout_ms) {
        wait_timer_ = std::make_unique<boost::asio::steady_timer>(sock_.get_executor());
        wait_timer_->expires_after(std::chrono::milliseconds(*w.timeout_ms));
        wait_timer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || !self->waiting_) return;
            self->end_wait(ETIMEDOUT, "not up with carrier after " + std::to_string(self->wait_timeout_ms_) + " ms");
        });
    }
    watch_hangup();
}

void Session::end_wait(int status, const std::string& message) {
    waiting_ = false;
    dispatcher_.events().unsubscribe(wait_token_);
    wait_token_ = 0;
    if (wait_timer_) wait_timer_->cancel();
    queue_reply(static_cast<uint16_t>(proto::Op::WaitReady), wait_id_, status ? Reply::error(status, message) : Reply{});
    flush_later();
}

// As much of a record as encodes in `room` bytes: its addresses cut short.
proto::Interface Session::fitting(const proto::Interface& i, size_t room) {
    proto::Interface cut = i;
    auto fits = [&](size_t n) {
        cut.addresses.assign(i.addresses.begin(), i.addresses.begin() + static_cast<std::ptrdiff_t>(n));
        proto::Writer w(0, 0, 0);
        try {
            proto::encode_interface(w, cut, true);
        } catch (const std::length_error&) {
            return false;
        }
        return w.size() <= room;
    };
    size_t lo = 0, hi = i.addresses.size();
    while (lo < hi) {
        const size_t mid = (lo + hi + 1) / 2;
        if (fits(mid)) lo = mid;
        else hi = mid - 1;
    }
    fits(lo);
    return cut;
}

void Session::queue_hello(uint32_t id, bool with_snapshot) {
    proto::Writer w(static_cast<uint16_t>(proto::Op::Hello), proto::kFlagReply, id);
    w.u32(wire_type(AttrType::Version), proto::kVersion).str(wire_type(AttrType::Software), kSoftware).u32(wire_type(AttrType::MaxFrame), proto::kMaxFrame);
    // A snapshot that cannot be passed is no failure: the client asks for its reads.
    UniqueFd fd;
    if (with_snapshot) fd = snapshot_reply().fd;
    push({w.finish(), std::move(fd), false});
}

// The current read-only snapshot's descriptor (docs/snapshot.md).
Reply Session::snapshot_reply() {
    Snapshot* s = dispatcher_.snapshot();
    if (!s || !s->usable()) return Reply::error(EOPNOTSUPP, "this ifctld publishes no snapshot");
    Reply r;
    r.fd = UniqueFd(::fcntl(s->fd(), F_DUPFD_CLOEXEC, 0));
    if (!r.fd) return Reply::error(errno, std::string("cannot pass the snapshot: ") + std::strerror(errno));
    return r;
}

void Session::queue_reply(uint16_t op, uint32_t id, Reply r, bool close_after) {
    auto start = [&](int status, const std::string& message) {
        proto::Writer w(op, proto::kFlagReply, id, status);
        if (!message.empty()) w.str(wire_type(AttrType::Message), message.substr(0, 1024));
        if (r.unmanaged) w.u8(wire_type(AttrType::Unmanaged), 1);
        if (r.step_index) w.u32(wire_type(AttrType::StepIndex), *r.step_index);
        if (r.subscribe && !status) w.u64(wire_type(AttrType::EventSeq), dispatcher_.events().last_seq());
        return w;
    };
    proto::Writer w = start(r.status, r.message);
    // Long lists go out as several frames: all but the last carry kFlagMore.
    constexpr size_t kRoom = proto::kMaxFrame - 256;
    const bool details = !r.brief;
    // Appends one record if it fits in what is left of the frame; else leaves w as it was.
    auto append = [&](const proto::Interface& i, bool with_details) {
        const size_t before = w.size();
        try {
            proto::encode_interface(w, i, with_details);
            if (w.size() <= kRoom) return true;
        } catch (const std::length_error&) {
        }
        w.truncate(before);
        return false;
    };
    size_t in_frame = 0;
    for (const proto::Interface& i : r.interfaces) {
        if (append(i, details)) {
            if (details) record_fits(i.index);
            ++in_frame;
            continue;
        }
        if (in_frame > 0) {  // the frame is full: send it and start the next
            std::vector<uint8_t> frame = w.finish();
            proto::set_frame_flags(frame, proto::kFlagReply | proto::kFlagMore);
            push({std::move(frame), {}, false});
            w = start(r.status, r.message);
            in_frame = 0;
            if (append(i, details)) {
                in_frame = 1;
                continue;
            }
        }
        // This record alone is larger than a frame (thousands of addresses, added
        // outside the daemon). A get carries as many of its addresses as fit and
        // says so, so that the interface can still be read, managed and
        // destroyed; a list carries it without its details, so that one crowded
        // interface cannot break listing for everyone.
        if (r.interfaces.size() == 1) {
            w = start(r.status, "the record of " + i.name + " does not fit in a " + std::to_string(proto::kMaxFrame) +
                                    "-byte frame: " + std::to_string(i.addresses.size()) + " addresses, only the first "
                                    "ones are shown");
            append(fitting(i, kRoom - w.size()), details);
            break;
        }
        if (oversized_record_first_seen(i.index))
            spdlog::warn("{}: the record of {} is too large for a frame; listed without its addresses (told once "
                         "until it fits again)", peer_.describe(), i.name);
        append(i, false);
        ++in_frame;
    }
    push({w.finish(), std::move(r.fd), close_after});
    if (close_after) closing_ = true;
}

void Session::flush() {
    while (!out_.empty() && !closed_) {
        OutFrame& f = out_.front();
        iovec iov{f.bytes.data(), f.bytes.size()};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
        if (f.fd) {
            mh.msg_control = cbuf;
            mh.msg_controllen = sizeof cbuf;
            cmsghdr* c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            const int fd = f.fd.get();
            std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        const ssize_t n = ::sendmsg(sock_.native_handle(), &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                if (!writing_) {
                    writing_ = true;
                    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                                     [self = shared_from_this()](const boost::system::error_code& ec) {
                                         self->writing_ = false;
                                         if (ec) return self->close();
                                         self->flush();
                                         self->wait_readable();
                                     });
                }
                return;
            }
            return close();  // EPIPE and the like: the client is gone
        }
        const bool close_after = f.close_after;
        if (f.event) --queued_events_;
        const size_t sent = f.bytes.size();
        out_.pop_front();
        out_bytes_ -= sent;
        budget_.sub(peer_.uid, UidBudget::Reply, sent);
        if (close_after) return close();
    }
    if (out_.empty() && closing_) close();
}

bool Session::over_reply_budget() {
    if (out_bytes_ >= limits_.max_reply_bytes) return true;  // flush() resumes reading as it sends
    // A connection with nothing waiting may always read: its uid's other
    // connections must not starve it (a client draining them one by one).
    if (out_bytes_ == 0 || peer_.is_root() || budget_.held(peer_.uid, UidBudget::Reply) < limits_.max_reply_bytes_per_uid) return false;
    // Over its uid's budget: another connection's replies must drain first.
    if (!uid_wake_pending_) {
        uid_wake_pending_ = true;
        budget_.wake_when_drained(peer_.uid, [weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->uid_wake_pending_ = false;
                self->wait_readable();
            }
        });
    }
    return true;
}

// While a wait is pending nothing is read from the client (a request it sends
// meanwhile waits for the answer), so a client that closes must be noticed
// apart: by the hang-up itself, which reading would otherwise have seen.
void Session::watch_hangup() {
    if (closed_ || !waiting_) return;
    pollfd p{sock_.native_handle(), 0, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR))) {
        spdlog::debug("{}: closed its connection while waiting", peer_.describe());
        return close();
    }
    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_error,
                     [weak = weak_from_this()](const boost::system::error_code& ec) {
                         auto self = weak.lock();
                         if (!ec && self) self->watch_hangup();
                     });
}

}  // namespace ifctl::daemon
