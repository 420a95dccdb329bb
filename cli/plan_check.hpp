// What can be checked about a plan before talking to the daemon, so that a
// plan that cannot run changes nothing.
#pragma once

#include <cstdint>
#include <string>

#include "grammar.hpp"

namespace ifctl::cli {

// kExitOk, or the exit status with `error` to print: kExitFailed for a feature
// this ifctld lacks yet, kExitUsage for an unknown user.
int check_plan(const Plan& plan, std::string& error);

// A user name or a numeric uid.
bool resolve_user(const std::string& user, uint32_t& uid);
// A group name or a numeric gid.
bool resolve_group(const std::string& group, uint32_t& gid);

}  // namespace ifctl::cli
