// The running daemon: every piece built and wired on one Asio loop, and the
// rules that tie them together (a managed TAP deleted from outside is made
// again, a stop asks whether it is for good, SIGHUP reads the configuration
// again). main() parses options, builds one, runs it; a test may do the same
// in a private network namespace.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "daemon/config.hpp"
#include "daemon/core/dispatch.hpp"
#include "daemon/core/persistence.hpp"
#include "daemon/core/reconcile.hpp"
#include "daemon/core/registry.hpp"
#include "daemon/kernel/netlink.hpp"
#include "daemon/kernel/unique_fd.hpp"
#include "daemon/server/listener.hpp"
#include "daemon/store/store.hpp"

namespace ifctl::daemon {

// What the daemon is built from besides its configuration.
struct DaemonStart {
    std::string config_file;              // --config as given ("" = the default file, if any)
    std::string cli_log_level;            // --log-level as given: SIGHUP does not override it
    int listen_fd = -1;                   // the listening socket, bound and listening
    bool own_socket = true;               // made by us (unlinked at the end), not passed by systemd
    std::map<uint64_t, UniqueFd> taps;    // TAP queues systemd kept for us, by unique id
};

class Daemon {
public:
    // Opens the state directory and restores it (throws when it cannot), then
    // wires the pieces; SIGTERM, SIGINT and SIGHUP are handled from here on.
    Daemon(Config cfg, DaemonStart start);
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Serves until a stop: tells systemd it is ready, calls on_ready (false
    // ends the run at once with 1), runs the loop. Returns the exit status.
    int run(const std::function<bool()>& on_ready = {});

    // What SIGTERM and SIGINT do: stop listening, shut the dispatcher down
    // (for good or for a restart, as stop_is_for_good says), end the loop.
    void stop(int sig);

    boost::asio::io_context& io() { return io_; }

private:
    void on_kernel_change(uint32_t index, const proto::Interface* rec);
    void wait_stop();
    void wait_hangup();
    void log_serving() const;

    Config cfg_;
    std::string config_file_, cli_log_level_;
    bool own_socket_;
    boost::asio::io_context io_;
    Netlink kernel_;
    Registry registry_;
    Snapshot snapshot_;
    Dispatcher dispatcher_;
    Store store_;
    std::optional<Persistence> persistence_;
    boost::asio::steady_timer commit_;
    bool commit_armed_ = false;
    boost::asio::steady_timer ifconf_refresh_;  // Snapshot::on_ifconf_stale
    bool ifconf_refresh_armed_ = false;
    std::optional<Reconciler> reconciler_;  // made after the restore: it starts from the kernel's state then
    Listener listener_;
    boost::asio::posix::stream_descriptor events_;
    boost::asio::steady_timer maintenance_, watchdog_;
    boost::asio::signal_set stop_signals_, hangup_;
};

}  // namespace ifctl::daemon
