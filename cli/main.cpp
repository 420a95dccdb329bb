// ifctl: the ifconfig-style front end of ifctld. Parse the command line, parse
// the keywords into a plan, then either show or apply it through the daemon.
#include <iostream>
#include <memory>

#include "actions.hpp"
#include "command_line.hpp"
#include "grammar.hpp"
#include "plan_check.hpp"
#include "show.hpp"

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
    Plan plan;
    if (!o.words.empty() && !parse_words(o.words, plan, message)) return usage_error(message);
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
        const int rc = c->reload();
        std::cerr << "ifctl: " << c->message() << "\n";
        return rc == 0 ? kExitOk : kExitFailed;
    }
    if (o.words.empty()) return show_list(*c, o);
    if (plan.actions.empty()) return show_interface(*c, plan.name, o);
    return apply_plan(*c, plan, o);
}
