#include "session.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/passed_fds.hpp"
#include "libifctl/protocol/wire.hpp"

namespace ifctl::daemon {

using proto::A;

namespace {
constexpr size_t kMaxFdsPerFrame = 8;  // room to receive (and close) stray descriptors
constexpr int kReadBurst = 64;         // frames read per wake-up before yielding to others
constexpr const char* kSoftware = "ifctld " IFCTL_VERSION_STRING;
uint16_t t(A a) { return static_cast<uint16_t>(a); }
}  // namespace

// One byte more than the largest frame: a longer one shows up as MSG_TRUNC.
std::vector<uint8_t> Session::inbuf_(proto::kMaxFrame + 1);

Session::Session(boost::asio::io_context& io, int fd, Peer peer, Dispatcher& dispatcher, const SessionLimits& limits,
                 std::function<void(Session*)> on_close, std::optional<Reply> refusal)
    : sock_(io, fd),
      hello_timer_(io),
      refusal_(std::move(refusal)),
      peer_(std::move(peer)),
      dispatcher_(dispatcher),
      limits_(limits),
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
    boost::system::error_code ec;
    hello_timer_.cancel();
    sock_.cancel(ec);
    sock_.close(ec);
    // What this connection held (multicast memberships, flag references) goes with it.
    try {
        dispatcher_.client_closed(peer_);
    } catch (const std::exception& e) {
        spdlog::error("{}: dropping its references failed: {}", peer_.describe(), e.what());
    }
    if (on_close_) on_close_(this);
}

void Session::wait_readable() {
    if (reading_ || closing_ || closed_) return;
    if (out_.size() >= limits_.max_queued_replies) return;  // resumed by flush()
    reading_ = true;
    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                         self->reading_ = false;
                         if (ec) return self->close();
                         self->read_available();
                     });
}

void Session::read_available() {
    for (int n = 0; n < kReadBurst && !closing_ && !closed_; ++n) {
        if (out_.size() >= limits_.max_queued_replies) break;
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
            uint32_t id = 0;
            if (got >= 12) std::memcpy(&id, inbuf_.data() + 8, 4);
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
    uint32_t id = 0;
    uint16_t op = 0;
    if (frame.size() >= 12) {
        std::memcpy(&op, frame.data() + 4, 2);
        std::memcpy(&id, frame.data() + 8, 4);
    }
    if (refusal_) return queue_reply(op, id, std::move(*refusal_), true);
    if (had_fds) return queue_reply(op, id, Reply::error(EBADMSG, "requests must not carry file descriptors"));

    proto::Request req;
    if (proto::Error e = proto::validate_request(frame, req)) {
        spdlog::debug("{}: bad request: {}", peer_.describe(), e.message);
        return queue_reply(op, id, Reply::error(e.code, e.message), !hello_done_);
    }
    if (!hello_done_) {
        if (req.op() != proto::Op::Hello)
            return queue_reply(op, id, Reply::error(EPROTO, "the first request must be hello (version exchange)"), true);
        const uint32_t v = req.get(A::Version).as_u32();
        if (v != proto::kVersion)
            return queue_reply(op, id, Reply::error(EPROTONOSUPPORT, "protocol version " + std::to_string(v) +
                                                   " is not supported; this ifctld speaks version " +
                                                   std::to_string(proto::kVersion)), true);
        hello_done_ = true;
        hello_timer_.cancel();
        return queue_hello(id);
    }
    if (req.op() == proto::Op::Hello)
        return queue_reply(op, id, Reply::error(EISCONN, "hello was already exchanged on this connection"));
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
    // A bug or an exhausted resource in one request must not end the daemon.
    Reply r;
    try {
        r = dispatcher_.handle(peer_, req);
    } catch (const std::exception& e) {
        spdlog::error("{}: {} failed inside the daemon: {}", peer_.describe(), proto::op_name(op), e.what());
        r = Reply::error(EIO, std::string("internal error: ") + e.what());
    }
    queue_reply(op, id, std::move(r));
}

void Session::queue_hello(uint32_t id) {
    proto::Writer w(static_cast<uint16_t>(proto::Op::Hello), proto::kFlagReply, id);
    w.u32(t(A::Version), proto::kVersion).str(t(A::Software), kSoftware).u32(t(A::MaxFrame), proto::kMaxFrame);
    out_.push_back({w.finish(), {}, false});
}

void Session::queue_reply(uint16_t op, uint32_t id, Reply r, bool close_after) {
    auto start = [&](int status, const std::string& message) {
        proto::Writer w(op, proto::kFlagReply, id, status);
        if (!message.empty()) w.str(t(A::Message), message.substr(0, 1024));
        if (r.unmanaged) w.u8(t(A::Unmanaged), 1);
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
            ++in_frame;
            continue;
        }
        if (in_frame > 0) {  // the frame is full: send it and start the next
            std::vector<uint8_t> frame = w.finish();
            const uint16_t flags = proto::kFlagReply | proto::kFlagMore;
            std::memcpy(frame.data() + 6, &flags, 2);
            out_.push_back({std::move(frame), {}, false});
            w = start(r.status, r.message);
            in_frame = 0;
            if (append(i, details)) {
                in_frame = 1;
                continue;
            }
        }
        // This record alone is larger than a frame (thousands of addresses). A get
        // of it fails; a list carries it without its details, so that one crowded
        // interface cannot break listing for everyone.
        if (r.interfaces.size() == 1) {
            w = start(E2BIG, "the record of " + i.name + " does not fit in a " + std::to_string(proto::kMaxFrame) +
                                 "-byte frame (too many addresses)");
            break;
        }
        spdlog::warn("{}: the record of {} is too large for a frame; listed without its addresses", peer_.describe(),
                     i.name);
        append(i, false);
        ++in_frame;
    }
    out_.push_back({w.finish(), std::move(r.fd), close_after});
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
        out_.pop_front();
        if (close_after) return close();
    }
    if (out_.empty() && closing_) close();
}

}  // namespace ifctl::daemon
