// The read commands: one interface, or the list filtered by -u/-d, as text,
// names (-l) or JSON.
#pragma once

#include <string>

#include "command_line.hpp"
#include "libifctl/src/connection.hpp"

namespace ifctl::cli {

int show_interface(client::Connection& c, const std::string& name, const Options& o);
int show_list(client::Connection& c, const Options& o);
// ifctl -C: the kinds of interface create can make.
int show_cloners(const Options& o);

}  // namespace ifctl::cli
