// Who may do what (ifctl.conf(5), [policy]). Root may do everything; anyone may
// read. Everything else is judged by one Grant: the first [[policy.rule]] whose
// users or groups name the peer, else [policy.default], else the built-in
// default (owners configure their own interfaces; nobody but root creates).
// Default deny: what a grant does not allow is refused, with a message naming
// the grant and the key that would allow it.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/core/peer.hpp"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/schema.hpp"

namespace ifctl::daemon {

struct Managed;

// What an owner may do to an interface it owns, one bit per ifctl.conf(5) name.
enum class Perm : uint32_t {
    None = 0,             // no permission of its own (judged by the values it installs)
    Address = 1u << 0,    // addr-add, addr-del, addr-replace
    Mtu = 1u << 1,
    Flags = 1u << 2,      // set-flags, except the bits below
    Lladdr = 1u << 3,
    Rename = 1u << 4,
    Multicast = 1u << 5,  // multi-add/del, IFF_ALLMULTI
    Promisc = 1u << 6,    // IFF_PROMISC
    Queue = 1u << 7,      // open-queue
    Destroy = 1u << 8,
    Metric = 1u << 9,
    Txqlen = 1u << 10,
};
inline constexpr uint32_t kAllPerms = (1u << 11) - 1;

// The configuration name of a permission ("address"), and back (0: unknown).
const char* perm_name(Perm p);
uint32_t perm_from_name(const std::string& name);

struct Prefix {
    uint8_t family = 0;  // AF_INET or AF_INET6
    std::array<uint8_t, 16> addr{};
    uint8_t len = 0;
    std::string text;  // as written, for messages
};

// What one rule (or the default) allows a non-root peer.
struct Grant {
    std::string label = "the built-in policy";  // "rule \"lab\" (/etc/ifctl.conf:12)", for messages
    bool create = false;
    std::vector<std::string> names;  // fnmatch(3) patterns a created interface's name must match; empty: any
    uint32_t max_interfaces = 8;     // interfaces one uid may own at once under this grant
    uint32_t max_queues = 0;         // create's queues; 0: only the daemon's limit
    bool vnet_hdr = false;
    bool persist = false;
    uint32_t perms = kAllPerms;      // operations on interfaces the peer owns
    std::vector<Prefix> prefixes;    // addresses an owner may set; empty: any
    uint32_t mtu_min = 0, mtu_max = UINT32_MAX;
    std::vector<std::string> rename_to;  // fnmatch(3) patterns for new names; empty: any
};

struct Rule {
    Grant grant;
    std::vector<uid_t> users;
    std::vector<gid_t> groups;
};

struct Policy {
    std::string source;  // the file it came from; empty: built in
    Grant defaults;      // for peers no rule names
    std::vector<Rule> rules;

    // The grant that judges `peer` (not root): first matching rule, else the default.
    const Grant& grant_for(const Peer& peer) const;
};

struct Decision {
    int error = 0;  // 0: allowed; else a positive errno (EPERM, EACCES)
    std::string message;
    std::string rule;  // which grant decided, for the audit log
};

// What a request is about, resolved by the dispatcher before any change.
struct Subject {
    const proto::Request& req;
    const std::string& target_name;  // for create: the name it will get (patterns resolved)
    const Managed* target = nullptr;  // the managed target, if any
    const proto::Interface* record = nullptr;  // the target as the kernel shows it, if any
    size_t owned = 0;                 // interfaces the peer's uid owns now (for create)
    std::string new_name = {};        // rename: the name NewName's pattern will give (resolved_new_name)
};

// The name a rename's NewName will give: a pattern's %d filled in as the
// kernel will fill it (the lowest free unit), so the policy judges that name.
std::string resolved_new_name(const Subject& s);

// Judges a request by its operation's descriptor (operations.hpp).
Decision authorize(const Policy& policy, const Peer& peer, const Subject& s);

enum class Value : uint8_t;
// Whether the policy judges a value an operation installs on its own, beyond
// the operation's permission (policy.cpp, kValueJudges).
bool policy_judges(Value v);

// Where the policy came from, for the audit trail: its file, or "built-in".
std::string policy_source(const Policy& p);

// Whether `peer` may configure `m` at all (the may-change bit of a record).
bool may_configure(const Peer& peer, const Managed* m);

}  // namespace ifctl::daemon
