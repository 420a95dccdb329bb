// The TUN/TAP driver's calls (/dev/net/tun and its ioctls on a queue
// descriptor), the seam under Tap: linux_tun() makes the real calls;
// tests/unit/fake_kernel.hpp has a fake that keeps each device's settings, so
// the handlers that use a TAP are tested without root. Each call returns 0 or
// the kernel's negative errno.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tun_state.hpp"
#include "unique_fd.hpp"

namespace ifctl::daemon {

class TunDriver {
public:
    virtual ~TunDriver() = default;
    // Opens /dev/net/tun (non-blocking) and attaches it to `name` with
    // TUNSETIFF `flags` (IFF_*), after TUNSETIFINDEX when ifindex is not 0.
    // The device's name (a pattern's unit filled in) goes to *actual.
    virtual int open(const std::string& name, short flags, uint32_t ifindex, UniqueFd& out, std::string* actual) = 0;
    // TUNGETIFF: the device's name and the queue's flags.
    virtual int get_iff(int fd, std::string& name, short& flags) = 0;
    virtual int set_persist(int fd, bool on) = 0;                    // TUNSETPERSIST
    virtual int set_owner(int fd, uint32_t uid) = 0;                 // TUNSETOWNER
    virtual int set_group(int fd, uint32_t gid) = 0;                 // TUNSETGROUP
    virtual int set_queue(int fd, bool attach) = 0;                  // TUNSETQUEUE
    virtual int set_tx_filter(int fd, const std::vector<std::array<uint8_t, 6>>& addresses,
                              bool allmulti) = 0;                    // TUNSETTXFILTER
    virtual int set_offloads(int fd, uint32_t tun_f) = 0;           // TUNSETOFFLOAD
    // TUNGETDEVNETNS: a descriptor of the network namespace the device is in
    // now (wherever it was moved since), to *out.
    virtual int device_netns(int fd, UniqueFd& out) = 0;
    // The TAP's kernel owner, group, persistence and queues (tun_state.hpp).
    virtual int read_state(uint32_t ifindex, TunState& out) = 0;
};

// The real driver.
TunDriver& linux_tun();

}  // namespace ifctl::daemon
