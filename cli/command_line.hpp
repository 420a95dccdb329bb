// The command line: global options (CLI11) and the words of the ifconfig
// grammar. ifconfig keywords such as "-alias" look like options, so the
// arguments are first split: before NAME, "-x" is an option; after it, a
// known keyword and its arguments are words and anything else starting with
// '-' is an option ("ifctl tap0 --json" works, "ifctl tap0 inet X -alias" too).
// "monitor", "show" and "list" as the first word are commands (ifctl monitor
// [NAME], ifctl show NAME, ifctl list); an interface of that name is reached
// after "--".
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ifctl::cli {

struct Options {
    bool all = false;         // -a: every interface (also the default without NAME)
    bool names_only = false;  // -l
    bool up_only = false;     // -u
    bool down_only = false;   // -d
    bool json = false;        // --json
    std::string socket;       // --socket; empty: $IFCTL_SOCKET or the default path
    bool reload = false;      // --reload: ask ifctld to re-read its policy (root)
    std::vector<std::string> words;  // NAME and its keywords; empty: a listing
    bool monitor = false;     // "ifctl monitor [NAME]": print events; words holds NAME if given
    std::string events;       // --events KIND,...: which events monitor prints (empty: all)
    std::string file;         // -f FILE ("-": standard input): apply its lines as one batch
    bool brief = false;       // -b, "ifctl list": one line per interface
    bool cloners = false;     // -C: the kinds of interface create can make
    std::string group;        // -g NAME: the members of an interface group
    std::string format;       // --format TYPE:FORMAT,...: FreeBSD's -f output formats
    bool no_timestamp = false;  // --no-timestamp: monitor lines without their time
};

// Exit statuses, as documented in ifctl(8).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Parses `args` (without argv[0]). Returns nullopt if the program should go on
// with `out`; otherwise the exit status, with `message` to print: help or
// version text (status 0, to stdout) or a usage error (status 2, to stderr,
// without the "ifctl: " prefix).
std::optional<int> parse_command_line(std::span<const std::string> args, std::string_view version, Options& out,
                                      std::string& message);

// FreeBSD's -f names output formats ("-f inet:cidr"); here -f reads a batch
// file. For a -f argument that is no file but reads as a format, the usage
// error that points at --format; empty otherwise.
std::string format_misread_as_file(const std::string& file);

}  // namespace ifctl::cli
