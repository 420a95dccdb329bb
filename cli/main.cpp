// ifctl: the ifconfig-style front end of ifctld. Parse the command line, parse
// the keywords into a plan, then either show or apply it through the daemon.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "actions.hpp"
#include "batch_file.hpp"
#include "command_line.hpp"
#include "grammar.hpp"
#include "monitor.hpp"
#include "output.hpp"
#include "plan_check.hpp"
#include "show.hpp"
#include "value_parse.hpp"

using namespace ifctl;
using namespace ifctl::cli;

namespace {

int usage_error(const std::string& message) {
    std::cerr << "ifctl: " << message << "\n";
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    Options o;
    std::string message;
    if (std::optional<int> status = parse_command_line(args, IFCTL_VERSION, o, message)) {
        if (*status == kExitOk) std::cout << message << (message.ends_with('\n') ? "" : "\n");
        else usage_error(message);
        return *status;
    }
    uint32_t kinds = proto::kAllEvents;
    if (o.monitor) {
        std::string name, bad;
        if (!o.words.empty() && !parse_ifname(o.words.front(), name, bad))
            return usage_error("monitor: \"" + o.words.front() + "\": " + bad);
        if (!o.events.empty() && !proto::parse_event_kinds(o.events, kinds, bad))
            return usage_error("--events: \"" + bad + "\" is not a kind of event (see ifctl --help)");
    }
    if (o.cloners) return show_cloners(o);
    if (TextFormat fmt; !parse_text_format(o.format, fmt, message)) return usage_error("--format: " + message);
    std::vector<FileLine> lines;
    const std::string label = o.file == "-" ? "<stdin>" : o.file;
    if (!o.file.empty()) {
        std::ifstream f;
        if (o.file != "-") {
            f.open(o.file);
            if (!f) {
                const int err = errno;
                if (const std::string hint = format_misread_as_file(o.file); !hint.empty()) return usage_error(hint);
                std::cerr << "ifctl: " << o.file << ": " << std::strerror(err) << "\n";
                return kExitFailed;
            }
        }
        if (int status = parse_batch_file(o.file == "-" ? std::cin : f, label, lines, message); status != kExitOk) {
            std::cerr << "ifctl: " << message << " (nothing applied)\n";
            return status;
        }
    }
    Plan plan;
    if (!o.monitor && !o.words.empty() && !parse_words(o.words, plan, message)) return usage_error(message);
    if (int status = check_plan(plan, message); status != kExitOk) {
        std::cerr << "ifctl: " << message << "\n";
        return status;
    }

    std::unique_ptr<client::Connection> c;
    const std::string socket = o.socket.empty() ? client::default_socket_path() : o.socket;
    if (client::Connection::open(socket, c, message, "ifctl " IFCTL_VERSION) < 0) {
        std::cerr << "ifctl: " << message << "\n";  // says how to start the daemon
        return kExitFailed;
    }
    if (o.reload) {
        const client::Result r = c->reload();
        std::cerr << "ifctl: " << r.message << "\n";
        return r.ok() ? kExitOk : kExitFailed;
    }
    if (o.monitor) return run_monitor(*c, o, kinds);
    if (!o.file.empty()) return apply_file(*c, lines, label, o);
    if (o.words.empty()) return show_list(*c, o);
    if (plan.actions.empty()) return show_interface(*c, plan.name, o);
    return apply_plan(*c, plan, o);
}
