// ifctl -f: the batch file parser, monitor's command line and output, and the
// wait-up keyword; all without a daemon.
#include <catch2/catch.hpp>

#include <sstream>

#include "batch_file.hpp"
#include "progress.hpp"
#include "command_line.hpp"
#include "helpers.hpp"
#include "output.hpp"
#include "value_parse.hpp"

using namespace ifctl;
using namespace ifctl::cli;

namespace {

std::vector<FileLine> parsed(const std::string& text) {
    std::istringstream in(text);
    std::vector<FileLine> lines;
    std::string error;
    INFO(error);
    REQUIRE(parse_batch_file(in, "f.txt", lines, error) == kExitOk);
    return lines;
}

std::pair<int, std::string> refused(const std::string& text) {
    std::istringstream in(text);
    std::vector<FileLine> lines;
    std::string error;
    const int status = parse_batch_file(in, "f.txt", lines, error);
    return {status, error};
}

}  // namespace

TEST_CASE("a batch file: one command line per line, comments and blank lines skipped", "[batch-file]") {
    const auto lines = parsed("# lab\n\n  lab0 create inet 10.0.0.1/24 up   # first\nlab1 create\n\t\nlab0 mtu 1400\n");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].number == 3);
    CHECK(lines[0].text == "lab0 create inet 10.0.0.1/24 up");
    CHECK(lines[0].plan.name == "lab0");
    CHECK(lines[0].plan.actions.size() == 3);
    CHECK(lines[1].number == 4);
    CHECK(lines[2].number == 6);
    CHECK(std::holds_alternative<op::Mtu>(lines[2].plan.actions[0].op));
}

TEST_CASE("a batch file's errors name the file and line, and the first one wins", "[batch-file]") {
    CHECK(refused("lab0 up\nlab0 mtu abc\nlab0 frob\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:2: lab0: mtu \"abc\": not a number"});
    CHECK(refused("lab0 up\nlab0 frob\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:2: lab0: \"frob\": not a keyword (see ifctl --help)"});
    CHECK(refused("# nothing\n\n") == std::pair<int, std::string>{kExitUsage, "f.txt: no changes in the file"});
    CHECK(refused("lab0\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:1: lab0: nothing to do (a line of a batch file changes something)"});
    CHECK(refused("lab0 up wait-up\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:1: lab0: wait-up: waiting cannot be part of a batch"});
    CHECK(refused("tap create up\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:1: tap: in a batch file, create with more keywords needs an "
                                                  "exact name (such as tap0)"});
    CHECK(refused("lab0 monitor\n").first == kExitFailed);
    CHECK(refused("lab0 owner no-such-user-ifctl\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:1: lab0: owner \"no-such-user-ifctl\": no such user"});
    // A pattern alone is fine: nothing later needs its name.
    CHECK(parsed("tap create\n").size() == 1);
}

TEST_CASE("-f on the command line", "[batch-file][command-line]") {
    Options o;
    std::string message;
    REQUIRE_FALSE(parse_command_line(std::vector<std::string>{"-f", "x.txt"}, "9", o, message));
    CHECK(o.file == "x.txt");
    REQUIRE_FALSE(parse_command_line(std::vector<std::string>{"-f", "-"}, "9", o, message));
    CHECK(o.file == "-");
    CHECK(parse_command_line(std::vector<std::string>{"-f", "x", "tap0", "up"}, "9", o, message) == kExitUsage);
    CHECK(message == "-f takes its interfaces and keywords from the file, not from the command line");
}

TEST_CASE("monitor is a command as the first word; an interface named monitor is reached after --",
          "[monitor][command-line]") {
    Options o;
    std::string message;
    REQUIRE_FALSE(parse_command_line(std::vector<std::string>{"monitor"}, "9", o, message));
    CHECK(o.monitor);
    CHECK(o.words.empty());
    REQUIRE_FALSE(parse_command_line(std::vector<std::string>{"monitor", "tap0", "--json", "--events", "mtu,link"}, "9",
                                     o, message));
    CHECK(o.monitor);
    CHECK(o.json);
    CHECK(o.events == "mtu,link");
    CHECK(o.words == std::vector<std::string>{"tap0"});
    REQUIRE_FALSE(parse_command_line(std::vector<std::string>{"--", "monitor"}, "9", o, message));
    CHECK_FALSE(o.monitor);
    CHECK(o.words == std::vector<std::string>{"monitor"});
    REQUIRE_FALSE(parse_command_line(std::vector<std::string>{"tap0", "monitor"}, "9", o, message));
    CHECK_FALSE(o.monitor);  // the ifconfig keyword
    CHECK(parse_command_line(std::vector<std::string>{"monitor", "a", "b"}, "9", o, message) == kExitUsage);
    CHECK(message == "monitor takes at most one interface name");
    CHECK(parse_command_line(std::vector<std::string>{"tap0", "--events", "mtu"}, "9", o, message) == kExitUsage);
    CHECK(message == "--events is for ifctl monitor");
}

TEST_CASE("event kinds by name", "[monitor]") {
    uint32_t mask = 0;
    std::string bad;
    CHECK(proto::parse_event_kinds("mtu,carrier", mask, bad));
    CHECK(mask == (proto::kEvMtu | proto::kEvCarrier));
    CHECK(proto::parse_event_kinds("address,link", mask, bad));
    CHECK(mask == (proto::kEvAddrAdded | proto::kEvAddrRemoved | proto::kEvLinkAdded | proto::kEvLinkRemoved |
                   proto::kEvRenamed));
    CHECK_FALSE(proto::parse_event_kinds("mtu,frob", mask, bad));
    CHECK(bad == "frob");
}

TEST_CASE("monitor's lines: text and JSON", "[monitor][output]") {
    proto::Event e;
    e.seq = 12;
    e.kind = proto::kEvMtu;
    e.index = 7;
    e.name = "tap0";
    e.managed = true;
    e.time_ms = 1000;
    e.mtu = 1400;
    e.old_mtu = 1500;
    CHECK(text_event(e) == "12 tap0 mtu 1400 was 1500 (managed)\n");
    CHECK(json_event(e) ==
          "{\"seq\":12,\"event\":\"mtu\",\"index\":7,\"name\":\"tap0\",\"managed\":true,\"time_ms\":1000,"
          "\"mtu\":1400,\"old_mtu\":1500}\n");
    e.kind = proto::kEvRenamed;
    e.old_name = "tap9";
    e.managed = false;
    CHECK(text_event(e) == "12 tap0 renamed from tap9\n");
    e.kind = proto::kEvAddrAdded;
    proto::Address a;
    a.family = 2;
    a.local = {10, 0, 0, 1};
    a.prefix = 24;
    e.address = a;
    CHECK(text_event(e) == "12 tap0 address-added inet 10.0.0.1/24\n");
    e.kind = proto::kEvFlags;
    e.flags = 0x1003;
    e.old_flags = 0x1002;
    CHECK(text_event(e) == "12 tap0 flags <UP,BROADCAST,MULTICAST> was <BROADCAST,MULTICAST>\n");
    e.kind = proto::kEvCarrier;
    e.carrier = false;
    CHECK(text_event(e) == "12 tap0 carrier off\n");
}

TEST_CASE("wait-up and its timeout", "[grammar]") {
    const Plan p = test::plan_of({"tap0", "up", "wait-up", "timeout", "2.5"});
    REQUIRE(p.actions.size() == 2);
    const auto& w = std::get<op::WaitUp>(p.actions[1].op);
    CHECK(w.timeout_ms == 2500u);
    CHECK(p.actions[1].words == "wait-up timeout 2.5");
    CHECK_FALSE(std::get<op::WaitUp>(test::plan_of({"tap0", "wait-up"}).actions[0].op).timeout_ms);
    CHECK(test::usage_error_of({"tap0", "timeout", "5"}) == "tap0: timeout \"5\": must follow \"wait-up\"");
    CHECK(test::usage_error_of({"tap0", "wait-up", "timeout", "x"}) ==
          "tap0: timeout \"x\": not a number of seconds (such as 5 or 0.25)");
}

TEST_CASE("seconds with fractions, as milliseconds", "[parsers]") {
    uint32_t ms = 0;
    std::string why;
    CHECK(parse_seconds_ms("5", ms, why));
    CHECK(ms == 5000);
    CHECK(parse_seconds_ms("0.25", ms, why));
    CHECK(ms == 250);
    CHECK(parse_seconds_ms("1.005", ms, why));
    CHECK(ms == 1005);
    CHECK(parse_seconds_ms("0", ms, why));
    CHECK(ms == 0);
    for (const char* bad : {"", ".5", "1.", "1.2345", "-1", "1e3", "0x10", "1.a"}) {
        INFO(bad);
        CHECK_FALSE(parse_seconds_ms(bad, ms, why));
    }
    CHECK_FALSE(parse_seconds_ms("86401", ms, why));
    CHECK(why == "more than a day");
}

TEST_CASE("a batch file: double quotes keep spaces in one word", "[batch-file]") {
    const auto lines = parsed("tap0 description \"uplink to vm1 # not a comment\" up # a comment\ntap1 descr \"\"x\n");
    REQUIRE(lines.size() == 2);
    REQUIRE(lines[0].plan.actions.size() == 2);
    CHECK(std::get<op::Description>(lines[0].plan.actions[0].op).text == "uplink to vm1 # not a comment");
    CHECK(std::get<op::Description>(lines[1].plan.actions[0].op).text == "x");
    CHECK(refused("tap0 up\ntap0 description \"open\n") ==
          std::pair<int, std::string>{kExitUsage, "f.txt:2: a quote is not closed"});
}

TEST_CASE("batch progress: only for long batches on a terminal", "[batch-file]") {
    std::ostringstream quiet;
    Progress off(quiet, "f.txt", 1000, false);  // not a terminal
    off.prepared(1000, 2000);
    off.applying(2000);
    off.done(2000);
    CHECK(quiet.str().empty());
    Progress short_one(quiet, "f.txt", Progress::kMinLines, true);  // a terminal, but few lines
    short_one.prepared(Progress::kMinLines, Progress::kMinLines);
    short_one.done(Progress::kMinLines);
    CHECK(quiet.str().empty());

    std::ostringstream tty;
    Progress on(tty, "f.txt", 150, true);
    on.prepared(150, 420);  // the last line always draws
    CHECK(tty.str().starts_with("\r\033[Kifctl: f.txt: 150/150 lines prepared, 420 steps ("));
    CHECK(tty.str().ends_with(" steps/s)"));
    on.applying(420);
    CHECK(tty.str().find("\r\033[Kifctl: f.txt: 150 lines, 420 steps sent; ifctld applies them as one transaction...") !=
          std::string::npos);
    on.done(420);
    CHECK(tty.str().find("\r\033[Kifctl: f.txt: 150 lines, 420 steps applied in ") != std::string::npos);
    CHECK(tty.str().ends_with(" steps/s)\n"));
    // Counted by steps, not lines: a line that makes three steps counts three.
    CHECK(Progress::summary(1000, 3000, 0.5) == "1000 lines, 3000 steps applied in 0.50 s (6000 steps/s)");
    CHECK(Progress::summary(0, 0, 0) == "0 lines, 0 steps applied in 0.00 s (0 steps/s)");
}
