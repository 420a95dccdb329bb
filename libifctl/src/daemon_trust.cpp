#include "daemon_trust.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "environment.hpp"

namespace ifctl::client {

namespace {

// getpwuid_r/getpwnam_r: a program may connect from several threads.
std::optional<uid_t> uid_of_user(const char* name) {
    struct passwd pw {};
    struct passwd* p = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(name, &pw, buf.data(), buf.size(), &p) == 0 && p) return p->pw_uid;
    return std::nullopt;
}

std::string user_phrase(uid_t uid) {
    struct passwd pw {};
    struct passwd* p = nullptr;
    std::vector<char> buf(16384);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &p) == 0 && p)
        return "uid " + std::to_string(uid) + " (" + p->pw_name + ")";
    return "uid " + std::to_string(uid);
}

// IFCTL_DAEMON_UID as a uid: a decimal number or a user name; nullopt if unset or unknown.
std::optional<uid_t> configured_daemon_uid() {
    const char* v = ifctl_env("IFCTL_DAEMON_UID");
    if (!v || !*v) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const unsigned long n = std::strtoul(v, &end, 10);
    if (*end == '\0' && errno == 0 && n <= static_cast<unsigned long>(static_cast<uid_t>(-2))) return static_cast<uid_t>(n);
    return uid_of_user(v);
}

}  // namespace

int check_daemon_trust(int fd, const std::string& path, std::string& why) {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        const int e = errno;
        why = "cannot read the credentials of the process behind " + path + ": " + std::strerror(e);
        return -e;
    }
    if (cred.uid == 0 || cred.uid == ::getuid() || cred.uid == ::geteuid()) return 0;
    if (const std::optional<uid_t> allowed = configured_daemon_uid(); allowed && cred.uid == *allowed) return 0;
    why = "refusing the daemon at " + path + ": it runs as " + user_phrase(cred.uid) +
          ", which is neither root, you, nor IFCTL_DAEMON_UID (set IFCTL_DAEMON_UID to that user to trust it)";
    return -EPERM;
}

}  // namespace ifctl::client
