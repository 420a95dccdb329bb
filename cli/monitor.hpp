// ifctl monitor [NAME]: subscribes to the daemon's events and prints one line
// each (text or --json) until SIGINT/SIGTERM (exit 0), or until the daemon
// drops the subscription or goes away (exit 1, with the reason).
#pragma once

#include "command_line.hpp"
#include "libifctl/src/connection.hpp"

namespace ifctl::cli {

int run_monitor(client::Connection& c, const Options& o, uint32_t kinds);

}  // namespace ifctl::cli
