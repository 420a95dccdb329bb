#include "grammar.hpp"

#include <net/if.h>
#include <sys/socket.h>

#include <functional>
#include <type_traits>

#include "value_parse.hpp"

namespace ifctl::cli {

namespace {

using Why = std::string;  // empty: accepted; otherwise why the word was refused

// What a keyword's action works on: the plan built so far.
struct Builder {
    Plan& plan;

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

Act0 addr_mode(op::AddrMode mode) {
    return [mode](Builder& b) {
        return with_addr(b, 0, [mode](op::Addr& a) {
            a.mode = mode;
            return Why{};
        });
    };
}

Why add_address(Builder& b, AddrArg& arg, op::AddrMode mode) {
    return b.add(op::Addr{arg.addr, arg.has_prefix, mode});
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
        word1<std::string>("group", "GROUP", "create: the group whose members may attach to the TAP", parse_word,
                           [](Builder& b, std::string& group) {
                               return with_create(b, [&group](op::Create& c) {
                                   c.group = group;
                                   return Why{};
                               });
                           }),
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
                               return with_addr(b, 0, [&s](op::Addr& a) {
                                   std::array<uint8_t, 16> peer{};
                                   std::string why;
                                   if (!parse_host(s, a.addr.family, peer, why)) return why;
                                   a.addr.peer = peer;
                                   // A point-to-point address covers itself only, unless told.
                                   if (!a.has_prefix) a.addr.prefix = static_cast<uint8_t>(a.addr.length() * 8);
                                   return Why{};
                               });
                           }),
        word0("alias", "add the address instead of replacing the first", addr_mode(AddrMode::Add)),
        word0("-alias", "delete the address", addr_mode(AddrMode::Delete)),
        word0("delete", "delete the address", addr_mode(AddrMode::Delete)),

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

}  // namespace

bool parse_words(std::span<const std::string> words, Plan& out, std::string& error) {
    Plan plan;
    std::string why;
    if (words.empty() || !parse_ifname(words[0], plan.name, why)) {
        error = quoted(words.empty() ? "" : words[0]) + ": " + why;
        return false;
    }
    Builder b{plan};
    for (size_t i = 1; i < words.size();) {
        const std::string& word = words[i];
        // Built only for a message: an accepted word costs no string.
        const auto where = [&] { return plan.name + ": " + word; };
        const Keyword* k = find_keyword(word);
        if (!k) {
            error = plan.name + ": " + quoted(word) + ": not a keyword (see ifctl --help)";
            return false;
        }
        if (b.last<op::Destroy>()) {
            error = where() + ": nothing may follow \"destroy\"";
            return false;
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
        // The words belong to the clause they created or refined.
        std::string& text = plan.actions.back().words;
        for (size_t n = i; n <= i + k->nargs; ++n) {
            if (!text.empty()) text += ' ';
            text += words[n];
        }
        i += 1 + k->nargs;
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
