// The daemon's recurring work on its Asio loop, each re-arming itself until
// its timer or descriptor is cancelled: kernel events as they come, the
// one-second maintenance pass, the group commit, systemd's watchdog.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace ifctl::daemon {

class Dispatcher;
class Netlink;
class Persistence;
class Reconciler;

// Kernel events are read as they come, not only before requests: the model
// follows changes made behind the daemon's back at once, and subscribers hear
// of them without anyone asking; the snapshot shows them as soon as they are read.
void watch_kernel_events(boost::asio::posix::stream_descriptor& ev, Netlink& kernel, Reconciler& reconciler,
                         Dispatcher& dispatcher);

// Dispatcher::maintain() once a second.
void every_second(boost::asio::steady_timer& timer, Dispatcher& dispatcher);

// Runs `work` `after` from now, unless it is due already (`armed`): the calls
// in between share that run. A `work` that returns false is due again, as
// if asked anew.
void run_once_after(boost::asio::steady_timer& timer, bool& armed, std::chrono::microseconds after,
                    std::function<bool()> work);

// Group commit: the first change that dirties a record arms the timer; when it
// fires every dirty record is written with one directory fsync.
void arm_commit(boost::asio::steady_timer& timer, Persistence& persistence, bool& armed);

// systemd's watchdog (WatchdogSec=): pinged from the loop, so a stuck loop is
// noticed and the service restarted.
void watchdog_pings(boost::asio::steady_timer& timer, std::chrono::microseconds every);

}  // namespace ifctl::daemon
