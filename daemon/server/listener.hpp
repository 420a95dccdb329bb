// The listening socket: made here (or taken from systemd), accepting clients
// with their credentials and keeping the set of live sessions.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>

#include "daemon/core/dispatch.hpp"
#include "daemon/server/refusal_log.hpp"
#include "daemon/server/session.hpp"
#include "daemon/server/uid_budget.hpp"

namespace ifctl::daemon {

struct SocketOptions {
    std::string path;
    std::string group = "ifctl";  // may connect besides root; mode 0660 if it exists, else 0600
};

// Creates the listening socket: makes its directory, replaces a stale socket
// (nothing answers a connect), refuses if another daemon answers. Throws
// std::runtime_error with a message a person can act on.
int make_listen_socket(const SocketOptions& opts);

class Listener {
public:
    // max_per_uid: connections one uid (other than root) may hold at once; the
    // next one is answered EUSERS and closed at once. reserved_fds: descriptors
    // kept for root, whatever other users hold (the next of theirs is answered
    // EMFILE and closed).
    Listener(boost::asio::io_context& io, int listen_fd, Dispatcher& dispatcher, const SessionLimits& limits,
             size_t max_per_uid = 64, size_t reserved_fds = 64);
    void start();
    void stop();
    size_t sessions() const { return sessions_.size(); }

private:
    void wait_accept();
    void admit(int fd);
    // Answers a connection it will not serve with one frame (id 0, the refusal)
    // and closes it, without a session.
    void refuse(int fd, const Peer& peer, int err, const std::string& message, const std::string& rule);

    boost::asio::io_context& io_;
    boost::asio::posix::stream_descriptor sock_;
    boost::asio::steady_timer backoff_;  // after accept() ran out of descriptors
    Dispatcher& dispatcher_;
    SessionLimits limits_;
    size_t max_per_uid_;
    size_t reserved_fds_;
    size_t fd_limit_ = 0;  // RLIMIT_NOFILE at start
    RefusalLog refusals_;
    UidBudget budget_;
    std::map<Session*, std::shared_ptr<Session>> sessions_;
    std::map<uid_t, size_t> per_uid_;  // live sessions counted against the limit
    UniqueFd netns_mark_;  // libifctl/protocol/netns_mark.hpp, while listening
    uint64_t next_client_ = 0;
    bool stopped_ = false;
};

}  // namespace ifctl::daemon
