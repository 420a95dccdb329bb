// Bytes the daemon holds for each uid across all its connections: the steps of
// batches still waiting for their last part, and reply frames waiting for the
// client to read them. A session asks before it buffers more; one that stops
// reading because its uid is over budget is woken when the uid drains.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <vector>

namespace ifctl::daemon {

class UidBudget {
public:
    enum Kind { Batch, Reply, kKinds };

    void add(uid_t uid, Kind k, size_t n) { held_[uid].bytes[k] += n; }
    // Gives bytes back; wakes the uid's waiters once its replies are under `reply_limit`.
    void sub(uid_t uid, Kind k, size_t n);
    size_t held(uid_t uid, Kind k) const;

    // Called (once) when the uid's queued replies fall under the limit given
    // to set_reply_limit(); the caller holds only a weak reference to itself in it.
    void wake_when_drained(uid_t uid, std::function<void()> wake) { held_[uid].waiters.push_back(std::move(wake)); }
    void set_reply_limit(size_t bytes) { reply_limit_ = bytes; }

private:
    struct Held {
        size_t bytes[kKinds] = {};
        std::vector<std::function<void()>> waiters;
    };
    std::map<uid_t, Held> held_;
    size_t reply_limit_ = 0;
};

}  // namespace ifctl::daemon
