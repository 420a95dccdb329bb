// What a queue holder can do to a TAP without asking the daemon: the TUN
// driver's ioctls work on any attached queue, so a client with a queue from
// open-queue can still TUNSETOWNER, TUNSETGROUP or TUNSETPERSIST it, and a
// kernel owner could then attach queues of its own. The daemon cannot forbid
// those calls; once a second (Dispatcher::maintain) it reads every managed
// TAP's kernel state, reports what changed behind its back and puts back what
// it can: the kernel owner and group (root), IFF_PERSIST. Queues beyond what
// the TAP was made for are reported (the daemon cannot close another
// process's queue). Each finding is logged and published as a tampered event
// (Dispatcher::maintain). docs/policy.md, "The kernel owner".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ifctl::daemon {

class Kernel;
class Registry;

struct TapFinding {
    uint32_t index = 0;
    std::string name;
    std::string text;  // "lab0: its persist flag was cleared behind ifctld's back; set again"
};

// Checks every managed TAP in the daemon's namespace; returns one finding per
// change found (each also logged as a warning).
std::vector<TapFinding> guard_taps(Kernel& kernel, Registry& registry);

}  // namespace ifctl::daemon
