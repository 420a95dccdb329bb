#include "refusal_log.hpp"

#include <spdlog/spdlog.h>

#include "daemon/core/audit.hpp"

namespace ifctl::daemon {

void RefusalLog::refused(const Peer& peer, int err, const std::string& message, const std::string& rule) {
    auto [it, first] = this_interval_.try_emplace(peer.uid);
    if (!first) {
        ++it->second.count;
        return;
    }
    it->second.rule = rule;
    AuditRecord rec;
    rec.result = AuditResult::Refused;
    rec.peer = &peer;
    rec.op = "connect";
    rec.error = err;
    rec.message = message;
    rec.rule = rule;
    audit(rec);
    if (armed_) return;
    armed_ = true;
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        armed_ = false;
        if (!ec) summarize();
    });
}

void RefusalLog::summarize() {
    for (const auto& [uid, q] : this_interval_)
        if (q.count)
            spdlog::warn("refused {} more connection(s) from uid {} in the last {} s ({})", q.count, uid,
                         interval_.count(), q.rule);
    this_interval_.clear();
}

}  // namespace ifctl::daemon
