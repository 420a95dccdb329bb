#include "monitor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "output.hpp"
#include "report.hpp"

namespace ifctl::cli {

namespace {

// The stop signals are read from a descriptor, so that the loop ends between
// two events rather than in the middle of one.
int stop_signal_fd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    return ::signalfd(-1, &set, SFD_CLOEXEC);
}

}  // namespace

int run_monitor(client::Connection& c, const Options& o, uint32_t kinds) {
    const std::string name = o.words.empty() ? std::string() : o.words.front();
    const int sfd = stop_signal_fd();
    if (sfd < 0) {
        std::cerr << "ifctl: monitor: signalfd: " << std::strerror(errno) << "\n";
        return kExitFailed;
    }
    client::InterfaceRef target = client::InterfaceRef::by_name(name);
    if (client::Result r = c.subscribe(name.empty() ? nullptr : &target, kinds); !r.ok()) {
        std::cerr << "ifctl: " << failure_message(name.empty() ? "monitor" : name, name.empty() ? "" : "monitor", r.error,
                                                  r.message, false)
                  << "\n";
        return kExitFailed;
    }
    for (;;) {
        pollfd fds[2] = {{c.fd(), POLLIN, 0}, {sfd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            std::cerr << "ifctl: monitor: poll: " << std::strerror(errno) << "\n";
            return kExitFailed;
        }
        if (fds[1].revents) return kExitOk;  // SIGINT or SIGTERM: a normal end
        proto::Event e;
        if (client::Result r = c.next_event(e); !r.ok()) {
            if (r.error == -ENOBUFS) std::cerr << "ifctl: monitor: ifctld dropped this monitor: " << r.message << "\n";
            else if (r.error == -ECONNRESET) std::cerr << "ifctl: monitor: ifctld went away\n";
            else std::cerr << "ifctl: monitor: " << std::strerror(-r.error) << ": " << r.message << "\n";
            return kExitFailed;
        }
        std::cout << (o.json ? json_event(e) : text_event(e, !o.no_timestamp)) << std::flush;
    }
}

}  // namespace ifctl::cli
