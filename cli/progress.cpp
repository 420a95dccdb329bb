#include "progress.hpp"

#include <cstdio>

namespace ifctl::cli {

using Clock = std::chrono::steady_clock;

Progress::Progress(std::ostream& out, std::string label, size_t total, bool enabled)
    : out_(out), label_(std::move(label)), total_(total), on_(enabled && total > kMinLines),
      start_(Clock::now()), last_(start_) {}

std::string Progress::summary(size_t lines, double seconds) {
    char b[96];
    const double rate = seconds > 0 ? lines / seconds : 0;
    std::snprintf(b, sizeof b, "%zu lines in %.2f s (%.0f lines/s)", lines, seconds, rate);
    return b;
}

void Progress::draw(const std::string& text) {
    // \r and "erase to end of line": one line rewritten in place.
    out_ << "\r\033[K" << "ifctl: " << label_ << ": " << text << std::flush;
    drawn_ = true;
}

void Progress::prepared(size_t done) {
    if (!on_) return;
    const auto now = Clock::now();
    if (done != total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    char b[96];
    std::snprintf(b, sizeof b, "%zu/%zu lines prepared (%.0f lines/s)", done, total_, s > 0 ? done / s : 0.0);
    draw(b);
}

void Progress::applying() {
    if (on_) draw(std::to_string(total_) + " lines sent; ifctld applies them as one transaction...");
}

void Progress::done() {
    if (!on_) return;
    draw(summary(total_, std::chrono::duration<double>(Clock::now() - start_).count()) + ", applied");
    out_ << "\n";
    drawn_ = false;
}

void Progress::abandon() {
    if (on_ && drawn_) out_ << "\r\033[K" << std::flush;
    drawn_ = false;
}

}  // namespace ifctl::cli
