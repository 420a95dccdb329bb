// The library's lines on standard error: a porter's mistake in the
// environment, said always (once), and what IFCTL_DEBUG asks to be told.
#pragma once

namespace ifctl::ioctl_layer {

// Writes one line to stderr.
void note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Writes one line to stderr when IFCTL_DEBUG is set.
void debug_note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace ifctl::ioctl_layer
