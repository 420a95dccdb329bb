// Reads and waits: list, get, subscribe, wait-ready; and reload, the daemon's
// configuration read again.
#include "daemon/core/handlers/support.hpp"

#include <linux/if.h>

namespace ifctl::daemon::detail {

using proto::AttrType;
using proto::Op;

namespace {

bool brief(const Ctx& c) { return c.req.has(AttrType::Brief) && c.req.get(AttrType::Brief).as_u8(); }

bool is_ready(const proto::Interface* k) { return k && (k->flags & IFF_UP) && k->carrier; }

}  // namespace

Reply do_list(Ctx& c) {
    Reply r;
    r.brief = brief(c);
    for (const proto::Interface* k : c.kernel.all()) r.interfaces.push_back(view_for(c, *k, !r.brief));
    return r;
}

Reply do_get(Ctx& c) {
    Reply r;
    r.brief = brief(c);
    r.interfaces.push_back(view_for(c, *c.target.record, !r.brief));
    return r;
}

// Subscribe: checks the filter; the session does the subscribing.
Reply do_subscribe(Ctx& c) {
    EventBus::Filter f;
    // Known kinds, and at most one of name and index: the schema's rules.
    if (c.req.has(AttrType::EventKinds)) f.kinds = c.req.get(AttrType::EventKinds).as_u32();
    if (c.req.has(AttrType::Name)) {
        const std::string name(c.req.get(AttrType::Name).as_str());
        const proto::Interface* k = c.kernel.find(name);
        if (!k) return Reply::error(ENODEV, "no interface named " + name);
        f.index = k->index;
    } else if (c.req.has(AttrType::Index)) {
        f.index = c.req.get(AttrType::Index).as_u32();
        if (!c.kernel.find(f.index)) return Reply::error(ENODEV, "no interface with index " + std::to_string(f.index));
    }
    Reply r;
    r.subscribe = f;
    return r;
}

// WaitReady: answers now if the interface is up with carrier, else the session waits.
Reply do_wait_ready(Ctx& c) {
    if (is_ready(c.target.record)) return ok();
    Reply::Wait w{c.target.record->index, {}};
    if (c.req.has(AttrType::TimeoutMs)) w.timeout_ms = c.req.get(AttrType::TimeoutMs).as_u32();
    if (w.timeout_ms == 0u) return Reply::error(ETIMEDOUT, c.target.name + " is not up with carrier");
    Reply r;
    r.wait = w;
    return r;
}

Reply do_reload(Ctx& c) {
    if (!c.reloader) return Reply::error(EOPNOTSUPP, "this ifctld cannot reload its configuration");
    Reply r;
    r.status = c.reloader(r.message);
    return r;
}

}  // namespace ifctl::daemon::detail

namespace ifctl::daemon {

using proto::AttrType;
using namespace detail;

bool Dispatcher::ready(uint32_t index) { return is_ready(kernel_.find(index)); }

}  // namespace ifctl::daemon
