// Included once, by catch_main.cpp (Catch2's runner, linked into every
// Catch2 integration test): a Catch2 listener that holds the directories of
// the daemons a test case started (netns_daemon.hpp) until the case ends,
// then removes them if it passed, or keeps them and prints their paths (the
// daemon's log is ifctld.log there) if it failed.
#pragma once

#include <catch2/catch.hpp>

#include "support/netns_daemon.hpp"

namespace ifctl::test {

struct DirVerdict : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testRunStarting(const Catch::TestRunInfo&) override { hold_daemon_dirs(true); }
    // Sections rerun a test case; the verdict is the whole case's.
    void testCaseEnded(const Catch::TestCaseStats& s) override { settle_daemon_dirs(s.totals.assertions.allOk()); }
    // A daemon that outlives the run (a static one) decides for itself: removed at once.
    void testRunEnded(const Catch::TestRunStats& s) override {
        settle_daemon_dirs(s.totals.assertions.allOk());
        hold_daemon_dirs(false);
    }
};
CATCH_REGISTER_LISTENER(DirVerdict)

}  // namespace ifctl::test
