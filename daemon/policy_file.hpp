// Reads the [policy] section of ifctl.conf(5) into a Policy (daemon/core/policy.hpp).
#pragma once

#include <toml++/toml.h>

#include <string>

#include "daemon/core/policy.hpp"

namespace ifctl::daemon {

// `section` is the [policy] table of `path`. Returns an empty string on success,
// else "FILE:LINE:COLUMN: what is wrong".
std::string read_policy(const std::string& path, const toml::table& section, Policy& out);

}  // namespace ifctl::daemon
