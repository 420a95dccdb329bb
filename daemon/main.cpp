// ifctld: owns TAP devices and answers interface requests over a Unix socket.
// This file wires the pieces together; each lives in its own folder:
//   server/  the socket, sessions, framing      core/  dispatch, registry, policy
//   kernel/  netlink, TAP devices               config.*  configuration
#include <fcntl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>

#include "daemon/config.hpp"
#include "daemon/core/dispatch.hpp"
#include "daemon/core/fdstore.hpp"
#include "daemon/core/persistence.hpp"
#include "daemon/core/reconcile.hpp"
#include "daemon/core/stop_kind.hpp"
#include "daemon/core/registry.hpp"
#include "daemon/kernel/netlink.hpp"
#include "daemon/log_sink.hpp"
#include "daemon/server/listener.hpp"
#include "daemon/store/store.hpp"

using namespace ifctl::daemon;
namespace asio = boost::asio;

namespace {

// Many TAPs means many descriptors: take what the hard limit allows.
void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) spdlog::warn("could not raise the open-file limit: {}", std::strerror(errno));
    }
}

// One daemon per state directory: a second one would fight over the same TAPs.
int lock_state_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create state directory " + dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0750);
    const std::string path = dir + "/ifctld.lock";
    // Read-only is enough for flock, and holds no write reference on the file
    // system (a state directory remounted read-only must not be refused as busy).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0)
        throw std::runtime_error("another ifctld is using state directory " + dir + " (" + path + " is locked)");
    return fd;
}

// The pid is written into the pattern once: spdlog's %P would call getpid()
// for every line, and every change writes an audit line. (Only the terminal's
// logger formats; syslog and the journal take the bare message.)
void set_log_pattern() { spdlog::set_pattern(fmt::format("ifctld[{}]: %l: %v", ::getpid())); }

// Detaches from the terminal; the parent exits once the child is serving.
int daemonize() {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid > 0) {
        ::close(ready[1]);
        char ok = 0;
        const bool served = ::read(ready[0], &ok, 1) == 1 && ok == 1;
        ::_exit(served ? 0 : 1);
    }
    ::close(ready[0]);
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
    // The terminal's logger goes (its name would clash) and syslog takes over.
    spdlog::drop("ifctld");
    spdlog::set_default_logger(spdlog::syslog_logger_mt("ifctld", "ifctld", LOG_PID, LOG_DAEMON));
    return ready[1];
}

// Kernel events are read as they come, not only before requests: the model
// follows changes made behind the daemon's back at once, and subscribers hear
// of them without anyone asking.
void watch_kernel_events(asio::posix::stream_descriptor& ev, Netlink& kernel, Reconciler& reconciler) {
    ev.async_wait(asio::posix::stream_descriptor::wait_read,
                  [&ev, &kernel, &reconciler](const boost::system::error_code& ec) {
                      if (ec) return;
                      try {
                          kernel.poll_events();
                          reconciler.flush();
                      } catch (const std::exception& e) {
                          spdlog::error("reading kernel events: {}", e.what());
                      }
                      watch_kernel_events(ev, kernel, reconciler);
                  });
}

// Re-reads the configuration file for its [policy]: all or nothing. Other
// sections take effect at the next start (the socket, limits and state
// directory are in use).
int reload_policy(const std::string& given, Dispatcher& dispatcher, std::string& message) {
    const std::string file = config_file_in_use(given);
    Config next;
    if (std::string err = load_config(given, next); !err.empty()) {
        message = err + " (the policy in force stays)";
        spdlog::error("reload refused: {}", message);
        return EINVAL;
    }
    dispatcher.set_policy(next.policy);
    message = file.empty() ? std::string(kDefaultConfigFile) + " does not exist: the built-in policy applies"
                           : "reloaded the policy from " + file + ": " + std::to_string(next.policy->rules.size()) +
                                 " rule(s); changes to [daemon] and [limits] take effect at the next start";
    spdlog::info("{}", message);
    return 0;
}

void every_second(asio::steady_timer& timer, Dispatcher& dispatcher) {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([&timer, &dispatcher](const boost::system::error_code& ec) {
        if (ec) return;
        try {
            dispatcher.maintain();
        } catch (const std::exception& e) {
            spdlog::error("maintenance pass: {}", e.what());
        }
        every_second(timer, dispatcher);
    });
}

// SIGHUP: the configuration file's log level applies at once. A level given
// on the command line is not overridden.
void reload_log_level(const std::string& config_file, const std::string& cli_level) {
    if (!cli_level.empty()) {
        spdlog::info("SIGHUP: log level stays {} (set by --log-level)", spdlog::level::to_string_view(spdlog::get_level()));
        return;
    }
    Config fresh;
    if (std::string err = load_config(config_file, fresh); !err.empty()) {
        spdlog::error("SIGHUP: {}; log level unchanged", err);
        return;
    }
    spdlog::set_level(spdlog::level::from_str(fresh.log_level));
    spdlog::info("SIGHUP: log level is now {}", fresh.log_level);
}

// Group commit: the first change that dirties a record arms the timer; when it
// fires every dirty record is written with one directory fsync.
void arm_commit(asio::steady_timer& timer, Persistence& persistence, bool& armed) {
    if (armed) return;
    armed = true;
    timer.expires_after(kCommitDelay);
    timer.async_wait([&timer, &persistence, &armed](const boost::system::error_code& ec) {
        armed = false;
        if (ec) return;
        if (persistence.flush() < 0) arm_commit(timer, persistence, armed);  // retried until it works
    });
}

// systemd's watchdog (WatchdogSec=): pinged from the loop, so a stuck loop is
// noticed and the service restarted.
void watchdog_pings(asio::steady_timer& timer, std::chrono::microseconds every) {
    timer.expires_after(every);
    timer.async_wait([&timer, every](const boost::system::error_code& ec) {
        if (ec) return;
        sd_notify(0, "WATCHDOG=1");
        watchdog_pings(timer, every);
    });
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    std::string config_file, check_config, socket_path, state_dir, log_level, on_stop;
    bool foreground = false, print_config = false;

    CLI::App app{"ifctld - owns TAP devices and answers BSD/SVR4/Linux interface requests over a Unix socket"};
    app.set_version_flag("--version", "ifctld " IFCTL_VERSION_STRING);
    app.add_option("--socket", socket_path, "Listening socket (default " + cfg.socket_path + ")");
    app.add_option("--config", config_file,
                   std::string("Configuration file (TOML, ifctl.conf(5)); default ") + kDefaultConfigFile +
                       " if it exists, else the embedded defaults");
    app.add_option("--state-dir", state_dir, "State directory (default " + cfg.state_dir + ")");
    app.add_flag("--foreground", foreground, "Stay in the foreground and log to stderr");
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--on-stop", on_stop, "What a stop does to non-persistent TAPs: auto, keep or destroy")
        ->check(CLI::IsMember({"auto", "keep", "destroy"}));
    app.add_option("--check-config", check_config, "Check a configuration file and exit");
    app.add_flag("--print-config", print_config, "Print the embedded default configuration and exit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // A usage error exits 2, as ifctl's do, rather than CLI11's own numbers.
        std::cerr << "ifctld: " << e.what() << "\nUsage: ifctld [OPTIONS] (see ifctld --help)\n";
        return 2;
    }

    auto console = spdlog::stderr_color_mt("ifctld");
    spdlog::set_default_logger(console);
    set_log_pattern();

    if (print_config) {
        std::cout << default_config_text();
        return 0;
    }
    if (!check_config.empty()) {
        Config probe;
        if (std::string err = load_config_file(check_config, probe); !err.empty()) {
            std::cerr << "ifctld: " << err << "\n";
            return 1;
        }
        std::cout << check_config << ": ok\n";
        return 0;
    }
    if (std::string err = load_config(config_file, cfg); !err.empty()) {
        std::cerr << "ifctld: " << err << "\n";
        return 1;
    }
    if (!socket_path.empty()) cfg.socket_path = socket_path;
    if (!state_dir.empty()) cfg.state_dir = state_dir;
    if (!log_level.empty()) cfg.log_level = log_level;
    if (!on_stop.empty()) cfg.on_stop = on_stop;
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    if (stderr_is_journal()) log_to_journal();

    try {
        raise_fd_limit();
        const int lock_fd = lock_state_dir(cfg.state_dir);
        (void)lock_fd;  // held for the life of the process
        PassedFds passed = take_passed_fds();
        int listen_fd = passed.listen_fd;
        const bool own_socket = listen_fd < 0;
        if (own_socket) listen_fd = make_listen_socket({cfg.socket_path, cfg.socket_group});
        const int ready_fd = foreground || getenv("NOTIFY_SOCKET") ? -1 : daemonize();

        asio::io_context io;
        Netlink kernel;
        Registry registry;
        Dispatcher dispatcher(kernel, registry, {cfg.max_queues, cfg.tap_qdisc == "noqueue"}, cfg.policy);
        dispatcher.set_reloader([&](std::string& message) { return reload_policy(config_file, dispatcher, message); });
        Store store;
        if (int rc = store.open(cfg.state_dir); rc < 0)
            throw std::runtime_error("cannot open the state directory " + cfg.state_dir + ": " + std::strerror(-rc));
        Persistence persistence(kernel, registry, store);
        dispatcher.set_persistence(&persistence);
        {
            const auto t0 = std::chrono::steady_clock::now();
            const Persistence::Report rep = persistence.restore(std::move(passed.taps));
            const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            spdlog::info("state: {} re-adopted, {} recreated, {} forgotten, {} kept elsewhere, {} problem(s) in {:.1f} ms",
                         rep.adopted, rep.recreated, rep.forgotten, rep.kept, rep.problems.size(), ms);
        }
        asio::steady_timer commit(io);
        bool commit_armed = false;
        persistence.on_dirty = [&] { arm_commit(commit, persistence, commit_armed); };
        if (persistence.dirty()) persistence.on_dirty();
        // Changes made behind our back are recorded like our own; an interface
        // deleted behind our back is no longer ours.
        kernel.on_change = [&](uint32_t index, const ifctl::proto::Interface* rec) {
            Managed* m = registry.find(index);
            if (!m) return;
            if (rec) {
                persistence.note_change(index);
                return;
            }
            // The reconciler has logged it and told subscribers by then.
            const uint64_t id = m->unique_id;
            const bool keep = persistence.note_deleted(*m);
            registry.remove(index);
            // Made again from the loop, not from inside the kernel-event callback.
            if (keep && cfg.recreate_deleted)
                asio::post(io, [&persistence, id] { persistence.recreate_deleted(id); });
        };
        Reconciler reconciler(kernel, registry, dispatcher.events());
        kernel.on_event = [&reconciler](const Netlink::Event& e) { reconciler.on_kernel_event(e); };
        dispatcher.after_request = [&reconciler] { reconciler.flush(); };
        Listener listener(io, listen_fd, dispatcher,
                          {cfg.max_queued_replies, cfg.max_in_flight, cfg.max_request_bytes, cfg.hello_timeout,
                           cfg.max_queued_events},
                          cfg.max_connections_per_uid);
        listener.start();

        asio::posix::stream_descriptor events(io, ::dup(kernel.event_fd()));
        watch_kernel_events(events, kernel, reconciler);
        asio::steady_timer maintenance(io);
        every_second(maintenance, dispatcher);

        asio::steady_timer watchdog(io);
        if (uint64_t usec = 0; sd_watchdog_enabled(0, &usec) > 0)
            watchdog_pings(watchdog, std::chrono::microseconds(usec / 2));

        asio::signal_set stop_signals(io, SIGTERM, SIGINT);
        stop_signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            spdlog::info("stopping on signal {}", sig);
            sd_notify(0, "STOPPING=1");
            listener.stop();
            dispatcher.shutdown(stop_is_for_good(cfg.on_stop));
            io.stop();
        });
        ::signal(SIGPIPE, SIG_IGN);
        // SIGHUP (systemctl reload): the log level and the policy are read again
        // from the configuration file (the policy as the reload request does it,
        // root's, audited there); other settings need a restart.
        asio::signal_set hangup(io, SIGHUP);
        std::function<void()> wait_hangup = [&] {
            hangup.async_wait([&](const boost::system::error_code& ec, int) {
                if (ec) return;
                reload_log_level(config_file, log_level);
                std::string message;
                const int rc = reload_policy(config_file, dispatcher, message);
                if (rc) spdlog::warn("SIGHUP: {}", message);
                wait_hangup();
            });
        };
        wait_hangup();

        spdlog::info("ifctld {} serving {} (state in {}); policy: {}", IFCTL_VERSION_STRING,
                     own_socket ? cfg.socket_path : std::string("the socket systemd passed"), cfg.state_dir,
                     cfg.policy->source.empty() ? std::string("built-in")
                                                : std::to_string(cfg.policy->rules.size()) + " rule(s) from " +
                                                      cfg.policy->source);
        sd_notify(0, "READY=1");
        if (ready_fd >= 0) {
            const char ok = 1;
            if (::write(ready_fd, &ok, 1) < 0) return 1;
            ::close(ready_fd);
        }
        io.run();
        if (own_socket) ::unlink(cfg.socket_path.c_str());
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
