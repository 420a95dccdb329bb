#include "daemon/service/chores.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "daemon/core/dispatch.hpp"
#include "daemon/core/persistence.hpp"
#include "daemon/core/reconcile.hpp"
#include "daemon/kernel/netlink.hpp"

namespace ifctl::daemon {

namespace asio = boost::asio;

void watch_kernel_events(asio::posix::stream_descriptor& ev, Netlink& kernel, Reconciler& reconciler,
                         Dispatcher& dispatcher) {
    ev.async_wait(asio::posix::stream_descriptor::wait_read,
                  [&ev, &kernel, &reconciler, &dispatcher](const boost::system::error_code& ec) {
                      if (ec) return;
                      try {
                          kernel.poll_events();
                          reconciler.flush();
                          dispatcher.publish();
                      } catch (const std::exception& e) {
                          spdlog::error("reading kernel events: {}", e.what());
                      }
                      watch_kernel_events(ev, kernel, reconciler, dispatcher);
                  });
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

void run_once_after(asio::steady_timer& timer, bool& armed, std::chrono::microseconds after,
                    std::function<bool()> work) {
    if (armed) return;
    armed = true;
    timer.expires_after(after);
    timer.async_wait([&timer, &armed, after, work = std::move(work)](const boost::system::error_code& ec) {
        armed = false;
        if (ec) return;
        if (!work()) run_once_after(timer, armed, after, work);
    });
}

void arm_commit(asio::steady_timer& timer, Persistence& persistence, bool& armed) {
    // Retried until it works.
    run_once_after(timer, armed, kCommitDelay, [&persistence] { return persistence.flush() >= 0; });
}

void watchdog_pings(asio::steady_timer& timer, std::chrono::microseconds every) {
    timer.expires_after(every);
    timer.async_wait([&timer, every](const boost::system::error_code& ec) {
        if (ec) return;
        sd_notify(0, "WATCHDOG=1");
        watchdog_pings(timer, every);
    });
}

}  // namespace ifctl::daemon
