// The start every integration test program shares (see docs/testing.md):
// skipped without root, refused outside a private network namespace, then
// the test's own preparation, then its tests.
#pragma once

#include <functional>

namespace ifctl::test {

// 0 when the program may go on: it runs as root (else 77, which meson counts
// as skipped) in a network namespace of its own (else 1, with the reason on
// stderr; meson runs every integration test as `unshare --net -- TEST`).
int root_in_private_netns();

// main() of a Catch2 integration test: root_in_private_netns(), then `setup`
// (the test's preparation: it returns 0 to go on, or the exit status, 77 for
// a skip; an exception fails the run with its message), then the tests.
// Defined in catch_main.cpp, which also registers the DirVerdict listener
// (dir_verdict.hpp) and is the one file that builds Catch2's runner.
int run_catch_as_root(int argc, char** argv, const std::function<int()>& setup = {});

}  // namespace ifctl::test
