// Applying a parsed Plan through a daemon connection, left to right, stopping
// at the first failure (as ifconfig does). Errors go to stderr.
#pragma once

#include <string>

#include "command_line.hpp"
#include "batch_file.hpp"
#include "grammar.hpp"
#include "libifctl/src/connection.hpp"

namespace ifctl::cli {

// Applies the plan; returns the exit status. Prints the new name (or its JSON
// record with --json) when `create` was asked for a name without unit.
int apply_plan(client::Connection& c, const Plan& plan, const Options& o);

// ifctl -f: applies every line of a batch file as one transaction (all or
// none). Errors name the file (`label`) and the line. A create by pattern
// prints the name the daemon picked (its record with --json). More than
// Progress::kMinLines lines show progress on standard error when it is a terminal.
int apply_file(client::Connection& c, const std::vector<FileLine>& lines, const std::string& label, const Options& o);

}  // namespace ifctl::cli
