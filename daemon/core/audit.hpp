// The audit trail: one record per change request (accepted, refused or failed)
// with who asked (uid, pid, program), what, on which interface, and the
// interface's relevant state before and after. Under systemd the record goes to
// the journal with IFCTL_* fields (sd_journal_send); otherwise it is one
// key=value line through spdlog (stderr or syslog), client text escaped.
#pragma once

#include <string>

#include "daemon/core/operations.hpp"
#include "daemon/core/peer.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::daemon {

struct Managed;

enum class AuditResult { Ok, Refused, Failed };

// What one record may write: each value at most kAuditFieldMax bytes (a
// refusal's message included), an address list at most kAuditAddressesMax
// addresses ("... and N more"). So a record stays well under a log line's and
// a journal entry's limits however many addresses an interface holds.
inline constexpr size_t kAuditFieldMax = 1024;
inline constexpr size_t kAuditAddressesMax = 16;

struct AuditRecord {
    AuditResult result = AuditResult::Ok;
    const Peer* peer = nullptr;
    std::string op;         // "set-mtu"
    std::string interface;  // as the client named it; empty for list-less ops such as reload
    std::string before, after;  // "mtu=1500" -> "mtu=1400"
    int error = 0;          // positive errno for Refused/Failed
    std::string message;    // the reply's message
    std::string rule;       // which policy grant decided ("root", "rule \"lab\" (FILE:LINE)")
};

// The part of an interface's state an operation changes (its descriptor's
// audit field, operations.hpp), as audit text.
std::string audit_state(AuditField field, const proto::Interface* kernel, const Managed* managed);

// Writes the record (journald fields or one structured line).
void audit(const AuditRecord& r);

// The single log line for `r`, also used when the journal is not in use.
std::string audit_line(const AuditRecord& r);

}  // namespace ifctl::daemon
