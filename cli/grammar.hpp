// The ifconfig keyword grammar: one table of keywords (grammar.cpp) turns the
// words after the interface name into a Plan, a list of actions to apply left
// to right. Pure: no daemon, no system lookups, so every keyword and every
// usage error is unit-tested.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "addr_parse.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::cli {

// One alternative per kind of change; the actions layer has one apply function each.
namespace op {
struct Create {
    std::string name;  // exact name, or a pattern with %d ("tap%d")
    uint32_t queues = 0;                 // 0: the daemon's default
    std::optional<std::string> owner;    // user name or uid, resolved when applied
    std::optional<std::string> tap_group;  // group name or gid recorded with the TAP (its kernel group stays root)
    bool vnet_hdr = false;               // frames with a virtio-net header
    bool persistent = false;             // outlives ifctld stops and reboots
    uint64_t unique_id = 0;              // 0: none; else recycle the slot of this "ether" id
};
struct Destroy {};
enum class AddrMode { Set, Add, Delete };  // Set: replace the first inet address (ifconfig)
struct Addr {
    proto::Address addr;
    bool has_prefix = false;  // false: a Delete matches the address alone
    AddrMode mode = AddrMode::Set;
};
struct Flags {
    uint32_t flags = 0, mask = 0;  // Linux IFF_* values
};
struct Mtu { uint32_t mtu = 0; };
struct Metric { int32_t metric = 0; };
struct Txqlen { uint32_t qlen = 0; };
struct Lladdr {
    Mac mac{};
    bool random = false;  // a fresh locally administered address, drawn when applied
};
struct Rename { std::string name; };
struct Owner { std::string user; };  // user name or uid, resolved when applied
struct Multicast {
    Mac mac{};
    bool join = true;
};
struct Persist { bool on = true; };  // persist / -persist on an existing interface
struct Netns { std::string where; };  // a pid (digits) or a namespace file
struct MoveHome {};  // back from another network namespace (-vnet)
// TAP offloads (TUN_F_* bits) to turn on and off; the others stay as they are.
struct Offloads { uint32_t on = 0, off = 0; };
struct Description { std::string text; };  // empty: remove it
struct IfGroup {  // an interface group (FreeBSD's "group NAME")
    std::string name;
    bool join = true;
};
// inet6 per-interface settings; unset ones stay as they are.
struct Inet6Opts {
    std::optional<bool> no_dad, auto_linklocal;
};
// A keyword the grammar knows but this ifctld cannot do yet; applying it fails.
struct Unsupported { std::string feature; };
// Wait until the interface is up with carrier (changes nothing).
struct WaitUp {
    std::optional<uint32_t> timeout_ms;  // none: no limit
};
}  // namespace op

using Op = std::variant<op::Create, op::Destroy, op::Addr, op::Flags, op::Mtu, op::Metric, op::Txqlen,
                        op::Lladdr, op::Rename, op::Owner, op::Multicast, op::Persist, op::Netns,
                        op::Unsupported, op::WaitUp, op::Offloads, op::Description, op::IfGroup,
                        op::Inet6Opts, op::MoveHome>;

struct Action {
    Op op;
    std::string words;  // the words that asked for it ("inet 10.0.0.1/24 alias"), for messages
};

struct Plan {
    std::string name;             // the interface named on the command line
    std::vector<Action> actions;  // empty: show the interface
};

// Parses `words` (the interface name, then keywords). On a usage error returns
// false with `error` naming the offending word and why ("tap0: mtu \"abc\": not a number").
bool parse_words(std::span<const std::string> words, Plan& out, std::string& error);

// How many words follow `word` if it is a keyword; nullopt if it is not one.
// The command line uses this to tell "-alias" (a keyword) from an option.
std::optional<int> keyword_arity(std::string_view word);

// One row of the grammar table as others see it: the keyword, how many words
// follow it, their placeholder ("N", "ADDR[/PREFIX]"; empty without) and a line
// of help. --help and --list-keywords are made from these, so they never drift.
struct KeywordInfo {
    std::string_view word;
    int nargs = 0;
    std::string_view synopsis;
    std::string_view help;
};
std::vector<KeywordInfo> keywords();

// The keyword list for --help, generated from the table so it never drifts.
std::string keyword_help();

}  // namespace ifctl::cli
