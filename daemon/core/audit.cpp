#include "audit.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "daemon/core/log_text.hpp"
#include "daemon/core/registry.hpp"

namespace ifctl::daemon {

namespace {

// stderr is connected to the journal (systemd sets JOURNAL_STREAM=DEV:INODE
// for exactly that descriptor): send fields, not a line to be parsed back.
bool to_journal() {
    static const bool yes = [] {
        const char* js = std::getenv("JOURNAL_STREAM");
        if (!js) return false;
        unsigned long long dev = 0, ino = 0;
        struct stat st {};
        return std::sscanf(js, "%llu:%llu", &dev, &ino) == 2 && ::fstat(2, &st) == 0 && st.st_dev == dev &&
               st.st_ino == ino;
    }();
    return yes;
}

const char* result_name(AuditResult r) {
    switch (r) {
        case AuditResult::Ok: return "ok";
        case AuditResult::Refused: return "refused";
        case AuditResult::Failed: return "failed";
    }
    return "?";
}

// key=value (logfmt), the value escaped (log_text.hpp) and bounded, quoted
// when it has spaces, quotes or escapes or is empty.
void field(std::string& out, const char* key, const std::string& raw) {
    const std::string v = escape_log_text(bounded(raw, kAuditFieldMax));
    out += ' ';
    out += key;
    out += '=';
    if (!v.empty() && v.find_first_of(" \"\\") == std::string::npos) {
        out += v;
        return;
    }
    out += '"';
    for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

std::string addresses(const proto::Interface& k) {
    std::string s;
    size_t n = 0;
    for (const proto::Address& a : k.addresses) {
        if (n++ == kAuditAddressesMax) {
            s += ",... and " + std::to_string(k.addresses.size() - kAuditAddressesMax) + " more";
            break;
        }
        s += (s.empty() ? "" : ",") + proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix);
    }
    return s.empty() ? "none" : s;
}

// journald keeps the raw bytes of a field, bounded as the line's are.
std::string raw(const std::string& v) { return bounded(v, kAuditFieldMax); }

}  // namespace

std::string audit_state(AuditField field, const proto::Interface* k, const Managed* m) {
    if (field == AuditField::Presence)
        return k ? "present index=" + std::to_string(k->index) + " owner=" + std::to_string(m ? m->owner : 0) : "absent";
    if (!k) return "absent";
    char hex[16];
    switch (field) {
        case AuditField::Flags:
            std::snprintf(hex, sizeof hex, "0x%x", k->flags);
            return std::string("flags=") + hex;
        case AuditField::Mtu: return "mtu=" + std::to_string(k->mtu);
        case AuditField::Metric: return "metric=" + std::to_string(m ? m->metric : 0);
        case AuditField::Lladdr: return "lladdr=" + proto::format_lladdr(k->lladdr);
        case AuditField::Txqlen: return "txqlen=" + std::to_string(k->txqlen);
        case AuditField::Addresses: return "addresses=" + addresses(*k);
        case AuditField::Name: return "name=" + k->name;
        case AuditField::Multicast: {
            std::string s;
            if (m)
                for (const auto& mac : m->multicast.all())
                    s += (s.empty() ? "" : ",") + proto::format_lladdr(std::vector<uint8_t>(mac.begin(), mac.end()));
            return "multicast=" + (s.empty() ? std::string("none") : s);
        }
        case AuditField::Queues: return "queues=" + std::to_string(k->queues);
        case AuditField::Owner: return "owner=" + std::to_string(m ? m->owner : 0);
        default: return {};
    }
}

std::string audit_line(const AuditRecord& r) {
    std::string s = "audit:";
    field(s, "result", result_name(r.result));
    s += " uid=" + std::to_string(r.peer->uid) + " pid=" + std::to_string(r.peer->pid);
    field(s, "comm", r.peer->comm.empty() ? "?" : r.peer->comm);
    field(s, "op", r.op);
    field(s, "interface", r.interface.empty() ? "-" : r.interface);
    field(s, "before", r.before);
    field(s, "after", r.after);
    if (r.result != AuditResult::Ok) {
        field(s, "errno", strerrorname_np(r.error) ? strerrorname_np(r.error) : std::to_string(r.error));
        field(s, "message", r.message);
    }
    field(s, "rule", r.rule);
    return s;
}

void audit(const AuditRecord& r) {
    const int priority = r.result == AuditResult::Ok ? LOG_INFO : LOG_WARNING;
    if (to_journal()) {
        const char* err = r.error ? strerrorname_np(r.error) : nullptr;
        sd_journal_send("MESSAGE=%s", audit_line(r).c_str(), "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=ifctld",
                        "IFCTL_AUDIT=%s", result_name(r.result), "IFCTL_UID=%u", static_cast<unsigned>(r.peer->uid),
                        "IFCTL_GID=%u", static_cast<unsigned>(r.peer->gid), "IFCTL_PID=%d", static_cast<int>(r.peer->pid),
                        "IFCTL_COMM=%s", raw(r.peer->comm).c_str(), "IFCTL_OP=%s", r.op.c_str(), "IFCTL_INTERFACE=%s",
                        raw(r.interface).c_str(), "IFCTL_BEFORE=%s", raw(r.before).c_str(), "IFCTL_AFTER=%s",
                        raw(r.after).c_str(), "IFCTL_ERRNO=%s", err ? err : "0", "IFCTL_REASON=%s",
                        raw(r.message).c_str(), "IFCTL_RULE=%s", raw(r.rule).c_str(), nullptr);
        return;
    }
    if (priority == LOG_INFO) spdlog::info("{}", audit_line(r));
    else spdlog::warn("{}", audit_line(r));
}

}  // namespace ifctl::daemon
