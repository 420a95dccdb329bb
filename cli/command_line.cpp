#include "command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>

#include "grammar.hpp"
#include "output.hpp"

namespace ifctl::cli {

namespace {

constexpr const char* kUsage =
    "Usage: ifctl [-a | -l | -b] [-u | -d] [-g GROUP] [--json] [--format TYPE:FORMAT,...] [--socket PATH]\n"
    "       ifctl [show] NAME [--json]\n"
    "       ifctl NAME KEYWORD [ARG] ...\n"
    "       ifctl list   (the same as ifctl -b)\n"
    "       ifctl monitor [NAME] [--json] [--events KIND,...] [--no-timestamp]\n"
    "       ifctl -f FILE   (each line: NAME KEYWORD [ARG] ...; all or none)\n"
    "       ifctl -C | --reload\n";

// CLI11 2.1 has no way to set the usage line but through the formatter.
class Formatter : public CLI::Formatter {
public:
    std::string make_usage(const CLI::App*, std::string) const override { return kUsage; }
};

// For the shell completions (cli/completion): one keyword a line, as
// "KEYWORD NARGS SYNOPSIS HELP...", SYNOPSIS "-" when NARGS is 0.
std::string keyword_list() {
    std::string out;
    for (const KeywordInfo& k : keywords())
        out += std::string(k.word) + " " + std::to_string(k.nargs) + " " +
               std::string(k.synopsis.empty() ? "-" : k.synopsis) + " " + std::string(k.help) + "\n";
    return out;
}

// The options that take a value. split() gives such an option the argument after
// it without asking CLI11, which is then built only for a command line that has
// options at all ("ifctl tap0 up" never constructs it: CLI11's App costs more
// than the whole grammar).
constexpr std::string_view kSocket = "--socket", kFile = "-f", kEvents = "--events", kGroup = "-g",
                           kFormat = "--format";

bool takes_value(std::string_view option) {
    return option == kSocket || option == kFile || option == kEvents || option == kGroup || option == kFormat;
}

// The footer of --help: the keyword table, made only when help is asked for.
std::string help_footer() {
    return keyword_help() + "\nExit status: 0 ok, 1 an operation failed, 2 usage error. See ifctl(8).";
}

void declare(CLI::App& app, Options& o, bool& list_keywords, std::string_view version) {
    app.description("Configure the interfaces that ifctld owns, with the grammar of BSD ifconfig.");
    app.formatter(std::make_shared<Formatter>());
    app.set_version_flag("--version", "ifctl " + std::string(version));
    app.add_flag("-a", o.all, "List every interface (the default)");
    app.add_flag("-l", o.names_only, "List interface names only");
    // -u and -d exclude each other; checked after parsing, in words rather than CLI11's "Excludes:".
    app.add_flag("-u", o.up_only, "List only interfaces that are up (not with -d)");
    app.add_flag("-d", o.down_only, "List only interfaces that are down (not with -u)");
    app.add_flag("-b,--brief", o.brief, "List one line per interface: name, state, MTU, owner, addresses");
    app.add_option(std::string(kGroup), o.group, "List only the members of the interface group GROUP")
        ->type_name("GROUP");
    app.add_flag("-C", o.cloners, "List the kinds of interface create makes (tap)");
    app.add_flag("--json", o.json, "Print JSON (schema in docs/json.md)");
    app.add_option(std::string(kFormat), o.format,
                   "Text formats, FreeBSD's -f: inet:dotted|cidr|hex, inet6:numeric|cidr, ether:colon|dash|dotted, "
                   "comma-separated")
        ->type_name("TYPE:FORMAT,...");
    app.add_option(std::string(kSocket), o.socket, "The ifctld socket (default: $IFCTL_SOCKET or /run/ifctl/ifctld.sock)")
        ->type_name("PATH");
    app.add_option(std::string(kFile), o.file, "Apply the lines of FILE (- for standard input) as one transaction: all or none")
        ->type_name("FILE");
    app.add_option(std::string(kEvents), o.events,
                   "monitor: the events to print, comma-separated (link, link-added, link-removed, renamed, flags, "
                   "mtu, carrier, address, address-added, address-removed, lladdr); default all")
        ->type_name("KIND,...");
    app.add_flag("--no-timestamp", o.no_timestamp, "monitor: lines without the time of the event");
    app.add_flag("--reload", o.reload, "Ask ifctld to re-read its configuration's [policy] (root only)");
    app.add_flag("--list-keywords", list_keywords, "List the grammar's keywords, for completion")->group("");
}

// Sorts the arguments into option tokens for CLI11 and grammar words.
// The commands a first word may be: "monitor", "show" (then a name) and "list" (-b).
enum class Command { None, Monitor, Show, List };

void split(std::span<const std::string> args, std::vector<std::string>& options,
           std::vector<std::string>& words, Command& command) {
    bool after_name = false, only_words = false;
    int pending = 0;  // arguments still owed to the last keyword
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (pending > 0 || only_words) {
            words.push_back(a);
            --pending;
            continue;
        }
        if (a == "--") {
            only_words = true;
            continue;
        }
        if (after_name) {
            if (std::optional<int> n = keyword_arity(a)) {
                words.push_back(a);
                pending = *n;
                continue;
            }
        }
        if (a.size() > 1 && a[0] == '-') {
            options.push_back(a);
            // An option that takes a value (--socket PATH) owns the next argument.
            if (takes_value(a) && i + 1 < args.size()) options.push_back(args[++i]);
            continue;
        }
        if (!after_name && command == Command::None) {  // a command, not an interface
            command = a == "monitor" ? Command::Monitor : a == "show" ? Command::Show : a == "list" ? Command::List
                                                                                                      : Command::None;
            if (command != Command::None) continue;
        }
        words.push_back(a);
        after_name = true;
    }
}

}  // namespace

std::optional<int> parse_command_line(std::span<const std::string> args, std::string_view version, Options& out,
                                      std::string& message) {
    Options o;
    std::vector<std::string> options;
    Command command = Command::None;
    split(args, options, o.words, command);
    o.monitor = command == Command::Monitor;
    if (!options.empty()) {  // without options there is nothing for CLI11 to do
        CLI::App app{"", "ifctl"};
        bool list_keywords = false;
        declare(app, o, list_keywords, version);
        std::reverse(options.begin(), options.end());  // CLI11 consumes the vector from the back
        try {
            app.parse(options);
        } catch (const CLI::CallForHelp&) {
            app.footer(help_footer());
            message = app.help();
            return kExitOk;
        } catch (const CLI::CallForVersion& e) {
            message = e.what();
            return kExitOk;
        } catch (const CLI::ParseError& e) {
            message = std::string(e.what()) + " (see ifctl --help)";
            return kExitUsage;
        }
        if (list_keywords) {
            message = keyword_list();
            return kExitOk;
        }
    }
    const bool listing = o.all || o.names_only || o.up_only || o.down_only || o.brief || !o.group.empty();
    if (command == Command::List) {
        if (!o.words.empty()) {
            message = "list takes no interface name (ifctl show NAME shows one)";
            return kExitUsage;
        }
        o.brief = true;
    }
    if (command == Command::Show && o.words.size() != 1) {
        message = "show takes one interface name and no keywords (ifctl NAME KEYWORD ... changes it)";
        return kExitUsage;
    }
    if (o.up_only && o.down_only) {
        message = "-u and -d exclude each other";
        return kExitUsage;
    }
    if (o.brief && o.names_only) {
        message = "-b and -l exclude each other";
        return kExitUsage;
    }
    if (o.reload && (!o.words.empty() || o.monitor || !o.file.empty() || listing || o.json || o.cloners)) {
        message = "--reload takes no interface name and no listing option";
        return kExitUsage;
    }
    if (o.cloners && (!o.words.empty() || o.monitor || !o.file.empty() || listing)) {
        message = "-C takes no interface name and no listing option";
        return kExitUsage;
    }
    if (!o.monitor && o.no_timestamp) {
        message = "--no-timestamp is for ifctl monitor";
        return kExitUsage;
    }
    if (!o.format.empty() && o.json) {
        message = "--format is for the text output, not --json";
        return kExitUsage;
    }
    if (o.monitor && o.words.size() > 1) {
        message = "monitor takes at most one interface name";
        return kExitUsage;
    }
    if (!o.file.empty() && (!o.words.empty() || o.monitor)) {
        message = format_misread_as_file(o.file);
        if (message.empty()) message = "-f takes its interfaces and keywords from the file, not from the command line";
        return kExitUsage;
    }
    if (!o.monitor && !o.events.empty()) {
        message = "--events is for ifctl monitor";
        return kExitUsage;
    }
    if ((!o.words.empty() || o.monitor || !o.file.empty()) && listing) {
        message = "-a, -l, -b, -u, -d and -g list interfaces; they take no interface name";
        return kExitUsage;
    }
    out = std::move(o);
    return std::nullopt;
}

std::string format_misread_as_file(const std::string& file) {
    TextFormat fmt;
    std::string why;
    if (file.find(':') == std::string::npos || !parse_text_format(file, fmt, why)) return "";
    if (std::error_code ec; std::filesystem::exists(file, ec)) return "";
    return "-f " + file + ": -f reads a batch file; for output formats say --format " + file;
}

}  // namespace ifctl::cli
