// Where ifctld's log lines go. Under systemd (stderr is the journal's stream,
// $JOURNAL_STREAM) each line is sent to journald as a structured entry:
//   MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=ifctld, IFCTL_LEVEL (trace..critical),
//   IFCTL_TOPIC (the leading "word: " of a line, e.g. "audit" or "state"),
// so that `journalctl IFCTL_TOPIC=audit` finds every audit record.
// Otherwise: stderr in the foreground, syslog once daemonized.
#pragma once

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ifctl::daemon {

// True when stderr is connected to the journal ($JOURNAL_STREAM names its device:inode).
bool stderr_is_journal();

// Makes the default logger send structured entries to journald.
void log_to_journal();

// A logger for the plain log (stderr, syslog): each message reaches `sink`
// with its control characters escaped (daemon/core/log_text.hpp), so that text
// a client chose cannot forge a line or drive a terminal.
std::shared_ptr<spdlog::logger> plain_logger(const std::string& name, spdlog::sink_ptr sink);

// The fields of one entry, "NAME=value" (exposed for tests).
std::vector<std::string> journal_fields(spdlog::level::level_enum level, std::string_view message);

}  // namespace ifctl::daemon
