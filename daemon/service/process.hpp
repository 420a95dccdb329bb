// What ifctld does to its own process before it serves: the descriptor limit,
// the state directory's lock, the log pattern, detaching from the terminal.
#pragma once

#include <string>

namespace ifctl::daemon {

// Many TAPs means many descriptors: take what the hard limit allows.
void raise_fd_limit();

// One daemon per state directory: a second one would fight over the same TAPs.
// Returns the lock's descriptor, to be held for the life of the process.
int lock_state_dir(const std::string& dir);

// The terminal logger's pattern, with the pid written in once.
void set_log_pattern();

// Detaches from the terminal; the parent exits once the child is serving.
// Returns the descriptor the child writes one byte (1) to when it serves.
int daemonize();

}  // namespace ifctl::daemon
