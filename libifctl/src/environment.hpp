// The library's settings from the environment (IFCTL_SOCKET, IFCTL_PERSONALITY,
// IFCTL_DAEMON_UID, ...). Every IFCTL_* variable is read here, through
// secure_getenv(3): in a set-user-ID or set-group-ID program (or one with file
// capabilities) the variables are ignored, so that whoever starts such a program
// cannot point it at their own daemon, socket or settings.
#pragma once

#include <cstdlib>

namespace ifctl::client {

// The variable's value, or null when it is unset or the program runs in secure mode.
inline const char* ifctl_env(const char* name) { return ::secure_getenv(name); }

}  // namespace ifctl::client
