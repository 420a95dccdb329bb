#include "names.hpp"

#include <algorithm>
#include <cctype>

namespace ifctl::ioctl_layer {
namespace {

// A system's name for the personality that follows it: code ported from
// FreeBSD, NetBSD, OpenBSD or macOS wants bsd; from Solaris or illumos, svr4.
struct PersonalityName {
    const char* name;
    ifctl_personality_t personality;
};
constexpr PersonalityName kPersonalities[] = {
    {"linux", IFCTL_PERSONALITY_LINUX},
    {"bsd", IFCTL_PERSONALITY_BSD},
    {"freebsd", IFCTL_PERSONALITY_BSD},
    {"netbsd", IFCTL_PERSONALITY_BSD},
    {"openbsd", IFCTL_PERSONALITY_BSD},
    {"darwin", IFCTL_PERSONALITY_BSD},
    {"macos", IFCTL_PERSONALITY_BSD},
    {"svr4", IFCTL_PERSONALITY_SVR4},
    {"solaris", IFCTL_PERSONALITY_SVR4},
    {"illumos", IFCTL_PERSONALITY_SVR4},
    {"sunos", IFCTL_PERSONALITY_SVR4},
};

struct LayoutName {
    const char* name;
    ifctl_ifconf_layout_t layout;
};
constexpr LayoutName kLayouts[] = {
    {"ifreq", IFCTL_IFCONF_IFREQ},
    {"padded", IFCTL_IFCONF_PADDED},
    {"packed", IFCTL_IFCONF_PACKED},
};

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

template <typename Row, size_t N>
std::string names_of(const Row (&table)[N]) {
    std::string out;
    for (const Row& r : table) out += (out.empty() ? "" : ", ") + std::string(r.name);
    return out;
}

}  // namespace

std::optional<ifctl_personality_t> personality_by_name(std::string_view name) {
    for (const PersonalityName& r : kPersonalities)
        if (same_ignoring_case(name, r.name)) return r.personality;
    return std::nullopt;
}

const char* personality_name(ifctl_personality_t p) {
    switch (p) {
        case IFCTL_PERSONALITY_BSD: return "bsd";
        case IFCTL_PERSONALITY_SVR4: return "svr4";
        default: return "linux";
    }
}

std::string personality_names() { return names_of(kPersonalities); }

std::optional<ifctl_ifconf_layout_t> layout_by_name(std::string_view name) {
    for (const LayoutName& r : kLayouts)
        if (same_ignoring_case(name, r.name)) return r.layout;
    return std::nullopt;
}

const char* layout_name(ifctl_ifconf_layout_t l) {
    for (const LayoutName& r : kLayouts)
        if (r.layout == l) return r.name;
    return "default";
}

std::string layout_names() { return names_of(kLayouts); }

}  // namespace ifctl::ioctl_layer
