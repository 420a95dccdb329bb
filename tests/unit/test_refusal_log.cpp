// RefusalLog: connections refused at accept are told in few lines. Within an
// interval each uid's first refusal is audited in full, the rest only counted;
// one summary line per uid follows at the interval's end.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/server/refusal_log.hpp"

using namespace ifctl;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

size_t count_with(const std::vector<std::string>& lines, const std::string& part) {
    size_t n = 0;
    for (const auto& l : lines) n += l.find(part) != std::string::npos;
    return n;
}

}  // namespace

TEST_CASE("refused connections write one audit record and one summary line per uid and interval") {
    ::unsetenv("JOURNAL_STREAM");  // plain lines, captured below
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>("refusals", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_pattern("%v");
    const auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);

    boost::asio::io_context io;
    daemon::RefusalLog log(io, std::chrono::seconds(1));
    daemon::Peer a, b;
    a.uid = 4242;
    a.pid = 10;
    a.comm = "flood";
    b.uid = 4343;
    b.pid = 11;
    b.comm = "other";
    // Before the first refusal, which starts the interval: the summary comes no sooner.
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) log.refused(a, EUSERS, "too many connections", "limits.max_connections_per_uid");
    for (int i = 0; i < 5; ++i) log.refused(b, EMFILE, "descriptors kept for root", "limits.reserved_fds");

    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() == 2);  // the two first refusals, audited; the rest wait for the summary
    CHECK(count_with(lines, "uid=4242") == 1);
    CHECK(count_with(lines, "uid=4343") == 1);

    io.run_for(std::chrono::milliseconds(1500));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::seconds(1));
    lines = lines_of(out.str());
    REQUIRE(lines.size() == 4);
    CHECK(count_with(lines, "refused 999 more connection(s) from uid 4242 in the last 1 s (limits.max_connections_per_uid)") == 1);
    CHECK(count_with(lines, "refused 4 more connection(s) from uid 4343 in the last 1 s (limits.reserved_fds)") == 1);

    SECTION("a new interval audits the uid's first refusal again; a lone refusal gets no summary") {
        io.restart();
        log.refused(a, EUSERS, "too many connections", "limits.max_connections_per_uid");
        CHECK(lines_of(out.str()).size() == 5);
        io.run_for(std::chrono::milliseconds(1500));
        CHECK(lines_of(out.str()).size() == 5);
    }
    log.stop();
    spdlog::set_default_logger(previous);
}
