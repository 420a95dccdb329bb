// Client-supplied text (interface names, labels, descriptions, a process's
// comm) on its way into the plain log (stderr, syslog) and the audit trail:
// control characters and bytes that are not printable UTF-8 become \xNN, so a
// name cannot end a log line, forge another or drive the reader's terminal;
// and one value is cut to a bounded length. journald fields keep the raw bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ifctl::daemon {

// `text` with every byte below 0x20, 0x7f, each C1 control (U+0080..U+009F) and
// each byte of an invalid UTF-8 sequence written as \xNN.
std::string escape_log_text(std::string_view text);

// `text` cut to at most `max` bytes (at a UTF-8 boundary), with
// " ... (N more bytes)" said when cut.
std::string bounded(std::string_view text, size_t max);

}  // namespace ifctl::daemon
