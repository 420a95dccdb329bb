#include "daemon/service/daemon.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "daemon/core/stop_kind.hpp"
#include "daemon/service/chores.hpp"
#include "daemon/service/reload.hpp"

namespace ifctl::daemon {

namespace {

Store& opened(Store& store, const std::string& dir) {
    if (int rc = store.open(dir); rc < 0)
        throw std::runtime_error("cannot open the state directory " + dir + ": " + std::strerror(-rc));
    return store;
}

void log_restore(const Persistence::Report& rep, std::chrono::steady_clock::time_point t0) {
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    spdlog::info("state: {} re-adopted, {} recreated, {} forgotten, {} kept elsewhere, {} problem(s) in {:.1f} ms",
                 rep.adopted, rep.recreated, rep.forgotten, rep.kept, rep.problems.size(), ms);
}

}  // namespace

Daemon::Daemon(Config cfg, DaemonStart start)
    : cfg_(std::move(cfg)),
      config_file_(std::move(start.config_file)),
      cli_log_level_(std::move(start.cli_log_level)),
      own_socket_(start.own_socket),
      dispatcher_(kernel_, registry_,
                  {cfg_.max_queues, cfg_.tap_qdisc == "noqueue", cfg_.max_addresses_per_interface,
                   cfg_.max_addresses_per_owner},
                  cfg_.policy),
      commit_(io_),
      ifconf_refresh_(io_),
      listener_(io_, start.listen_fd, dispatcher_,
                {cfg_.max_queued_replies, cfg_.max_in_flight, cfg_.max_request_bytes, cfg_.hello_timeout,
                 cfg_.max_queued_events, cfg_.max_batch_steps, cfg_.max_batch_bytes, cfg_.max_batch_bytes_per_uid,
                 cfg_.max_reply_bytes, cfg_.max_reply_bytes_per_uid},
                cfg_.max_connections_per_uid, cfg_.reserved_fds),
      events_(io_, ::dup(kernel_.event_fd())),
      maintenance_(io_),
      watchdog_(io_),
      stop_signals_(io_, SIGTERM, SIGINT),
      hangup_(io_, SIGHUP) {
    dispatcher_.set_reloader(
        [this](std::string& message) { return reload_policy(config_file_, dispatcher_, message); });
    Persistence& persistence = persistence_.emplace(kernel_, registry_, opened(store_, cfg_.state_dir));
    dispatcher_.set_persistence(&persistence);
    const auto t0 = std::chrono::steady_clock::now();
    log_restore(persistence.restore(std::move(start.taps)), t0);
    persistence.on_dirty = [this] { arm_commit(commit_, *persistence_, commit_armed_); };
    if (persistence.dirty()) persistence.on_dirty();
    kernel_.on_change = [this](uint32_t index, const proto::Interface* rec) { on_kernel_change(index, rec); };
    Reconciler& reconciler = reconciler_.emplace(kernel_, registry_, dispatcher_.events());
    kernel_.on_event = [this, &reconciler](const Netlink::Event& e) {
        reconciler.on_kernel_event(e);
        snapshot_.touch(e.type == Netlink::Event::Type::Resynced ? 0 : e.index);
    };
    dispatcher_.after_request = [&reconciler] { reconciler.flush(); };
    snapshot_.on_ifconf_stale = [this](std::chrono::microseconds after) {
        run_once_after(ifconf_refresh_, ifconf_refresh_armed_, after, [this] {
            snapshot_.refresh_ifconf(kernel_);
            return true;
        });
    };
    dispatcher_.set_snapshot(&snapshot_);
    snapshot_.touch_all();
    dispatcher_.publish();
    listener_.start();
    watch_kernel_events(events_, kernel_, reconciler, dispatcher_);
    every_second(maintenance_, dispatcher_);
    if (uint64_t usec = 0; sd_watchdog_enabled(0, &usec) > 0)
        watchdog_pings(watchdog_, std::chrono::microseconds(usec / 2));
    wait_stop();
    ::signal(SIGPIPE, SIG_IGN);
    wait_hangup();
}

// Changes made behind our back are recorded like our own; an interface deleted
// behind our back is no longer ours, and is made again if its record says so.
void Daemon::on_kernel_change(uint32_t index, const proto::Interface* rec) {
    Managed* m = registry_.find(index);
    if (!m) return;
    if (rec) {
        persistence_->note_change(index);
        return;
    }
    // The reconciler has logged it and told subscribers by then.
    const uint64_t id = m->unique_id;
    const bool keep = persistence_->note_deleted(*m);
    registry_.remove(index);
    // Made again from the loop, not from inside the kernel-event callback.
    if (keep && cfg_.recreate_deleted) boost::asio::post(io_, [this, id] { persistence_->recreate_deleted(id); });
}

void Daemon::stop(int sig) {
    spdlog::info("stopping on signal {}", sig);
    sd_notify(0, "STOPPING=1");
    listener_.stop();
    snapshot_.retire();
    dispatcher_.shutdown(stop_is_for_good(cfg_.on_stop));
    io_.stop();
}

void Daemon::wait_stop() {
    stop_signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (!ec) stop(sig);
    });
}

// SIGHUP (systemctl reload): the log level and the policy are read again from
// the configuration file (the policy as the reload request does it, root's,
// audited there); other settings need a restart.
void Daemon::wait_hangup() {
    hangup_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        reload_log_level(config_file_, cli_log_level_);
        std::string message;
        if (reload_policy(config_file_, dispatcher_, message)) spdlog::warn("SIGHUP: {}", message);
        wait_hangup();
    });
}

void Daemon::log_serving() const {
    spdlog::info("ifctld {} serving {} (state in {}); policy: {}", IFCTL_VERSION_STRING,
                 own_socket_ ? cfg_.socket_path : std::string("the socket systemd passed"), cfg_.state_dir,
                 cfg_.policy->source.empty()
                     ? std::string("built-in")
                     : std::to_string(cfg_.policy->rules.size()) + " rule(s) from " + cfg_.policy->source);
}

int Daemon::run(const std::function<bool()>& on_ready) {
    log_serving();
    sd_notify(0, "READY=1");
    if (on_ready && !on_ready()) return 1;
    io_.run();
    if (own_socket_) ::unlink(cfg_.socket_path.c_str());
    return 0;
}

}  // namespace ifctl::daemon
