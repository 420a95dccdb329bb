// libFuzzer target: ifctld's configuration parser (TOML, ifctl.conf(5)) on
// arbitrary file contents. The parser reads a path, so the input goes into a
// memfd opened by name (/proc/self/fd/N): no files are left anywhere.
// A file either loads or is refused with a "file:line:col: why" message; a
// refused file must leave the configuration untouched.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/config.hpp"

using ifctl::daemon::Config;

namespace {

int g_fd = -1;
std::string g_path;

bool same(const Config& a, const Config& b) {
    return a.socket_path == b.socket_path && a.socket_group == b.socket_group && a.state_dir == b.state_dir &&
           a.log_level == b.log_level && a.max_queues == b.max_queues &&
           a.max_queued_replies == b.max_queued_replies;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    g_fd = memfd_create("ifctl-fuzz-config", MFD_CLOEXEC);
    if (g_fd < 0) std::abort();
    g_path = "/proc/self/fd/" + std::to_string(g_fd);
    // The embedded defaults, written out, must load.
    const std::string text = ifctl::daemon::default_config_text();
    if (pwrite(g_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) std::abort();
    Config c;
    if (!ifctl::daemon::load_config_file(g_path, c).empty()) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 64 * 1024) return -1;  // a config file is small; keep executions fast
    if (ftruncate(g_fd, 0) != 0) std::abort();
    if (size && pwrite(g_fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
    Config c;
    const Config before = c;
    const std::string err = ifctl::daemon::load_config_file(g_path, c);
    if (!err.empty()) {
        if (!same(c, before)) __builtin_trap();  // a refused file changed the configuration
        if (!err.starts_with(g_path)) __builtin_trap();  // every message names the file
    }
    return 0;
}
