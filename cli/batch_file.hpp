// ifctl -f FILE: each line is what would follow "ifctl" on a command line
// ("tap0 inet 10.0.0.1/24 up"); '#' starts a comment, blank lines are skipped,
// and "double quotes" keep spaces in one word (description "uplink to vm1").
// Every line is parsed before anything is sent, so a syntax error anywhere
// changes nothing. Pure: unit-tested without a daemon.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "grammar.hpp"

namespace ifctl::cli {

struct FileLine {
    int number = 0;    // 1-based line number in the file
    std::string text;  // the line without its comment, trimmed
    Plan plan;
};

// Parses the whole input. On an error returns the exit status (kExitUsage for
// syntax, kExitFailed for a feature this ifctld lacks) with `error` as
// "LABEL:LINE: why"; otherwise kExitOk.
int parse_batch_file(std::istream& in, const std::string& label, std::vector<FileLine>& out, std::string& error);

}  // namespace ifctl::cli
