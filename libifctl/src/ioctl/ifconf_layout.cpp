#include "ifconf_layout.hpp"
#include "libifctl/src/environment.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>

#include "names.hpp"
#include "notes.hpp"

using namespace ifctl::ioctl_layer;

namespace {

// Set by ifctl_set_ifconf_layout(); DEFAULT: none set, the environment's.
std::atomic<int> g_set{IFCTL_IFCONF_DEFAULT};
std::once_flag g_env_once;
ifctl_ifconf_layout_t g_env = IFCTL_IFCONF_IFREQ;

// $IFCTL_IFCONF, read once. A name that is not a layout is said once on
// stderr: a silent fallback would leave the program walking garbage.
ifctl_ifconf_layout_t layout_from_env() {
    std::call_once(g_env_once, [] {
        const char* v = ifctl::client::ifctl_env("IFCTL_IFCONF");
        if (v && *v) {
            if (auto l = layout_by_name(v)) g_env = *l;
            else note("ifctl: IFCTL_IFCONF=%s is not a SIOCGIFCONF layout (accepted, in any case: %s); using ifreq", v,
                      layout_names().c_str());
        }
        debug_note("ifctl: SIOCGIFCONF layout of the bsd personality: %s%s", layout_name(g_env),
                   v && *v ? " (IFCTL_IFCONF)" : "");
    });
    return g_env;
}

}  // namespace

namespace ifctl::ioctl_layer {

ifctl_ifconf_layout_t layout_in_force(ifctl_ifconf_layout_t requested) {
    if (requested != IFCTL_IFCONF_DEFAULT) return requested;
    const int set = g_set.load();
    return set != IFCTL_IFCONF_DEFAULT ? static_cast<ifctl_ifconf_layout_t>(set) : layout_from_env();
}

}  // namespace ifctl::ioctl_layer

extern "C" {

int ifctl_set_ifconf_layout(ifctl_ifconf_layout_t layout) {
    const int raw = enum_argument(layout);
    if (!valid_layout(raw)) return -EINVAL;
    g_set = raw;
    return 0;
}

ifctl_ifconf_layout_t ifctl_get_ifconf_layout(void) { return layout_in_force(IFCTL_IFCONF_DEFAULT); }

}  // extern "C"
