// Catch2's runner for the integration tests, built once (the catch_main
// library in tests/integration/meson.build) and linked into each of them.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdio>
#include <exception>

#include "support/dir_verdict.hpp"  // a failed test case keeps its daemon directory
#include "support/test_main.hpp"

namespace ifctl::test {

int run_catch_as_root(int argc, char** argv, const std::function<int()>& setup) {
    if (const int rc = root_in_private_netns()) return rc;
    try {
        if (setup)
            if (const int rc = setup()) return rc;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, e.what());
        return 1;
    }
    return Catch::Session().run(argc, argv);
}

}  // namespace ifctl::test
