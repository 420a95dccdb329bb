// ifctld: owns TAP devices and answers interface requests over a Unix socket.
// main() reads the options and the configuration, prepares the process (lock,
// descriptors from systemd, detaching), then builds a Daemon and runs it
// (service/daemon.*). Each piece lives in its own folder:
//   server/  the socket, sessions, framing      core/  dispatch, registry, policy
//   kernel/  netlink, TAP devices               service/  the running daemon
//   store/   the state directory                config.*  configuration
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "daemon/config.hpp"
#include "daemon/core/fdstore.hpp"
#include "daemon/log_sink.hpp"
#include "daemon/server/listener.hpp"
#include "daemon/service/daemon.hpp"
#include "daemon/service/process.hpp"

using namespace ifctl::daemon;

namespace {

// The command line; empty strings are options not given.
struct Options {
    std::string config_file, check_config, socket_path, state_dir, log_level, on_stop;
    bool foreground = false, print_config = false;
};

void describe_options(CLI::App& app, Options& o, const Config& defaults) {
    app.set_version_flag("--version", "ifctld " IFCTL_VERSION_STRING);
    app.add_option("--socket", o.socket_path, "Listening socket (default " + defaults.socket_path + ")");
    app.add_option("--config", o.config_file,
                   std::string("Configuration file (TOML, ifctl.conf(5)); default ") + kDefaultConfigFile +
                       " if it exists, else the embedded defaults");
    app.add_option("--state-dir", o.state_dir, "State directory (default " + defaults.state_dir + ")");
    app.add_flag("--foreground", o.foreground, "Stay in the foreground and log to stderr");
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, critical or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--on-stop", o.on_stop, "What a stop does to non-persistent TAPs: auto, keep or destroy")
        ->check(CLI::IsMember({"auto", "keep", "destroy"}));
    app.add_option("--check-config", o.check_config, "Check a configuration file and exit");
    app.add_flag("--print-config", o.print_config, "Print the embedded default configuration and exit");
}

int check_config_file(const std::string& file) {
    Config probe;
    if (std::string err = load_config_file(file, probe); !err.empty()) {
        std::cerr << "ifctld: " << err << "\n";
        return 1;
    }
    std::cout << file << ": ok\n";
    return 0;
}

// The configuration file, then the command line over it.
bool configure(const Options& o, Config& cfg) {
    if (std::string err = load_config(o.config_file, cfg); !err.empty()) {
        std::cerr << "ifctld: " << err << "\n";
        return false;
    }
    if (!o.socket_path.empty()) cfg.socket_path = o.socket_path;
    if (!o.state_dir.empty()) cfg.state_dir = o.state_dir;
    if (!o.log_level.empty()) cfg.log_level = o.log_level;
    if (!o.on_stop.empty()) cfg.on_stop = o.on_stop;
    return true;
}

// Prepares the process, then builds the daemon and serves until a stop.
int serve(const Options& o, Config cfg) {
    raise_fd_limit();
    const int lock_fd = lock_state_dir(cfg.state_dir);
    (void)lock_fd;  // held for the life of the process
    PassedFds passed = take_passed_fds();
    DaemonStart start{o.config_file, o.log_level, passed.listen_fd, passed.listen_fd < 0, std::move(passed.taps)};
    if (start.own_socket) start.listen_fd = make_listen_socket({cfg.socket_path, cfg.socket_group});
    // Before the loop and the kernel sockets exist: they do not survive a fork.
    const int ready_fd = o.foreground || getenv("NOTIFY_SOCKET") ? -1 : daemonize();
    Daemon daemon(std::move(cfg), std::move(start));
    return daemon.run([ready_fd] {
        if (ready_fd < 0) return true;
        const char ok = 1;
        if (::write(ready_fd, &ok, 1) < 0) return false;
        ::close(ready_fd);
        return true;
    });
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    Options o;
    CLI::App app{"ifctld - owns TAP devices and answers BSD/SVR4/Linux interface requests over a Unix socket"};
    describe_options(app, o, cfg);
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

    spdlog::set_default_logger(plain_logger("ifctld", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
    set_log_pattern();
    if (o.print_config) {
        std::cout << default_config_text();
        return 0;
    }
    if (!o.check_config.empty()) return check_config_file(o.check_config);
    if (!configure(o, cfg)) return 1;
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    if (stderr_is_journal()) log_to_journal();
    try {
        return serve(o, std::move(cfg));
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
