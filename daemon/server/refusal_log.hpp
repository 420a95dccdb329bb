// Connections refused at accept, told in few lines: within each interval the
// first refusal of a uid gets its full audit record, the others are only
// counted, and one summary line per uid says how many followed. A client that
// reconnects in a loop writes two lines per interval, not one per attempt.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <string>

#include "daemon/core/peer.hpp"

namespace ifctl::daemon {

class RefusalLog {
public:
    explicit RefusalLog(boost::asio::io_context& io, std::chrono::seconds interval = std::chrono::seconds(10))
        : timer_(io), interval_(interval) {}
    // `rule` names the limit ("limits.max_connections_per_uid").
    void refused(const Peer& peer, int err, const std::string& message, const std::string& rule);
    void stop() { timer_.cancel(); }

private:
    void summarize();

    boost::asio::steady_timer timer_;
    std::chrono::seconds interval_;
    struct Quiet {
        size_t count = 0;  // refusals after the audited one, this interval
        std::string rule;
    };
    std::map<uid_t, Quiet> this_interval_;  // a uid is here once its first refusal was audited
    bool armed_ = false;
};

}  // namespace ifctl::daemon
