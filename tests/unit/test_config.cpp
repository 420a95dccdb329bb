// ifctld's configuration file (ifctl.conf(5)): integer settings take only
// TOML integers within their range, and every refusal names file:line:column
// and leaves the configuration as it was. The file is a memfd opened by name,
// so nothing is left on disk.
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "daemon/config.hpp"

using ifctl::daemon::Config;
using ifctl::daemon::load_config_file;

namespace {

struct File {
    int fd = memfd_create("ifctl-test-config", MFD_CLOEXEC);
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    ~File() { ::close(fd); }
};

// Loads `text` into a default Config; the error ("" if it loaded) and the result.
std::string load(const std::string& text, Config& c) {
    static File f;
    REQUIRE(f.fd >= 0);
    REQUIRE(::ftruncate(f.fd, 0) == 0);
    REQUIRE(::pwrite(f.fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
    const std::string err = load_config_file(f.path, c);
    if (!err.empty()) {
        // Every message starts with the file's name and a position.
        REQUIRE(err.rfind(f.path + ":", 0) == 0);
        return err.substr(f.path.size());
    }
    return err;
}

// Loads `text`, expecting a refusal that leaves the configuration unchanged.
std::string refused(const std::string& text) {
    Config c;
    const Config before = c;
    const std::string err = load(text, c);
    CHECK_FALSE(err.empty());
    CHECK(c.max_queues == before.max_queues);
    CHECK(c.max_queued_replies == before.max_queued_replies);
    CHECK(c.max_connections_per_uid == before.max_connections_per_uid);
    CHECK(c.max_request_bytes == before.max_request_bytes);
    CHECK(c.max_in_flight == before.max_in_flight);
    CHECK(c.hello_timeout == before.hello_timeout);
    CHECK(c.socket_path == before.socket_path);
    CHECK(c.policy == before.policy);
    return err;
}

}  // namespace

TEST_CASE("config: integer settings take integers within their range") {
    Config c;
    REQUIRE(load("[limits]\nmax_queues = 256\nhello_timeout = 1\nmax_queued_replies = 1048576\n", c).empty());
    CHECK(c.max_queues == 256);
    CHECK(c.hello_timeout == 1);
    CHECK(c.max_queued_replies == 1048576);
}

TEST_CASE("config: a float for an integer setting is refused, however it is written") {
    // 2e52 once went through toml++'s value<int64_t>() conversion: undefined behaviour (UBSan).
    CHECK(refused("[limits]\nmax_queues = 2e52\n") == ":2:14: \"max_queues\" must be an integer, not floating-point");
    CHECK(refused("[limits]\nmax_queues = 4.0\n") == ":2:14: \"max_queues\" must be an integer, not floating-point");
    CHECK(refused("[limits]\nhello_timeout = inf\n") == ":2:17: \"hello_timeout\" must be an integer, not floating-point");
    CHECK(refused("[limits]\nmax_in_flight = nan\n") == ":2:17: \"max_in_flight\" must be an integer, not floating-point");
    CHECK(refused("[limits]\nmax_queues = -1e300\n") == ":2:14: \"max_queues\" must be an integer, not floating-point");
    CHECK(refused("[policy.default]\nmax_interfaces = 1.5\n") ==
          ":2:18: \"max_interfaces\" must be an integer, not floating-point");
    CHECK(refused("[limits]\nmax_queues = \"16\"\n") == ":2:14: \"max_queues\" must be an integer, not string");
}

TEST_CASE("config: out-of-range and negative integers are refused with the range") {
    CHECK(refused("[limits]\nmax_queues = 257\n") == ":2:14: max_queues must be 1..256, not 257");
    CHECK(refused("[limits]\nmax_queues = 0\n") == ":2:14: max_queues must be 1..256, not 0");
    CHECK(refused("[limits]\nmax_queues = -1\n") == ":2:14: max_queues must be 1..256, not -1");
    CHECK(refused("[limits]\nhello_timeout = -3600\n") == ":2:17: hello_timeout must be 1..3600, not -3600");
    CHECK(refused("[limits]\nmax_request_bytes = 9223372036854775807\n") ==
          ":2:21: max_request_bytes must be 64..65536, not 9223372036854775807");
    CHECK(refused("[limits]\nmax_in_flight = -9223372036854775808\n") ==
          ":2:17: max_in_flight must be 1..1048576, not -9223372036854775808");
    CHECK(refused("[policy.default]\nmax_interfaces = -1\n") == ":2:18: max_interfaces must be 0..65535, not -1");
    CHECK(refused("[policy.default]\nmax_queues = 4294967297\n") == ":2:14: max_queues must be 0..256, not 4294967297");
    // Beyond 64 bits the TOML parser itself refuses the number.
    CHECK_THAT(refused("[limits]\nmax_queues = 9223372036854775808\n"), Catch::StartsWith(":2:"));
}

TEST_CASE("config: other settings take exactly their TOML type") {
    CHECK(refused("[daemon]\nsocket = 5\n") == ":2:10: \"socket\" must be a string, not integer");
    CHECK(refused("[policy.default]\ncreate = 1\n") == ":2:10: \"create\" must be a boolean, not integer");
    CHECK(refused("[policy.default]\nvnet_hdr = \"yes\"\n") == ":2:12: \"vnet_hdr\" must be a boolean, not string");
}

TEST_CASE("config: on_stop is auto, keep or destroy") {
    Config c;
    CHECK(c.on_stop == "auto");
    REQUIRE(load("[daemon]\non_stop = \"keep\"\n", c).empty());
    CHECK(c.on_stop == "keep");
    CHECK(refused("[daemon]\non_stop = \"never\"\n") == ":2:11: on_stop must be \"auto\", \"keep\" or \"destroy\"");
    CHECK(refused("[daemon]\non_stop = true\n") == ":2:11: \"on_stop\" must be a string, not boolean");
}

TEST_CASE("config: --config names the file to read; without it, the default file or nothing") {
    CHECK(ifctl::daemon::config_file_in_use("/x/given.conf") == "/x/given.conf");
    const std::string dflt = ifctl::daemon::config_file_in_use("");
    CHECK((dflt.empty() || dflt == ifctl::daemon::kDefaultConfigFile));
    // A file named by --config must exist; the default one need not.
    Config c;
    CHECK_THAT(ifctl::daemon::load_config("/nonexistent/ifctl.conf", c), Catch::StartsWith("/nonexistent/ifctl.conf"));
}
