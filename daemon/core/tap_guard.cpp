#include "tap_guard.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include "daemon/core/registry.hpp"
#include "daemon/kernel/kernel.hpp"

namespace ifctl::daemon {
namespace {

// What one TAP's checks find, and which TAP they are about.
struct Findings {
    uint32_t index = 0;
    std::string name;
    std::vector<TapFinding>& items;
};

std::string id_text(const std::optional<uint32_t>& id) { return id ? std::to_string(*id) : "none"; }

void found(Findings& out, std::string line) {
    spdlog::warn("{}", line);
    out.items.push_back({out.index, out.name, std::move(line)});
}

// The kernel owner and group must be root's (Tap::restrict_to_root).
void check_owner(Managed& m, const std::string& name, const TunState& st, Findings& out) {
    if (st.owner == 0u && st.group == 0u) return;
    std::string line = name + ": its kernel owner or group was changed behind ifctld's back (owner " +
                       id_text(st.owner) + ", group " + id_text(st.group) + ")";
    if (int rc = m.tap.restrict_to_root(); rc < 0) line += "; could not set them back to root: " + std::string(std::strerror(-rc));
    else line += "; set back to root";
    found(out, line);
}

// IFF_PERSIST keeps the TAP through a daemon crash; the daemon set it.
void check_persist(Managed& m, const std::string& name, const TunState& st, Findings& out) {
    if (!m.tap.persist() || st.persist) return;
    std::string line = name + ": its persist flag was cleared behind ifctld's back";
    if (int rc = m.tap.set_persist(true); rc < 0) line += "; could not set it again: " + std::string(std::strerror(-rc));
    else line += "; set again";
    found(out, line);
}

// Client queues (all but the daemon's own) beyond what the TAP was made for,
// reported once per count.
void check_queues(Managed& m, const std::string& name, const TunState& st, Findings& out) {
    const uint32_t total = st.queues + st.queues_detached;
    const uint32_t clients = total > 0 ? total - 1 : 0;
    if (clients <= m.max_queues) {
        m.queues_reported = 0;
        return;
    }
    if (clients == m.queues_reported) return;
    m.queues_reported = clients;
    found(out, name + ": " + std::to_string(clients) + " client queues are attached, more than the " +
                   std::to_string(m.max_queues) + " it was made for: some were attached behind ifctld's back");
}

}  // namespace

std::vector<TapFinding> guard_taps(Kernel& kernel, Registry& registry) {
    std::vector<TapFinding> items;
    for (auto& [index, m] : registry.all()) {
        if (!m.netns.empty() || m.tap.fd() < 0) continue;  // not in our namespace
        const proto::Interface* k = kernel.find(index);
        if (!k) continue;
        TunState st;
        if (int rc = kernel.tun().read_state(index, st); rc < 0) {
            spdlog::debug("{}: cannot read its TUN state: {}", k->name, std::strerror(-rc));
            continue;
        }
        const std::string name = k->name;
        Findings out{index, name, items};
        check_owner(m, name, st, out);
        check_persist(m, name, st, out);
        check_queues(m, name, st, out);
    }
    return items;
}

}  // namespace ifctl::daemon
