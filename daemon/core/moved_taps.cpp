// TAPs moved into other network namespaces (move-netns), where no netlink
// event of the daemon's reaches: the maintenance pass and a stop ask each its
// name through its queue (Tap::ask_name()). A rename there goes into its
// record; a TAP gone there (deleted, or with its namespace) is no longer ours.
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "daemon/core/fdstore.hpp"
#include "daemon/core/persistence.hpp"

namespace ifctl::daemon {

void Persistence::moved_gone(uint64_t unique_id, const Managed& m) {
    spdlog::warn("{} (unique id {}), moved to the network namespace of {}, is gone (deleted there, or with its "
                 "namespace){}",
                 m.tap.name(), unique_id, m.netns, m.persistent ? ": persistent, made again at the next start" : "");
    if (!m.persistent) {
        if (int rc = forget(unique_id); rc < 0)
            spdlog::error("could not remove the record of unique id {}: {}", unique_id, std::strerror(-rc));
        return;
    }
    fdstore_remove(unique_id);  // a queue of no device
    StoredInterface r;
    std::string why;
    int rc = store_.get(unique_id, r, why);
    if (rc == 0) {
        r.netns.clear();
        rc = store_.put(r);
        why = std::strerror(-rc);
    }
    if (rc < 0) spdlog::error("could not record that unique id {} is no longer moved: {}", unique_id, why);
}

void Persistence::watch_moved() {
    for (auto it = registry_.moved().begin(); it != registry_.moved().end();) {
        const int rc = it->second.tap.ask_name();
        if (rc == -EBADFD) {
            moved_gone(it->first, it->second);
            it = registry_.moved().erase(it);
            continue;
        }
        if (rc == 0) follow_rename(it->first, it->second);
        ++it;
    }
}

void Persistence::follow_rename(uint64_t unique_id, Managed& m) {
    const std::string& now = m.tap.name();
    if (now == m.name_on_record) return;
    StoredInterface r;
    std::string why;
    if (store_.get(unique_id, r, why) < 0) {
        // Nothing to bring up to date: said once.
        spdlog::warn("{} (unique id {}) was renamed {} in the network namespace of {}; its record: {}",
                     m.name_on_record, unique_id, now, m.netns, why);
        m.name_on_record = now;
        return;
    }
    r.name = now;
    if (int rc = store_.put(r); rc < 0) {  // tried again by the next pass
        spdlog::warn("{} (unique id {}) was renamed {} in the network namespace of {}, but its record cannot say so: {}",
                     m.name_on_record, unique_id, now, m.netns, std::strerror(-rc));
        return;
    }
    spdlog::info("{} (unique id {}) was renamed {} in the network namespace of {}", m.name_on_record, unique_id, now,
                 m.netns);
    m.name_on_record = now;
}

}  // namespace ifctl::daemon
