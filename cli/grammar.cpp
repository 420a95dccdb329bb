#include "grammar.hpp"

#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/socket.h>

#include <functional>
#include <type_traits>

#include "suggest.hpp"
#include "value_parse.hpp"

namespace ifctl::cli {

namespace {

using Why = std::string;  // empty: accepted; otherwise why the word was refused

// What a keyword's action works on: the plan built so far.
struct Builder {
    Plan& plan;
    // FreeBSD habits: "alias ADDR" and "-alias ADDR" name the mode before the
    // address; "inet6 no_dad" names the family before other keywords. Both wait
    // here for the address that follows.
    std::optional<op::AddrMode> pending_mode;
    std::string pending_mode_word;
    uint8_t family = 0;  // from a family word without an address; 0: from the address's form

    // The previous action if it is a T: modifiers ("netmask", "alias", "queues")
    // refine the clause right before them, as in ifconfig.
    template <class T>
    T* last() {
        return plan.actions.empty() ? nullptr : std::get_if<T>(&plan.actions.back().op);
    }
    Why add(Op op) {
        plan.actions.push_back(Action{std::move(op), {}});
        return {};
    }
};

// One row of the grammar: the keyword, how many words follow it, a placeholder
// and a line for --help, and the handler made from the row's parser and action.
struct Keyword {
    std::string_view word;
    int nargs = 0;
    std::string_view synopsis;
    std::string_view help;
    std::function<Why(Builder&, std::span<const std::string>)> handle;
};

using Act0 = std::function<Why(Builder&)>;
template <class T>
using Parser = bool (*)(std::string_view, T&, std::string&);
template <class T>
using Act1 = std::function<Why(Builder&, T&)>;

Keyword word0(std::string_view word, std::string_view help, Act0 act) {
    return {word, 0, {}, help, [act](Builder& b, std::span<const std::string>) { return act(b); }};
}

// A keyword with one argument: `parse` turns the word into a T, `act` uses it.
template <class T>
Keyword word1(std::string_view word, std::string_view synopsis, std::string_view help, Parser<T> parse,
              std::type_identity_t<Act1<T>> act) {
    return {word, 1, synopsis, help, [parse, act](Builder& b, std::span<const std::string> args) {
                T value{};
                std::string why;
                if (!parse(args[0], value, why)) return why;
                return act(b, value);
            }};
}

// ---- the actions shared by several rows ----

Act0 flag(uint32_t bits, bool on) {
    return [bits, on](Builder& b) { return b.add(op::Flags{on ? bits : 0, bits}); };
}

// Linux has IFF_NOARP, BSD speaks of "arp": the set sense is inverted.
Act0 arp(bool on) {
    return [on](Builder& b) { return b.add(op::Flags{on ? 0u : uint32_t(IFF_NOARP), IFF_NOARP}); };
}

// Runs `f` on the preceding inet/inet6 clause; `family` 0 accepts either.
Why with_addr(Builder& b, uint8_t family, const std::function<Why(op::Addr&)>& f) {
    op::Addr* a = b.last<op::Addr>();
    if (!a) return family == AF_INET ? "must follow \"inet ADDR\"" : "must follow \"inet ADDR\" or \"inet6 ADDR\"";
    if (family && a->addr.family != family) return family == AF_INET ? "only applies to inet" : "only applies to inet6";
    return f(*a);
}

// alias, -alias and their FreeBSD synonyms: refine the address before them, or,
// with none before, the one that follows ("alias 10.0.0.4/24").
Act0 addr_mode(op::AddrMode mode, std::string_view word) {
    return [mode, word](Builder& b) {
        if (op::Addr* a = b.last<op::Addr>()) {
            a->mode = mode;
            return Why{};
        }
        if (b.pending_mode) return "follows \"" + b.pending_mode_word + "\" without an address between them";
        b.pending_mode = mode;
        b.pending_mode_word = word;
        return Why{};
    };
}

// A new address clause; a mode named before it ("alias ADDR") applies to it.
Why add_address(Builder& b, AddrArg& arg, op::AddrMode mode) {
    if (b.family && arg.addr.family != b.family)
        return b.family == AF_INET ? "not an inet address (inet was named before it)"
                                   : "not an inet6 address (inet6 was named before it)";
    std::string words;
    if (b.pending_mode) {
        mode = *b.pending_mode;
        words = b.pending_mode_word;  // the clause's words start with it
    }
    b.pending_mode.reset();
    b.plan.actions.push_back(Action{op::Addr{arg.addr, arg.has_prefix, mode}, words});
    return {};
}

// The other end of a point-to-point address, given with "dest" or in FreeBSD's
// positional form ("inet 10.5.0.1 10.5.0.2").
Why set_peer(op::Addr& a, std::string_view s) {
    std::array<uint8_t, 16> peer{};
    std::string why;
    if (!parse_host(s, a.addr.family, peer, why)) return why;
    a.addr.peer = peer;
    // A point-to-point address covers itself only, unless told.
    if (!a.has_prefix) a.addr.prefix = static_cast<uint8_t>(a.addr.length() * 8);
    return Why{};
}

// A word that is no keyword but an address: FreeBSD's family-less form. The
// family is the one named before, else inet6 for a word with ':', else inet.
// Right after an address clause, a plain address is its destination.
bool bare_address(Builder& b, const std::string& word, Why& why) {
    const uint8_t family = b.family ? b.family : word.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    AddrArg arg;
    std::string ignored;
    const auto parse = [&](uint8_t f) { return f == AF_INET ? parse_inet(word, arg, ignored) : parse_inet6(word, arg, ignored); };
    if (!parse(family)) {
        // An address of the other family after "inet" or "inet6": say so.
        if (!b.family || !parse(family == AF_INET ? AF_INET6 : AF_INET)) return false;
        why = add_address(b, arg, op::AddrMode::Add);
        return true;
    }
    op::Addr* a = b.last<op::Addr>();
    if (a && !arg.has_prefix && !a->addr.peer && a->mode != op::AddrMode::Delete) {
        why = set_peer(*a, word);
        return true;
    }
    why = add_address(b, arg, family == AF_INET ? op::AddrMode::Set : op::AddrMode::Add);
    return true;
}

// TAP offloads. As FreeBSD's drivers do, segmentation needs checksum offload:
// turning TSO on turns txcsum on, turning txcsum off turns TSO off.
constexpr uint32_t kCsum = TUN_F_CSUM, kTso4 = TUN_F_TSO4, kTso6 = TUN_F_TSO6;
Act0 offloads(uint32_t on, uint32_t off) {
    return [on, off](Builder& b) { return b.add(op::Offloads{on, off}); };
}

Act0 inet6_opt(std::optional<bool> op::Inet6Opts::*field, bool on) {
    return [field, on](Builder& b) {
        op::Inet6Opts o;
        o.*field = on;
        return b.add(o);
    };
}

// A description: IFLA_IFALIAS holds up to 255 bytes.
bool parse_description(std::string_view s, std::string& out, std::string& why) {
    if (s.empty()) {
        why = "cannot be empty (-description removes it)";
        return false;
    }
    if (s.size() > 255) {
        why = "at most 255 characters";
        return false;
    }
    out = s;
    return true;
}

// An interface group name, by FreeBSD's rules: at most 15 characters, and no
// digit at the end (it would read as an interface name).
bool parse_group_name(std::string_view s, std::string& out, std::string& why) {
    if (s.empty() || s.size() > 15) {
        why = "a group name has 1 to 15 characters";
        return false;
    }
    if (s.back() >= '0' && s.back() <= '9') {
        why = "a group name cannot end in a digit";
        return false;
    }
    for (char c : s)
        if (c == '/' || c == ':' || c == ' ' || c == '\t') {
            why = "a group name cannot contain '/', ':' or spaces";
            return false;
        }
    out = s;
    return true;
}

// Runs `f` on the preceding create clause.
Why with_create(Builder& b, const std::function<Why(op::Create&)>& f) {
    op::Create* c = b.last<op::Create>();
    if (!c) return "must follow \"create\"";
    return f(*c);
}

// persist / -persist: a create option right after create, else a change of its own.
Why persist(Builder& b, bool on) {
    if (op::Create* c = b.last<op::Create>()) {
        c->persistent = on;
        return Why{};
    }
    return b.add(op::Persist{on});
}

bool parse_lladdr(std::string_view s, op::Lladdr& out, std::string& why) {
    if (s == "random") {
        out = op::Lladdr{{}, true};
        return true;
    }
    return parse_unicast_mac(s, out.mac, why);
}

bool parse_inet_host(std::string_view s, std::array<uint8_t, 16>& out, std::string& why) {
    return parse_host(s, AF_INET, out, why);
}

Why lladdr(Builder& b, op::Lladdr& l) { return b.add(l); }

Why set_create(Builder& b) {
    // Creating something that then gets other changes first would be surprising.
    if (!b.plan.actions.empty()) return "must come first, right after the interface name";
    std::string name = b.plan.name;
    // A name without a unit number ("tap") asks the daemon for the next free one.
    const bool has_unit = !name.empty() && name.back() >= '0' && name.back() <= '9';
    if (!has_unit && name.find('%') == std::string::npos) name += "%d";
    op::Create c;
    c.name = name;
    return b.add(c);
}

// ---- the grammar ----

const std::vector<Keyword>& table() {
    using op::AddrMode;
    static const std::vector<Keyword> rows = {
        word0("create", "create the TAP interface (a name without unit picks the next free one)", set_create),
        word1<uint32_t>("queues", "N", "create: number of queues", parse_u32,
                        [](Builder& b, uint32_t& n) {
                            if (n == 0) return Why{"must be at least 1"};
                            return with_create(b, [n](op::Create& c) {
                                c.queues = n;
                                return Why{};
                            });
                        }),
        word1<std::string>("owner", "USER", "the user who may configure it (after create, or root changing it)",
                           parse_word,
                           [](Builder& b, std::string& user) {
                               if (op::Create* c = b.last<op::Create>()) {
                                   c->owner = user;
                                   return Why{};
                               }
                               return b.add(op::Owner{user});
                           }),
        word1<std::string>("tapgroup", "GROUP", "create: the group whose members may attach to the TAP", parse_word,
                           [](Builder& b, std::string& group) {
                               return with_create(b, [&group](op::Create& c) {
                                   c.tap_group = group;
                                   return Why{};
                               });
                           }),
        word1<std::string>("group", "NAME", "join the interface group NAME (FreeBSD's groups; ifctl -g NAME lists them)",
                           parse_group_name,
                           [](Builder& b, std::string& name) {
                               if (b.last<op::Create>())
                                   return Why{"right after create, the group whose members may attach to the TAP is "
                                              "\"tapgroup GROUP\"; for an interface group, put \"group NAME\" "
                                              "after another keyword"};
                               return b.add(op::IfGroup{name, true});
                           }),
        word1<std::string>("-group", "NAME", "leave the interface group NAME", parse_group_name,
                           [](Builder& b, std::string& name) { return b.add(op::IfGroup{name, false}); }),
        word1<std::string>("description", "TEXT", "a description of the interface (the kernel's ifalias)",
                           parse_description,
                           [](Builder& b, std::string& text) { return b.add(op::Description{text}); }),
        word1<std::string>("descr", "TEXT", "the same as description", parse_description,
                           [](Builder& b, std::string& text) { return b.add(op::Description{text}); }),
        word0("-description", "remove the description", [](Builder& b) { return b.add(op::Description{}); }),
        word0("-descr", "the same as -description", [](Builder& b) { return b.add(op::Description{}); }),
        word0("vnet_hdr", "create: frames carry a virtio-net header", [](Builder& b) {
            return with_create(b, [](op::Create& c) {
                c.vnet_hdr = true;
                return Why{};
            });
        }),
        word0("persist", "keep it across ifctld stops and reboots (with create, or later)",
              [](Builder& b) { return persist(b, true); }),
        word0("-persist", "destroy it when ifctld stops (the default)", [](Builder& b) { return persist(b, false); }),
        word1<std::string>("netns", "PID|FILE", "move it into the network namespace of a process or a namespace file",
                           parse_word, [](Builder& b, std::string& where) { return b.add(op::Netns{where}); }),
        word1<std::string>("vnet", "PID|FILE", "the same as netns (FreeBSD's word)", parse_word,
                           [](Builder& b, std::string& where) { return b.add(op::Netns{where}); }),
        word1<uint64_t>("uniqueid", "ID", "create: the unique id to recycle", parse_u64,
                        [](Builder& b, uint64_t& id) {
                            if (id == 0) return Why{"must be at least 1"};
                            return with_create(b, [id](op::Create& c) {
                                c.unique_id = id;
                                return Why{};
                            });
                        }),
        word0("-vnet", "move it back from another network namespace into ifctld's own",
              [](Builder& b) { return b.add(op::MoveHome{}); }),
        word0("destroy", "destroy the interface", [](Builder& b) { return b.add(op::Destroy{}); }),

        word1<AddrArg>("inet", "ADDR[/PREFIX]", "set the first IPv4 address (with alias: add one)", parse_inet,
                       [](Builder& b, AddrArg& a) { return add_address(b, a, AddrMode::Set); }),
        word1<AddrArg>("inet6", "ADDR[/PREFIX]", "add an IPv6 address (prefix 64 by default)", parse_inet6,
                       [](Builder& b, AddrArg& a) { return add_address(b, a, AddrMode::Add); }),
        word1<uint8_t>("netmask", "MASK", "inet: netmask as prefix, a.b.c.d or 0xhhhhhhhh", parse_netmask,
                       [](Builder& b, uint8_t& prefix) {
                           return with_addr(b, AF_INET, [prefix](op::Addr& a) {
                               a.addr.prefix = prefix;
                               a.has_prefix = true;
                               return Why{};
                           });
                       }),
        word1<uint32_t>("prefixlen", "N", "the prefix length of the address", parse_u32,
                        [](Builder& b, uint32_t& n) {
                            return with_addr(b, 0, [n](op::Addr& a) {
                                const size_t max = a.addr.length() * 8;
                                if (n > max) return "must be from 0 to " + std::to_string(max);
                                a.addr.prefix = static_cast<uint8_t>(n);
                                a.has_prefix = true;
                                return Why{};
                            });
                        }),
        word1<std::array<uint8_t, 16>>("broadcast", "ADDR", "inet: the broadcast address", parse_inet_host,
                                       [](Builder& b, std::array<uint8_t, 16>& bc) {
                                           return with_addr(b, AF_INET, [&bc](op::Addr& a) {
                                               a.addr.broadcast = Inet4{bc[0], bc[1], bc[2], bc[3]};
                                               return Why{};
                                           });
                                       }),
        word1<std::string>("dest", "ADDR", "the other end of a point-to-point address", parse_word,
                           [](Builder& b, std::string& s) {
                               return with_addr(b, 0, [&s](op::Addr& a) { return set_peer(a, s); });
                           }),
        word0("alias", "add the address instead of replacing the first (before or after it)",
              addr_mode(AddrMode::Add, "alias")),
        word0("add", "the same as alias", addr_mode(AddrMode::Add, "add")),
        word0("-alias", "delete the address (before or after it)", addr_mode(AddrMode::Delete, "-alias")),
        word0("delete", "the same as -alias", addr_mode(AddrMode::Delete, "delete")),
        word0("remove", "the same as -alias", addr_mode(AddrMode::Delete, "remove")),
        word0("no_dad", "inet6: add addresses without duplicate address detection",
              inet6_opt(&op::Inet6Opts::no_dad, true)),
        word0("-no_dad", "inet6: duplicate address detection for new addresses (the default)",
              inet6_opt(&op::Inet6Opts::no_dad, false)),
        word0("auto_linklocal", "inet6: the kernel gives it a link-local address when up (the default)",
              inet6_opt(&op::Inet6Opts::auto_linklocal, true)),
        word0("-auto_linklocal", "inet6: no automatic link-local address",
              inet6_opt(&op::Inet6Opts::auto_linklocal, false)),

        word1<uint32_t>("mtu", "N", "set the MTU", parse_u32,
                        [](Builder& b, uint32_t& n) { return b.add(op::Mtu{n}); }),
        word1<int32_t>("metric", "N", "set the routing metric", parse_s32,
                       [](Builder& b, int32_t& n) { return b.add(op::Metric{n}); }),
        word1<uint32_t>("txqueuelen", "N", "set the transmit queue length", parse_u32,
                        [](Builder& b, uint32_t& n) { return b.add(op::Txqlen{n}); }),
        word1<op::Lladdr>("ether", "MAC", "set the MAC address (\"random\": a new random one)", parse_lladdr, lladdr),
        word1<op::Lladdr>("lladdr", "MAC", "same as ether", parse_lladdr, lladdr),
        word1<std::string>("name", "NEW", "rename the interface", parse_ifname,
                           [](Builder& b, std::string& n) { return b.add(op::Rename{n}); }),

        word0("up", "mark the interface up", flag(IFF_UP, true)),
        word0("down", "mark the interface down", flag(IFF_UP, false)),
        word0("promisc", "receive all frames", flag(IFF_PROMISC, true)),
        word0("-promisc", "stop receiving all frames", flag(IFF_PROMISC, false)),
        word0("allmulti", "receive all multicast frames", flag(IFF_ALLMULTI, true)),
        word0("-allmulti", "stop receiving all multicast frames", flag(IFF_ALLMULTI, false)),
        word0("arp", "use ARP", arp(true)),
        word0("-arp", "do not use ARP", arp(false)),
        word0("txcsum", "TAP with vnet_hdr: checksum offload", offloads(kCsum, 0)),
        word0("-txcsum", "no checksum offload (and so no TSO)", offloads(0, kCsum | kTso4 | kTso6)),
        word0("tso", "TAP with vnet_hdr: TCP segmentation offload, IPv4 and IPv6 (with txcsum)",
              offloads(kCsum | kTso4 | kTso6, 0)),
        word0("-tso", "no TCP segmentation offload", offloads(0, kTso4 | kTso6)),
        word0("tso4", "TCP segmentation offload for IPv4 (with txcsum)", offloads(kCsum | kTso4, 0)),
        word0("-tso4", "no TCP segmentation offload for IPv4", offloads(0, kTso4)),
        word0("tso6", "TCP segmentation offload for IPv6 (with txcsum)", offloads(kCsum | kTso6, 0)),
        word0("-tso6", "no TCP segmentation offload for IPv6", offloads(0, kTso6)),
        word0("monitor", "monitor mode", [](Builder& b) { return b.add(op::Unsupported{"monitor"}); }),
        word0("-monitor", "leave monitor mode", [](Builder& b) { return b.add(op::Unsupported{"monitor"}); }),
        word0("wait-up", "wait until the interface is up with carrier (changes nothing)",
              [](Builder& b) { return b.add(op::WaitUp{}); }),
        word1<uint32_t>("timeout", "SECONDS", "wait-up: give up after this long (fractions allowed)", parse_seconds_ms,
                        [](Builder& b, uint32_t& ms) {
                            op::WaitUp* w = b.last<op::WaitUp>();
                            if (!w) return Why{"must follow \"wait-up\""};
                            w->timeout_ms = ms;
                            return Why{};
                        }),
        word1<Mac>("addm", "MAC", "join a link-level multicast group", parse_multicast_mac,
                   [](Builder& b, Mac& m) { return b.add(op::Multicast{m, true}); }),
        word1<Mac>("deletem", "MAC", "leave a link-level multicast group", parse_multicast_mac,
                   [](Builder& b, Mac& m) { return b.add(op::Multicast{m, false}); }),
    };
    return rows;
}

const Keyword* find_keyword(std::string_view word) {
    for (const Keyword& k : table())
        if (k.word == word) return &k;
    return nullptr;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Why `word` is refused: a sentence for FreeBSD words that mean something else
// here, else the closest keywords.
std::string not_a_keyword(std::string_view word) {
    if (std::string_view hint = foreign_word_hint(word); !hint.empty()) return std::string(hint);
    std::vector<std::string_view> all;
    for (const Keyword& k : table()) all.push_back(k.word);
    const std::vector<std::string_view> near = closest_words(word, all);
    std::string s = "not a keyword";
    for (size_t i = 0; i < near.size(); ++i)
        s += (i == 0 ? "; did you mean " : i + 1 == near.size() ? " or " : ", ") + quoted(near[i]);
    return s + (near.empty() ? " (see ifctl --help)" : "?");
}

}  // namespace

bool parse_words(std::span<const std::string> words, Plan& out, std::string& error) {
    Plan plan;
    std::string why;
    if (words.empty() || !parse_ifname(words[0], plan.name, why)) {
        error = quoted(words.empty() ? "" : words[0]) + ": " + why;
        return false;
    }
    Builder b{plan, {}, {}, 0};
    for (size_t i = 1; i < words.size();) {
        const std::string& word = words[i];
        // Built only for a message: an accepted word costs no string.
        const auto where = [&] { return plan.name + ": " + word; };
        if (b.last<op::Destroy>()) {
            error = where() + ": nothing may follow \"destroy\"";
            return false;
        }
        // "inet6 no_dad", "inet alias ADDR": a family word before other keywords.
        if ((word == "inet" || word == "inet6") && i + 1 < words.size() && find_keyword(words[i + 1])) {
            b.family = word == "inet" ? AF_INET : AF_INET6;
            ++i;
            continue;
        }
        const Keyword* k = find_keyword(word);
        if (!k) {
            Why why;
            if (!bare_address(b, word, why)) {
                error = plan.name + ": " + quoted(word) + ": " + not_a_keyword(word);
                return false;
            }
            if (!why.empty()) {
                error = where() + ": " + why;
                return false;
            }
            std::string& text = plan.actions.back().words;
            text += (text.empty() ? "" : " ") + word;
            ++i;
            continue;
        }
        if (i + k->nargs >= words.size()) {
            error = where() + ": missing " + std::string(k->synopsis);
            return false;
        }
        const auto args = words.subspan(i + 1, k->nargs);
        if (Why w = k->handle(b, args); !w.empty()) {
            error = where() + (args.empty() ? "" : " " + quoted(args[0])) + ": " + w;
            return false;
        }
        // A mode named before its address ("alias 10.0.0.4/24") waits for it.
        if (b.pending_mode && b.pending_mode_word == word) {
            i += 1;
            continue;
        }
        // The words belong to the clause they created or refined.
        std::string& text = plan.actions.back().words;
        for (size_t n = i; n <= i + k->nargs; ++n) {
            if (!text.empty()) text += ' ';
            text += words[n];
        }
        i += 1 + k->nargs;
    }
    if (b.pending_mode) {
        error = plan.name + ": " + b.pending_mode_word + ": no address follows it";
        return false;
    }
    out = std::move(plan);
    return true;
}

std::optional<int> keyword_arity(std::string_view word) {
    const Keyword* k = find_keyword(word);
    return k ? std::optional<int>(k->nargs) : std::nullopt;
}

std::vector<KeywordInfo> keywords() {
    std::vector<KeywordInfo> out;
    for (const Keyword& k : table()) out.push_back({k.word, k.nargs, k.synopsis, k.help});
    return out;
}

std::string keyword_help() {
    std::string out = "Keywords (after NAME, applied left to right):\n";
    for (const KeywordInfo& k : keywords()) {
        std::string left = "  " + std::string(k.word) + (k.synopsis.empty() ? "" : " " + std::string(k.synopsis));
        left.resize(std::max<size_t>(left.size() + 1, 26), ' ');
        out += left + std::string(k.help) + "\n";
    }
    return out;
}

}  // namespace ifctl::cli
