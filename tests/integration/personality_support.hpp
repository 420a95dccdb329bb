// Test support for the bsd and svr4 personalities: one request through
// ifctl_ioctl with a personality, as root or as an unprivileged user, and the
// addresses of a link as `ip -j` shows them.
#pragma once

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ifctl/ifctl.h"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"  // link(), has_flag()

namespace ifctl::test {

using json = nlohmann::json;

// The argument a request points at, and the buffer an ifconf points into.
struct Arg {
    alignas(8) uint8_t bytes[192];
    alignas(8) uint8_t data[2048];
};
constexpr uint8_t kFill = 0xa5;  // bytes a call does not write keep this value

struct Outcome {
    int rc = 0, err = 0;
};

inline Outcome call(ifctl_personality_t p, int domain, unsigned long request, void* arg) {
    REQUIRE(ifctl_set_personality(p) == 0);
    const int fd = ::socket(domain, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    errno = 0;
    Outcome o;
    o.rc = ifctl_ioctl(fd, request, arg);
    o.err = o.rc < 0 ? errno : 0;
    ::close(fd);
    return o;
}

// The same call as uid/gid 65534 in a child process (its own connection).
inline Outcome call_unprivileged(ifctl_personality_t p, int domain, unsigned long request, Arg& a) {
    int pfd[2];
    REQUIRE(::pipe(pfd) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pfd[0]);
        if (::setresgid(65534, 65534, 65534) < 0 || ::setresuid(65534, 65534, 65534) < 0) ::_exit(3);
        ifctl_set_personality(p);
        const int fd = ::socket(domain, SOCK_DGRAM, 0);
        const int rc = ifctl_ioctl(fd, request, a.bytes);
        const int out[2] = {rc, rc < 0 ? errno : 0};
        ::_exit(::write(pfd[1], out, sizeof out) == sizeof out ? 0 : 4);
    }
    ::close(pfd[1]);
    int out[2] = {-999, 0};
    REQUIRE(::read(pfd[0], out, sizeof out) == sizeof out);
    ::close(pfd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {out[0], out[1]};
}

inline void put_name(Arg& a, const std::string& n, size_t off = 0) {
    std::memset(a.bytes + off, 0, IFNAMSIZ);
    std::memcpy(a.bytes + off, n.data(), std::min(n.size(), size_t{IFNAMSIZ}));
}
inline void put_sin(Arg& a, size_t off, int family, const char* ip) {
    struct sockaddr_in sin {};
    sin.sin_family = static_cast<sa_family_t>(family);
    if (ip) inet_pton(AF_INET, ip, &sin.sin_addr);
    std::memcpy(a.bytes + off, &sin, sizeof sin);
}
inline std::string sin_at(const Arg& a, size_t off) {
    struct sockaddr_in sin;
    std::memcpy(&sin, a.bytes + off, sizeof sin);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
    return std::string(sin.sin_family == AF_INET ? "" : "family?") + buf;
}
template <typename T>
T at(const Arg& a, size_t off) {
    T v;
    std::memcpy(&v, a.bytes + off, sizeof v);
    return v;
}
template <typename T>
void put(Arg& a, size_t off, T v) {
    std::memcpy(a.bytes + off, &v, sizeof v);
}

// "10.1.0.1/24 brd 10.1.0.255 label bt0" per IPv4 address; "addr/plen" for IPv6 (not link-local).
inline std::vector<std::string> addresses(const std::string& name) {
    std::vector<std::string> out;
    const json l = link(name);
    if (l.is_null()) return out;
    for (const json& a : l.at("addr_info")) {
        std::string s = a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>());
        if (a.at("family") == "inet") {
            if (a.contains("address")) s += " peer " + a.at("address").get<std::string>();
            if (a.contains("broadcast")) s += " brd " + a.at("broadcast").get<std::string>();
            s += " label " + a.at("label").get<std::string>();
        } else if (a.at("scope") == "link") {
            continue;
        }
        out.push_back(s);
    }
    // Linux reorders addresses on a replace (delete, then insert): compare as sets.
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ifctl::test
