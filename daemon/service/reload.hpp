// Reading the configuration file again while serving: the reload request and
// SIGHUP (systemctl reload).
#pragma once

#include <string>

namespace ifctl::daemon {

class Dispatcher;

// Re-reads the configuration file for its [policy]: all or nothing. Other
// sections take effect at the next start (the socket, limits and state
// directory are in use). Returns 0 or EINVAL, with what happened in `message`.
int reload_policy(const std::string& given, Dispatcher& dispatcher, std::string& message);

// The configuration file's log level applies at once; a level given on the
// command line (cli_level not empty) is not overridden.
void reload_log_level(const std::string& config_file, const std::string& cli_level);

}  // namespace ifctl::daemon
