// Applying a parsed Plan through a daemon connection, left to right, stopping
// at the first failure (as ifconfig does). Errors go to stderr.
#pragma once

#include <string>

#include "command_line.hpp"
#include "grammar.hpp"
#include "libifctl/src/connection.hpp"

namespace ifctl::cli {

// Checks what can be checked without the daemon (features this ifctld lacks,
// unknown users), so that a plan that cannot run changes nothing. Returns
// kExitOk, or the exit status with `error` to print.
int check_plan(const Plan& plan, std::string& error);

// Applies the plan; returns the exit status. Prints the new name (or its JSON
// record with --json) when `create` was asked for a name without unit.
int apply_plan(client::Connection& c, const Plan& plan, const Options& o);

}  // namespace ifctl::cli
