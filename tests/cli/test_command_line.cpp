// Global options and how they are told apart from keywords.
#include <catch2/catch.hpp>

#include "command_line.hpp"

using namespace ifctl::cli;
using Args = std::vector<std::string>;

namespace {

Options ok(const Args& args) {
    Options o;
    std::string message;
    INFO(message);
    REQUIRE_FALSE(parse_command_line(args, "9.9", o, message).has_value());
    return o;
}

// Returns the exit status and the message.
std::pair<int, std::string> stops(const Args& args) {
    Options o;
    std::string message;
    const std::optional<int> status = parse_command_line(args, "9.9", o, message);
    REQUIRE(status.has_value());
    return {*status, message};
}

}  // namespace

TEST_CASE("listing options", "[command-line]") {
    CHECK(ok({}).words.empty());
    CHECK(ok({"-a"}).all);
    CHECK(ok({"-l"}).names_only);
    CHECK(ok({"-u"}).up_only);
    CHECK(ok({"-d"}).down_only);
    const Options lu = ok({"-lu", "--json"});
    CHECK(lu.names_only);
    CHECK(lu.up_only);
    CHECK(lu.json);
}

TEST_CASE("--socket takes a value, before or after NAME", "[command-line]") {
    CHECK(ok({"--socket", "/tmp/s"}).socket == "/tmp/s");
    CHECK(ok({"--socket=/tmp/s"}).socket == "/tmp/s");
    const Options o = ok({"tap0", "--socket", "/tmp/s", "up"});
    CHECK(o.socket == "/tmp/s");
    CHECK(o.words == Args{"tap0", "up"});
}

TEST_CASE("keywords that look like options stay words", "[command-line]") {
    const Options o = ok({"--json", "tap0", "inet", "10.0.0.1", "-alias", "-promisc", "--json"});
    CHECK(o.json);
    CHECK(o.words == Args{"tap0", "inet", "10.0.0.1", "-alias", "-promisc"});
    // A keyword's argument is never an option, even if it starts with '-'.
    CHECK(ok({"tap0", "metric", "-3"}).words == Args{"tap0", "metric", "-3"});
    // After "--", everything is a word.
    CHECK(ok({"--", "-weird"}).words == Args{"-weird"});
}

TEST_CASE("help and version exit 0", "[command-line]") {
    auto [status, text] = stops({"--help"});
    CHECK(status == kExitOk);
    CHECK(text.find("Usage: ifctl") != std::string::npos);
    CHECK(text.find("inet ADDR[/PREFIX]") != std::string::npos);
    CHECK(stops({"-h"}).first == kExitOk);
    CHECK(stops({"tap0", "-h"}).first == kExitOk);
    auto [vstatus, version] = stops({"--version"});
    CHECK(vstatus == kExitOk);
    CHECK(version == "ifctl 9.9");
}

TEST_CASE("usage errors exit 2", "[command-line]") {
    CHECK(stops({"-l", "tap0"}) ==
          std::pair<int, std::string>{kExitUsage, "-a, -l, -b, -u, -d and -g list interfaces; they take no interface name"});
    CHECK(stops({"-u", "-d"}).first == kExitUsage);
    CHECK(stops({"--frob"}).first == kExitUsage);
    CHECK(stops({"tap0", "-x"}).first == kExitUsage);
    CHECK(stops({"--socket"}).first == kExitUsage);
    CHECK(stops({"--frob"}).second.find("(see ifctl --help)") != std::string::npos);
}

TEST_CASE("--list-keywords: the grammar table for completion, hidden from --help", "[command-line]") {
    auto [status, text] = stops({"--list-keywords"});
    CHECK(status == kExitOk);
    CHECK(text.starts_with("create 0 - create the TAP interface"));
    CHECK(text.find("\nmtu 1 N set the MTU\n") != std::string::npos);
    CHECK(text.find("\ninet 1 ADDR[/PREFIX] ") != std::string::npos);
    CHECK(text.find("\n-alias 0 - ") != std::string::npos);
    CHECK(stops({"--help"}).second.find("list-keywords") == std::string::npos);
}

TEST_CASE("--help reads well: no parser jargon", "[command-line]") {
    const std::string help = stops({"--help"}).second;
    CHECK(help.find("Excludes") == std::string::npos);
    CHECK(help.find("Needs") == std::string::npos);
    CHECK(help.find("List only interfaces that are up (not with -d)") != std::string::npos);
    CHECK(stops({"-u", "-d"}) == std::pair<int, std::string>{kExitUsage, "-u and -d exclude each other"});
}

TEST_CASE("show NAME, list, -b, -g, -C, --format, --no-timestamp", "[command-line]") {
    Options o = ok({"show", "tap0"});
    CHECK(o.words == std::vector<std::string>{"tap0"});
    CHECK(stops({"show"}).first == kExitUsage);
    CHECK(stops({"show", "tap0", "up"}) ==
          std::pair<int, std::string>{kExitUsage, "show takes one interface name and no keywords (ifctl NAME KEYWORD ... changes it)"});
    CHECK(ok({"--", "show"}).words == std::vector<std::string>{"show"});
    CHECK(ok({"list"}).brief);
    CHECK(ok({"-b"}).brief);
    CHECK(ok({"--brief", "-u"}).brief);
    CHECK(stops({"list", "tap0"}).first == kExitUsage);
    CHECK(stops({"-b", "-l"}) == std::pair<int, std::string>{kExitUsage, "-b and -l exclude each other"});
    CHECK(ok({"-g", "vms"}).group == "vms");
    CHECK(ok({"-C"}).cloners);
    CHECK(stops({"-C", "tap0"}).first == kExitUsage);
    CHECK(ok({"--format", "inet:cidr"}).format == "inet:cidr");
    CHECK(stops({"--format", "inet:cidr", "--json"}).first == kExitUsage);
    CHECK(ok({"monitor", "--no-timestamp"}).no_timestamp);
    CHECK(stops({"--no-timestamp"}) == std::pair<int, std::string>{kExitUsage, "--no-timestamp is for ifctl monitor"});
    // -f keeps its meaning: a batch file.
    CHECK(ok({"-f", "inet:cidr"}).file == "inet:cidr");
    // ... and a format given to -f with an interface gets the --format hint.
    CHECK(stops({"-f", "inet:cidr", "tap0"}) ==
          std::pair<int, std::string>{kExitUsage, "-f inet:cidr: -f reads a batch file; for output formats say --format inet:cidr"});
    CHECK(stops({"-f", "batch.txt", "tap0"}) ==
          std::pair<int, std::string>{kExitUsage, "-f takes its interfaces and keywords from the file, not from the command line"});
}
