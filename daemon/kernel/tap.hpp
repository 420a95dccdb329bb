// A TAP device owned by the daemon, made through /dev/net/tun as a multi-queue
// device (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE). The daemon holds one queue
// of its own: attached while no client has a queue, so the interface has
// carrier like a TAP held open; detached while clients hold queues, so frames
// reach only them. A detached queue still keeps the device alive. Every call
// goes through a TunDriver (tun_driver.hpp), the real one or a test's fake.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tun_driver.hpp"
#include "unique_fd.hpp"

namespace ifctl::daemon {

class Tap {
public:
    // Creates a new TAP, exclusively: fails with -EEXIST if the name is taken.
    // Its kernel owner and group are root (restrict_to_root).
    // `name` may be a pattern with %d; the kernel's choice is in name().
    // vnet_hdr: frames carry a virtio-net header (every queue is opened so).
    // ifindex: the index to ask for (TUNSETIFINDEX), 0 for the kernel's choice;
    // a taken index fails with -EBUSY, as a taken name does.
    static int create(TunDriver& tun, const std::string& name, bool vnet_hdr, Tap& out, uint32_t ifindex = 0);
    // Takes a queue of an existing TAP (re-adoption after a daemon restart):
    // TUNSETIFF on its name without IFF_TUN_EXCL. The caller has checked that
    // the name is a TAP it manages.
    static int attach(TunDriver& tun, const std::string& name, bool vnet_hdr, Tap& out);

    // Wraps a queue descriptor kept across a restart (systemd's fd store).
    // -EINVAL if it is not an attached TAP queue.
    static int from_fd(TunDriver& tun, UniqueFd fd, Tap& out);

    // IFF_PERSIST: the device outlives every descriptor (TUNSETPERSIST), so a
    // daemon crash does not take it away.
    int set_persist(bool on);

    // Who may attach queues without CAP_NET_ADMIN (TUNSETOWNER / TUNSETGROUP).
    int set_owner(uint32_t uid);
    int set_group(uint32_t gid);
    // Kernel owner and group root (0): only root or CAP_NET_ADMIN may attach
    // a queue through /dev/net/tun; everyone else gets queues from the daemon
    // (open-queue), which counts them. A TAP with neither set would let any
    // user attach (tun_not_capable() in drivers/net/tun.c), and a kernel
    // owner may attach any number of queues, change the link address, clear
    // IFF_PERSIST and give the TAP away, none of which the policy judges.
    int restrict_to_root();
    // Whether the daemon made it IFF_PERSIST (set_persist(true) succeeded last).
    bool persist() const { return persist_; }

    // Opens one more queue (for a client); the caller owns the descriptor.
    // `current_name` is the device's name now (it may have been renamed).
    int open_queue(const std::string& current_name, UniqueFd& out) const;

    // Attaches or detaches the daemon's own queue (TUNSETQUEUE).
    int attach_own();
    int detach_own();
    bool own_attached() const { return own_attached_; }

    // The filter on frames sent out of the interface to its readers
    // (TUNSETTXFILTER): `addresses` empty turns it off (every frame passes).
    int set_tx_filter(const std::vector<std::array<uint8_t, 6>>& addresses, bool allmulti);

    // Offloads the readers can take (TUNSETOFFLOAD, TUN_F_* bits). Only a TAP
    // whose frames carry a virtio-net header can take any: without the header a
    // reader could not tell a frame that still needs its checksum or its
    // segmentation from a finished one.
    uint32_t offloads_supported() const;
    int set_offloads(uint32_t tun_f);

    // The network namespace the device is in now (TUNGETDEVNETNS).
    int device_netns(UniqueFd& out) const { return tun_->device_netns(fd_.get(), out); }

    // The device's name as the kernel reports it now, from its queue
    // (TUNGETIFF): it may have been renamed since, here or in another network
    // namespace, where no netlink event of ours sees it. The name last seen
    // when the device cannot say (it is gone).
    const std::string& name() const;
    // Asks the kernel the device's name (name() then has it): 0, or -EBADFD
    // when the device is gone (deleted, even in another network namespace).
    int ask_name() const;
    bool vnet_hdr() const { return vnet_hdr_; }
    int fd() const { return fd_.get(); }

private:
    TunDriver* tun_ = &linux_tun();
    UniqueFd fd_;
    mutable std::string name_;  // last seen: name() asks the kernel each time
    bool own_attached_ = false;
    bool vnet_hdr_ = false;
    bool persist_ = false;
};

}  // namespace ifctl::daemon
