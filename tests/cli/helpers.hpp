// Shared helpers for the ifctl unit tests.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "grammar.hpp"

namespace ifctl::cli::test {

// Parses "NAME KEYWORD ..." (split on spaces); the parse must succeed.
inline Plan plan_of(const std::vector<std::string>& words) {
    Plan p;
    std::string error;
    INFO("words: " << words.front());
    REQUIRE(parse_words(words, p, error));
    CHECK(error.empty());
    return p;
}

// The parse must fail (a usage error: exit status 2); returns the message.
inline std::string usage_error_of(const std::vector<std::string>& words) {
    Plan p;
    std::string error;
    REQUIRE_FALSE(parse_words(words, p, error));
    return error;
}

// A copy: callers often pass a temporary plan.
template <class T>
T only_op(const Plan& p) {
    REQUIRE(p.actions.size() == 1);
    const T* t = std::get_if<T>(&p.actions[0].op);
    REQUIRE(t != nullptr);
    return *t;
}

}  // namespace ifctl::cli::test
