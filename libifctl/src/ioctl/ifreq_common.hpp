// What every personality does with an ifreq and the daemon: read the caller's
// structure, name the device, look it up, send a change, and the IPv4 address
// arithmetic of devinet_ioctl (labels, broadcast, delete-then-insert). One copy,
// used by linux.cpp, bsd.cpp and svr4.cpp.
#pragma once

#include <net/if.h>

#include <functional>
#include <optional>
#include <string>

#include "daemon_ops.hpp"
#include "personality.hpp"

namespace ifctl::ioctl_layer {

// The interface name as the kernel reads it: byte 15 forced to NUL; "tap0:1"
// names the device tap0 and, for address requests, the label "tap0:1".
struct IfName {
    std::string full;
    std::string dev;
    bool alias = false;
};
IfName name_of(const struct ifreq& r);

// A copy of the caller's ifreq with byte 15 of the name forced to NUL.
struct ifreq load(const Call& c);

// Gets write the whole ifreq back on success, as sock_do_ioctl does.
Outcome give_back(const Call& c, const struct ifreq& r);

enum class Need { Brief, Addresses };

// Looks the device up; true only for one the daemon manages. `l` holds the
// answer either way (an unmanaged record is filled too).
bool managed(const IfName& n, Lookup& l, Need need = Need::Brief);

// Sends a change about the device; nullopt means "the kernel's business":
// no daemon, or an interface it does not manage. A connection that broke
// while the change was under way is EIO, never a second try at the kernel.
std::optional<Outcome> send_change(const IfName& n, const std::function<client::Result(client::Connection&)>& op);

// The errno of a change the lookup said was ours: a daemon that went away in
// between is an I/O error, never a silent success.
int errno_of(const Sent& s);

// ---- the BSD and SVR4 family: every interface the daemon sees is answered ----

// Looks the device up for a bsd or svr4 request: 0 if the daemon knows it
// (managed or not: `l` holds its record), ENXIO if not or if no daemon answers
// (both systems say ENXIO for an unknown interface, matrix §4).
int find_device(const IfName& n, Lookup& l, Need need = Need::Brief);

// The errno of a bsd/svr4 change: an interface that vanished meanwhile is
// ENXIO, one the daemon does not manage EPERM (only its own are changed).
int change_errno(const Sent& s);

// Copies at most `max` bytes of a NUL-terminated string from the caller's
// memory (copyinstr): EFAULT for NULL, ENAMETOOLONG if no NUL within `max`.
int copy_in_string(const char* from, size_t max, std::string& out);

// The IPv4 address an address request names: by label, and for gets first by
// label and the address passed in ifr_addr (devinet_ioctl's "4.4BSD style" match).
const proto::Address* find_by_label(const proto::Interface& rec, const std::string& label,
                                    const struct sockaddr* match);
// The first IPv4 address of the interface (BSD's "first address"), or null.
const proto::Address* first_inet(const proto::Interface& rec);

uint32_t peer_or_local(const proto::Address& a);
uint32_t broadcast_of(const proto::Address& a);


// Builds an inet address the way devinet_ioctl leaves it after a change; a
// broadcast of 0 means none, a peer equal to local means none.
proto::Address inet_address(uint32_t local, unsigned prefix, uint32_t broadcast, uint32_t peer, const std::string& label);

// "Delete the old, insert the new", as devinet_ioctl does with inet_del_ifa and
// inet_insert_ifa (same-subnet secondaries go with a deleted primary), as one
// addr-replace: all or nothing. Returns 0 or a positive errno.
int swap_address(const std::string& dev, const proto::Address* old_addr, const proto::Address* new_addr);

}  // namespace ifctl::ioctl_layer
