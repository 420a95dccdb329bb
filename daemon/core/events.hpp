// The daemon's event bus: events about interfaces (proto::Event), numbered
// daemon-wide, handed to every subscriber whose filter matches. A subscriber is
// a callback; the session behind it keeps its own bounded queue (a slow reader
// is dropped there), so publishing never waits for anyone.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "libifctl/protocol/event.hpp"

namespace ifctl::daemon {

class EventBus {
public:
    struct Filter {
        uint32_t index = 0;  // 0: every interface
        uint32_t kinds = proto::kDefaultEvents;  // without event-kinds: the kinds every client knows
    };
    using Sink = std::function<void(const proto::Event&)>;
    using Token = uint64_t;

    Token subscribe(Filter f, Sink s);
    // Safe to call from inside a sink, for itself or another.
    void unsubscribe(Token t);

    // Numbers the event (seq) and hands it to the matching subscribers.
    void publish(proto::Event e);

    uint64_t last_seq() const { return seq_; }
    size_t subscribers() const { return subs_.size(); }

private:
    struct Sub {
        Filter filter;
        Sink sink;
    };
    std::map<Token, Sub> subs_;
    Token next_ = 1;
    uint64_t seq_ = 0;
};

}  // namespace ifctl::daemon
