// The names ported programs give in the environment: $IFCTL_PERSONALITY (the
// systems' own names, any case; anything else said once on stderr) and
// $IFCTL_IFCONF, and the layout API of ifctl.h.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "ifctl/ifctl.h"
#include "libifctl/src/ioctl/names.hpp"

using namespace ifctl::ioctl_layer;

namespace {

struct ChildResult {
    int status = -1;     // exit status
    std::string stderr_text;
};

// Runs `fn` in a child with `env` set (NAME, value; a null value unsets), its
// stderr captured: the environment is read once per process, so each case
// needs a fresh one.
template <typename Fn>
ChildResult in_child(std::initializer_list<std::pair<const char*, const char*>> env, Fn fn) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(p[1], 2);
        ::close(p[0]);
        ::close(p[1]);
        for (auto [k, v] : env) v ? ::setenv(k, v, 1) : ::unsetenv(k);
        ::_exit(fn());
    }
    ::close(p[1]);
    ChildResult r;
    char buf[1024];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) r.stderr_text.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    int st = 0;
    REQUIRE(::waitpid(pid, &st, 0) == pid);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

int personality_three_times() {
    const ifctl_personality_t p = ifctl_get_personality();
    (void)ifctl_get_personality();
    (void)ifctl_get_personality();
    return p;
}

int layout_three_times() {
    const ifctl_ifconf_layout_t l = ifctl_get_ifconf_layout();
    (void)ifctl_get_ifconf_layout();
    (void)ifctl_get_ifconf_layout();
    return l;
}

}  // namespace

TEST_CASE("personality names: the systems' names in any case") {
    struct Row {
        const char* name;
        ifctl_personality_t want;
    };
    const Row rows[] = {
        {"linux", IFCTL_PERSONALITY_LINUX}, {"LINUX", IFCTL_PERSONALITY_LINUX}, {"bsd", IFCTL_PERSONALITY_BSD},
        {"BSD", IFCTL_PERSONALITY_BSD},     {"FreeBSD", IFCTL_PERSONALITY_BSD}, {"netbsd", IFCTL_PERSONALITY_BSD},
        {"OpenBSD", IFCTL_PERSONALITY_BSD}, {"Darwin", IFCTL_PERSONALITY_BSD},  {"macOS", IFCTL_PERSONALITY_BSD},
        {"svr4", IFCTL_PERSONALITY_SVR4},   {"SVR4", IFCTL_PERSONALITY_SVR4},   {"Solaris", IFCTL_PERSONALITY_SVR4},
        {"illumos", IFCTL_PERSONALITY_SVR4}, {"SunOS", IFCTL_PERSONALITY_SVR4},
    };
    for (const Row& r : rows) {
        INFO(r.name);
        REQUIRE(personality_by_name(r.name).has_value());
        CHECK(*personality_by_name(r.name) == r.want);
    }
    for (const char* bad : {"", "bsd ", " bsd", "freebsd4", "sysv", "linu", "bsdx", "svr"}) {
        INFO(bad);
        CHECK_FALSE(personality_by_name(bad).has_value());
    }
    CHECK(personality_name(IFCTL_PERSONALITY_BSD) == std::string("bsd"));
    CHECK(personality_name(IFCTL_PERSONALITY_SVR4) == std::string("svr4"));
    CHECK(personality_name(IFCTL_PERSONALITY_LINUX) == std::string("linux"));
    CHECK(personality_names() == "linux, bsd, freebsd, netbsd, openbsd, darwin, macos, svr4, solaris, illumos, sunos");
}

TEST_CASE("layout names") {
    CHECK(layout_by_name("ifreq") == IFCTL_IFCONF_IFREQ);
    CHECK(layout_by_name("Padded") == IFCTL_IFCONF_PADDED);
    CHECK(layout_by_name("PACKED") == IFCTL_IFCONF_PACKED);
    for (const char* bad : {"", "default", "pack", "ifreq40", "0", "1"}) {
        INFO(bad);
        CHECK_FALSE(layout_by_name(bad).has_value());
    }
    CHECK(layout_name(IFCTL_IFCONF_PADDED) == std::string("padded"));
    CHECK(layout_names() == "ifreq, padded, packed");
}

TEST_CASE("IFCTL_PERSONALITY: an alias is taken silently; IFCTL_DEBUG names the personality in force") {
    auto r = in_child({{"IFCTL_PERSONALITY", "FreeBSD"}, {"IFCTL_DEBUG", nullptr}}, personality_three_times);
    CHECK(r.status == IFCTL_PERSONALITY_BSD);
    CHECK(r.stderr_text.empty());
    r = in_child({{"IFCTL_PERSONALITY", "Solaris"}, {"IFCTL_DEBUG", "1"}}, personality_three_times);
    CHECK(r.status == IFCTL_PERSONALITY_SVR4);
    CHECK(r.stderr_text == "ifctl: personality svr4 from IFCTL_PERSONALITY=Solaris\n");
    r = in_child({{"IFCTL_PERSONALITY", nullptr}, {"IFCTL_DEBUG", "1"}}, personality_three_times);
    CHECK(r.status == IFCTL_PERSONALITY_LINUX);
    CHECK(r.stderr_text == "ifctl: personality linux\n");
    // A program's own choice is named too.
    r = in_child({{"IFCTL_PERSONALITY", nullptr}, {"IFCTL_DEBUG", "1"}}, [] {
        return ifctl_set_personality(IFCTL_PERSONALITY_BSD) == 0 ? personality_three_times() : 99;
    });
    CHECK(r.status == IFCTL_PERSONALITY_BSD);
    CHECK(r.stderr_text == "ifctl: personality bsd, set by the program\n");
}

TEST_CASE("IFCTL_PERSONALITY: an unknown name is said once on stderr, with the accepted ones, and means linux") {
    const auto r = in_child({{"IFCTL_PERSONALITY", "frebsd"}, {"IFCTL_DEBUG", nullptr}}, personality_three_times);
    CHECK(r.status == IFCTL_PERSONALITY_LINUX);
    CHECK(r.stderr_text ==
          "ifctl: IFCTL_PERSONALITY=frebsd is not a personality (accepted, in any case: linux, bsd, freebsd, netbsd, "
          "openbsd, darwin, macos, svr4, solaris, illumos, sunos); using linux\n");
}

TEST_CASE("IFCTL_IFCONF and ifctl_set_ifconf_layout: the process's SIOCGIFCONF layout") {
    auto r = in_child({{"IFCTL_IFCONF", nullptr}}, layout_three_times);
    CHECK(r.status == IFCTL_IFCONF_IFREQ);
    CHECK(r.stderr_text.empty());
    r = in_child({{"IFCTL_IFCONF", "Packed"}, {"IFCTL_DEBUG", "1"}}, layout_three_times);
    CHECK(r.status == IFCTL_IFCONF_PACKED);
    CHECK(r.stderr_text == "ifctl: SIOCGIFCONF layout of the bsd personality: packed (IFCTL_IFCONF)\n");
    r = in_child({{"IFCTL_IFCONF", "sparse"}, {"IFCTL_DEBUG", nullptr}}, layout_three_times);
    CHECK(r.status == IFCTL_IFCONF_IFREQ);
    CHECK(r.stderr_text ==
          "ifctl: IFCTL_IFCONF=sparse is not a SIOCGIFCONF layout (accepted, in any case: ifreq, padded, packed); "
          "using ifreq\n");
    // The program's call wins over the environment; DEFAULT gives the environment back.
    r = in_child({{"IFCTL_IFCONF", "padded"}, {"IFCTL_DEBUG", nullptr}}, [] {
        if (ifctl_set_ifconf_layout(IFCTL_IFCONF_PACKED) != 0 || ifctl_get_ifconf_layout() != IFCTL_IFCONF_PACKED)
            return 10;
        if (ifctl_set_ifconf_layout(static_cast<ifctl_ifconf_layout_t>(4)) != -EINVAL) return 11;
        if (ifctl_get_ifconf_layout() != IFCTL_IFCONF_PACKED) return 12;
        if (ifctl_set_ifconf_layout(IFCTL_IFCONF_DEFAULT) != 0) return 13;
        return static_cast<int>(ifctl_get_ifconf_layout());
    });
    CHECK(r.status == IFCTL_IFCONF_PADDED);
    CHECK(r.stderr_text.empty());
}

TEST_CASE("ifctl_ioctl_layout refuses a layout that is not one: EINVAL, nothing sent") {
    struct ifconf_like {
        int len;
        void* buf;
    } ifc{0, nullptr};
    errno = 0;
    CHECK(ifctl_ioctl_layout(static_cast<ifctl_ifconf_layout_t>(9), 0, 0x8912UL, &ifc) == -1);
    CHECK(errno == EINVAL);
}
