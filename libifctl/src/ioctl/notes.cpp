#include "notes.hpp"
#include "libifctl/src/environment.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace ifctl::ioctl_layer {
namespace {

void vnote(const char* fmt, va_list ap) {
    // One write per line as far as stdio allows, so lines of threads do not mix.
    char line[512];
    std::vsnprintf(line, sizeof line, fmt, ap);
    std::fprintf(stderr, "%s\n", line);
}

}  // namespace

void note(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vnote(fmt, ap);
    va_end(ap);
}

void debug_note(const char* fmt, ...) {
    if (!ifctl::client::ifctl_env("IFCTL_DEBUG")) return;
    va_list ap;
    va_start(ap, fmt);
    vnote(fmt, ap);
    va_end(ap);
}

}  // namespace ifctl::ioctl_layer
