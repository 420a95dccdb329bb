// libFuzzer target: the ifctl command line and its ifconfig keyword grammar.
// The input is split into words at NUL bytes (as argv arrives); the options
// parser and the grammar must accept or refuse with a message, never crash.
// Pure code: nothing here touches the system.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/grammar.hpp"

using namespace ifctl::cli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> words;
    std::string cur;
    for (size_t i = 0; i < size && words.size() < 64; ++i) {
        if (data[i] == 0) {
            words.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(static_cast<char>(data[i]));
        }
    }
    if (words.size() < 64) words.push_back(cur);

    for (const std::string& w : words) (void)keyword_arity(w);

    // The options parser (CLI11) costs fifty times the grammar per call; giving it
    // one input in eight keeps executions fast where most of the logic is.
    if (size > 0 && data[0] % 8 == 0) {
        Options opts;
        std::string message;
        const auto status = parse_command_line(words, "0.0.0-fuzz", opts, message);
        if (status && *status != kExitOk && message.empty()) __builtin_trap();  // a refusal always says why
    }

    Plan plan;
    std::string error;
    if (!parse_words(words, plan, error)) {
        if (error.empty()) __builtin_trap();
    } else if (!words.empty() && plan.name != words[0]) {
        __builtin_trap();  // the plan is about the interface named first
    }
    return 0;
}
