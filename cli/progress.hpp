// Progress of a long batch (ifctl -f) on standard error: lines prepared and
// the steps (daemon requests) they make, their rate, then the wait for ifctld
// to apply them, and what was applied. Shown only on a terminal and only for
// more than kMinLines lines, so scripts and logs never see it.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace ifctl::cli {

class Progress {
public:
    static constexpr size_t kMinLines = 100;

    // `enabled`: stderr is a terminal. `label` names the file.
    Progress(std::ostream& out, std::string label, size_t total, bool enabled);

    void prepared(size_t lines, size_t steps);  // redraws at most ten times a second
    void applying(size_t steps);                // every line prepared: the daemon's turn
    void done(size_t steps);                    // steps applied: the final counts and rate, then a newline
    void abandon();                             // ends the line before an error message

    bool shown() const { return on_; }
    // "1000 lines, 2400 steps applied in 0.50 s (4800 steps/s)"
    static std::string summary(size_t lines, size_t steps, double seconds);

private:
    void draw(const std::string& text);

    std::ostream& out_;
    std::string label_;
    size_t total_;
    bool on_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace ifctl::cli
