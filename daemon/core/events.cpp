#include "events.hpp"

#include <vector>

namespace ifctl::daemon {

EventBus::Token EventBus::subscribe(Filter f, Sink s) {
    const Token t = next_++;
    subs_.emplace(t, Sub{f, std::move(s)});
    return t;
}

void EventBus::unsubscribe(Token t) { subs_.erase(t); }

void EventBus::publish(proto::Event e) {
    e.seq = ++seq_;
    // Sinks may unsubscribe (themselves or others) while we walk: walk a copy of the keys.
    std::vector<Token> tokens;
    tokens.reserve(subs_.size());
    for (const auto& [t, _] : subs_) tokens.push_back(t);
    for (Token t : tokens) {
        auto it = subs_.find(t);
        if (it == subs_.end()) continue;
        const Filter& f = it->second.filter;
        if (!(f.kinds & e.kind) || (f.index && f.index != e.index)) continue;
        Sink sink = it->second.sink;  // a copy: the sink may unsubscribe itself
        sink(e);
    }
}

}  // namespace ifctl::daemon
