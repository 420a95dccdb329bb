#include "progress.hpp"

#include <cstdio>

namespace ifctl::cli {

using Clock = std::chrono::steady_clock;

namespace {

double per_second(size_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0.0; }

}  // namespace

Progress::Progress(std::ostream& out, std::string label, size_t total, bool enabled)
    : out_(out), label_(std::move(label)), total_(total), on_(enabled && total > kMinLines),
      start_(Clock::now()), last_(start_) {}

std::string Progress::summary(size_t lines, size_t steps, double seconds) {
    char b[128];
    std::snprintf(b, sizeof b, "%zu lines, %zu steps applied in %.2f s (%.0f steps/s)", lines, steps, seconds,
                  per_second(steps, seconds));
    return b;
}

void Progress::draw(const std::string& text) {
    // \r and "erase to end of line": one line rewritten in place.
    out_ << "\r\033[K" << "ifctl: " << label_ << ": " << text << std::flush;
    drawn_ = true;
}

void Progress::prepared(size_t lines, size_t steps) {
    if (!on_) return;
    const auto now = Clock::now();
    if (lines != total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    char b[128];
    std::snprintf(b, sizeof b, "%zu/%zu lines prepared, %zu steps (%.0f steps/s)", lines, total_, steps,
                  per_second(steps, s));
    draw(b);
}

void Progress::applying(size_t steps) {
    if (on_)
        draw(std::to_string(total_) + " lines, " + std::to_string(steps) +
             " steps sent; ifctld applies them as one transaction...");
}

void Progress::done(size_t steps) {
    if (!on_) return;
    draw(summary(total_, steps, std::chrono::duration<double>(Clock::now() - start_).count()));
    out_ << "\n";
    drawn_ = false;
}

void Progress::abandon() {
    if (on_ && drawn_) out_ << "\r\033[K" << std::flush;
    drawn_ = false;
}

}  // namespace ifctl::cli
