// The state directory's files without a daemon: records round-trip, damaged
// ones are refused whole with the right errno, older versions load, newer ones
// are refused, writes are atomic; the journald fields of a log line; client
// text escaped and bounded in the plain log and the audit records.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>

#include "daemon/core/audit.hpp"
#include "daemon/core/log_text.hpp"
#include "daemon/log_sink.hpp"
#include "daemon/store/atomic_file.hpp"
#include "daemon/store/record.hpp"
#include "daemon/store/store.hpp"
#include "helpers.hpp"

using namespace ifctl;
using daemon::StoredInterface;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

StoredInterface sample() {
    StoredInterface r;
    r.unique_id = 42;
    r.unique_family = "ether";
    r.caller_id = 42;
    r.owner = 1000;
    r.group = 100;
    r.vnet_hdr = true;
    r.max_queues = 4;
    r.metric = -3;
    r.persistent = true;
    r.netns = "/run/netns/blue";
    r.multicast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
    r.index = 17;
    r.name = "tap9";
    r.mtu = 1400;
    r.txqlen = 500;
    r.flags = 0x1043;
    r.lladdr = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    proto::Address a;
    a.family = AF_INET;
    a.local = {192, 0, 2, 1};
    a.prefix = 24;
    a.broadcast = std::array<uint8_t, 4>{192, 0, 2, 255};
    a.label = "tap9:1";
    a.flags = 0x80;
    proto::Address b;
    b.family = AF_INET6;
    b.local = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    b.prefix = 64;
    b.peer = std::array<uint8_t, 16>{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    r.addresses = {a, b};
    return r;
}

struct TempDir : testutil::TempDir {
    TempDir() : testutil::TempDir("ifctl-store") {}
};

}  // namespace

TEST_CASE("a record round-trips with every field") {
    const StoredInterface r = sample();
    StoredInterface back;
    std::string why;
    REQUIRE(daemon::decode_record(daemon::encode_record(r), back, why) == 0);
    CHECK(back == r);
    const json env = json::parse(daemon::encode_record(r));
    CHECK(env["format"] == "ifctld-interface");
    CHECK(env["version"] == daemon::kStateVersion);
    CHECK(env["record"]["kernel"]["addresses"][0]["broadcast"] == "192.0.2.255");
}

TEST_CASE("damaged records are refused whole, newer ones with EPROTONOSUPPORT") {
    const std::string good = daemon::encode_record(sample());
    StoredInterface out;
    out.name = "untouched";
    std::string why;
    SECTION("torn") {
        for (size_t n : {size_t{0}, size_t{1}, good.size() / 2, good.size() - 3}) {
            CHECK(daemon::decode_record(good.substr(0, n), out, why) == -EBADMSG);
            CHECK(why.find("unreadable") != std::string::npos);
        }
    }
    SECTION("one changed byte") {
        std::string bad = good;
        bad[bad.find("tap9")] = 'x';
        CHECK(daemon::decode_record(bad, out, why) == -EBADMSG);
        CHECK(why.find("checksum mismatch") != std::string::npos);
    }
    SECTION("valid JSON that is not a record") {
        CHECK(daemon::decode_record("{\"format\":\"other\"}", out, why) == -EBADMSG);
        CHECK(daemon::decode_record("[1,2]", out, why) == -EBADMSG);
    }
    SECTION("a bad field under a right checksum") {
        json env = json::parse(good);
        env["record"]["kernel"]["lladdr"] = "zz:zz";
        env["checksum"] = "fnv1a64:" + [&] {
            char b[17];
            std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(daemon::fnv1a64(env["record"].dump())));
            return std::string(b);
        }();
        CHECK(daemon::decode_record(env.dump(), out, why) == -EBADMSG);
    }
    SECTION("newer") {
        json env = json::parse(good);
        env["version"] = daemon::kStateVersion + 1;
        CHECK(daemon::decode_record(env.dump(), out, why) == -EPROTONOSUPPORT);
        CHECK(why.find("newer ifctld") != std::string::npos);
    }
    CHECK(out.name == "untouched");  // never half-read
}

TEST_CASE("atomic writes: the old file stays whole when a write fails, no temporary is left") {
    TempDir d;
    const int dir = ::open(d.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(dir >= 0);
    REQUIRE(daemon::write_file_atomic(dir, "f.json", "old") == 0);
    std::string got;
    REQUIRE(daemon::read_whole_file(dir, "f.json", got) == 0);
    CHECK(got == "old");
    REQUIRE(daemon::write_file_atomic(dir, "f.json", "new") == 0);
    REQUIRE(daemon::read_whole_file(dir, "f.json", got) == 0);
    CHECK(got == "new");
    CHECK_FALSE(fs::exists(d.path + "/.f.json.tmp"));
    CHECK(daemon::remove_file_durable(dir, "f.json") == 0);
    CHECK(daemon::remove_file_durable(dir, "f.json") == 0);  // absent is fine
    CHECK(daemon::read_whole_file(dir, "f.json", got) == -ENOENT);
    ::close(dir);
}

TEST_CASE("a store puts, loads, sets damaged files aside and keeps the id counter") {
    TempDir d;
    daemon::Store st;
    REQUIRE(st.open(d.path) == 0);
    CHECK(st.writable() == 0);
    StoredInterface a = sample(), b = sample();
    b.unique_id = 43;
    b.name = "tap10";
    REQUIRE(st.put(a) == 0);
    REQUIRE(st.put(b) == 0);
    REQUIRE(st.put_next_id(50) == 0);
    std::ofstream(d.path + "/interfaces/44.json") << "{\"format\": \"ifctld-interface\", \"ver";
    // Files that are no records: set aside, never read, never stopping the load.
    std::ofstream(d.path + "/interfaces/notes.txt") << "not ours";
    std::ofstream(d.path + "/interfaces/99999999999999999999999.json") << "{}";  // past 64 bits
    REQUIRE(::mkfifo((d.path + "/interfaces/41.json").c_str(), 0600) == 0);    // would block a read
    daemon::Store::Loaded l = st.load();
    REQUIRE(l.records.size() == 2);
    CHECK(l.records[0] == a);
    CHECK(l.records[1] == b);
    CHECK(l.next_id == 50);
    CHECK(l.max_id == 44);
    REQUIRE(l.problems.size() == 4);
    const std::string all = l.problems[0] + "\n" + l.problems[1] + "\n" + l.problems[2] + "\n" + l.problems[3];
    CHECK(all.find("44.json: unreadable") != std::string::npos);
    CHECK(all.find("/notes.txt: not a record's name (<unique id>.json); kept as notes.txt.corrupt") != std::string::npos);
    CHECK(all.find("/99999999999999999999999.json: not a record's name (<unique id>.json); kept as "
                   "99999999999999999999999.json.corrupt") != std::string::npos);
    CHECK(all.find("/41.json: a FIFO, not a record; kept as 41.json.corrupt") != std::string::npos);
    CHECK(fs::exists(d.path + "/interfaces/44.json.corrupt"));
    CHECK(fs::is_fifo(d.path + "/interfaces/41.json.corrupt"));
    CHECK(fs::exists(d.path + "/interfaces/notes.txt.corrupt"));
    CHECK_FALSE(fs::exists(d.path + "/interfaces/notes.txt"));
    REQUIRE(st.remove(43) == 0);
    l = st.load();
    CHECK(l.records.size() == 1);
    CHECK(l.max_id == 44);  // the set-aside file's id stays taken
}

namespace {

// An open store that holds record a (id 42); b (id 43) is not stored yet; a2
// is a with another MTU, to replace it.
struct StoreHoldingA {
    TempDir d;
    daemon::Store st;
    StoredInterface a = sample(), b = sample(), a2 = sample();
    StoreHoldingA() {
        b.unique_id = 43;
        a2.mtu = 9000;
        REQUIRE(st.open(d.path) == 0);
        REQUIRE(st.put(a) == 0);
    }
};

}  // namespace

TEST_CASE_METHOD(StoreHoldingA, "put_many writes every record with one flush; a failure replaces none of them") {
    REQUIRE(st.put_many({a2, b}) == 0);
    StoredInterface got;
    std::string why;
    REQUIRE(st.get(a.unique_id, got, why) == 0);
    CHECK(got == a2);
    REQUIRE(st.get(43, got, why) == 0);
    CHECK(got == b);
    CHECK(st.put_many({}) == 0);

    // The second record cannot be written (a directory stands where its
    // temporary file would go; a read-only mode would not stop root).
    fs::create_directory(d.path + "/interfaces/.43.json.tmp");
    StoredInterface a3 = a2, b2 = b;
    a3.mtu = 1280;
    b2.mtu = 1280;
    CHECK(st.put_many({a3, b2}) == -EISDIR);
    REQUIRE(st.get(a.unique_id, got, why) == 0);
    CHECK(got.mtu == 9000);  // neither record replaced
    REQUIRE(st.get(43, got, why) == 0);
    CHECK(got.mtu == b.mtu);
    CHECK_FALSE(fs::exists(d.path + "/interfaces/.42.json.tmp"));  // the one written is gone again
    CHECK(st.load().records.size() == 2);
}

TEST_CASE("a record whose file already holds the same bytes is not written again") {
    TempDir d;
    auto inode = [&](uint64_t id) {
        struct stat st {};
        REQUIRE(::stat((d.path + "/interfaces/" + std::to_string(id) + ".json").c_str(), &st) == 0);
        return st.st_ino;  // every write renames a new file into place
    };
    StoredInterface a = sample();
    {
        daemon::Store st;
        REQUIRE(st.open(d.path) == 0);
        REQUIRE(st.put(a) == 0);
        const auto first = inode(a.unique_id);
        REQUIRE(st.put(a) == 0);
        CHECK(inode(a.unique_id) == first);
        a.mtu = 1280;
        REQUIRE(st.put(a) == 0);
        CHECK(inode(a.unique_id) != first);
    }
    // A new store knows what it loaded.
    daemon::Store st;
    REQUIRE(st.open(d.path) == 0);
    REQUIRE(st.load().records.size() == 1);
    const auto loaded = inode(a.unique_id);
    REQUIRE(st.put(a) == 0);
    REQUIRE(st.put_many({a}) == 0);
    CHECK(inode(a.unique_id) == loaded);
    // A removed record is written again in full.
    REQUIRE(st.remove(a.unique_id) == 0);
    REQUIRE(st.put(a) == 0);
    StoredInterface got;
    std::string why;
    REQUIRE(st.get(a.unique_id, got, why) == 0);
    CHECK(got == a);
}

// The permission to write the directory is asked once a second, not per
// change (Store::writable); a failed write makes the next check ask at once.
// Run in a child without CAP_DAC_OVERRIDE, which root under the shipped unit
// does not have either, so that the directory's mode decides.
TEST_CASE("the answer about the permission to write is forgotten when a write fails, and after a second") {
    TempDir d;
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct caps[2]{};
        if (::syscall(SYS_capget, &h, caps) < 0) ::_exit(10);
        for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER}) caps[cap / 32].effective &= ~(1u << (cap % 32));
        if (::syscall(SYS_capset, &h, caps) < 0) ::_exit(11);
        daemon::Store st;
        if (st.open(d.path) < 0 || st.writable() != 0) ::_exit(12);
        if (::chmod((d.path + "/interfaces").c_str(), 0500) < 0) ::_exit(13);
        if (st.writable() != 0) ::_exit(14);  // within the second: the kept answer
        if (st.put(sample()) != -EACCES) ::_exit(15);
        if (st.writable() != -EACCES) ::_exit(16);  // asked again after the failure
        if (::chmod((d.path + "/interfaces").c_str(), 0700) < 0) ::_exit(17);
        if (st.writable() != 0) ::_exit(18);  // a refusal is never kept
        if (::chmod((d.path + "/interfaces").c_str(), 0500) < 0) ::_exit(19);
        ::usleep(1100 * 1000);
        if (st.writable() != -EACCES) ::_exit(20);  // the kept answer expired
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    ::chmod((d.path + "/interfaces").c_str(), 0700);
}

TEST_CASE("journald entries carry the level and the line's topic") {
    using daemon::journal_fields;
    auto has = [](const std::vector<std::string>& f, const std::string& want) {
        return std::find(f.begin(), f.end(), want) != f.end();
    };
    const auto audit = journal_fields(spdlog::level::info, "audit: uid=0 pid=1 comm=x create tap0 -> ok");
    CHECK(has(audit, "MESSAGE=audit: uid=0 pid=1 comm=x create tap0 -> ok"));
    CHECK(has(audit, "PRIORITY=6"));
    CHECK(has(audit, "SYSLOG_IDENTIFIER=ifctld"));
    CHECK(has(audit, "IFCTL_LEVEL=info"));
    CHECK(has(audit, "IFCTL_TOPIC=audit"));
    const auto plain = journal_fields(spdlog::level::err, "tap0 changed: mtu 1500 -> 1400");
    CHECK(has(plain, "PRIORITY=3"));
    CHECK(std::none_of(plain.begin(), plain.end(), [](const std::string& f) { return f.rfind("IFCTL_TOPIC=", 0) == 0; }));
}

TEST_CASE("the batch journal: written, read back whole, removed; a damaged one is refused and set aside") {
    TempDir d;
    daemon::Store st;
    REQUIRE(st.open(d.path) == 0);
    std::string bytes;
    CHECK(st.get_journal(bytes) == -ENOENT);
    daemon::BatchIntent b;
    b.steps = 12;
    b.first_new_id = 7;
    b.before = {sample()};
    REQUIRE(st.put_journal(daemon::encode_batch(b)) == 0);
    REQUIRE(st.get_journal(bytes) == 0);
    daemon::BatchIntent back;
    std::string why;
    REQUIRE(daemon::decode_batch(bytes, back, why) == 0);
    CHECK(back.steps == 12);
    CHECK(back.first_new_id == 7);
    REQUIRE(back.before.size() == 1);
    CHECK(back.before[0] == sample());
    // Not a record: load() neither reads it nor sets it aside.
    daemon::Store::Loaded l = st.load();
    CHECK(l.problems.empty());
    CHECK(fs::exists(d.path + "/interfaces/batch.json"));
    REQUIRE(st.remove_journal() == 0);
    CHECK(st.get_journal(bytes) == -ENOENT);
    CHECK(daemon::decode_batch(bytes.substr(0, bytes.size() / 2), back, why) == -EBADMSG);
    CHECK(back.steps == 12);  // untouched
    REQUIRE(st.put_journal("{\"format\": \"ifctld-batch\"") == 0);
    st.set_journal_aside();
    CHECK(fs::exists(d.path + "/interfaces/batch.json.corrupt"));
    CHECK(st.get_journal(bytes) == -ENOENT);
}

namespace {

// Whether `s` holds a byte a terminal or a line reader would act on.
bool has_control(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

}  // namespace

TEST_CASE("client text is escaped in the plain log: no forged line, no terminal escape") {
    using daemon::escape_log_text;
    CHECK(escape_log_text("lab0") == "lab0");
    CHECK(escape_log_text("a\nb") == "a\\x0ab");
    CHECK(escape_log_text("\x1b[31mred\r") == "\\x1b[31mred\\x0d");
    CHECK(escape_log_text("caf\xc3\xa9") == "caf\xc3\xa9");       // printable UTF-8 stays
    CHECK(escape_log_text("\xc2\x9b" "2J") == "\\xc2\\x9b2J");  // C1 CSI, as UTF-8
    CHECK(escape_log_text("\x9b" "2J\xff") == "\\x9b2J\\xff");  // not UTF-8
    CHECK(escape_log_text("\x7f") == "\\x7f");
    CHECK(daemon::bounded("abcdef", 4) == "abcd ... (2 more bytes)");
    CHECK(daemon::bounded("abc", 4) == "abc");

    // Every line through the plain logger, whatever the message.
    std::ostringstream out;
    auto logger = daemon::plain_logger("escape-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_pattern("%v");
    logger->warn("created {} for uid 0", "lab0\naudit: result=ok uid=0 \x1b]0;owned\x07");
    spdlog::drop("escape-test");
    const std::string text = out.str();
    REQUIRE(!text.empty());
    CHECK(text.find('\n') == text.size() - 1);  // one line
    CHECK_FALSE(has_control(text.substr(0, text.size() - 1)));
    CHECK_THAT(text, Catch::Contains("lab0\\x0aaudit: result=ok uid=0 \\x1b]0;owned\\x07"));
}

TEST_CASE("an audit record escapes client strings and is bounded") {
    daemon::Peer peer{1000, 1000, 42, {}, "ev\x1b[2Jil\rx", 1};
    daemon::AuditRecord r;
    r.result = daemon::AuditResult::Refused;
    r.peer = &peer;
    r.op = "addr-add";
    r.interface = "lab0\nforged";
    r.error = EPERM;
    r.message = std::string(100000, 'm');
    r.rule = "rule";
    proto::Interface k;
    k.index = 9;
    k.name = "lab0";
    for (unsigned i = 0; i < 5000; ++i) {
        proto::Address a;
        a.family = AF_INET;
        a.local = {10, 9, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
        a.prefix = 32;
        k.addresses.push_back(a);
    }
    r.before = r.after = daemon::audit_state(daemon::AuditField::Addresses, &k, nullptr);
    CHECK_THAT(r.before, Catch::EndsWith(",... and 4984 more"));
    const std::string line = daemon::audit_line(r);
    CHECK_FALSE(has_control(line));
    // Escaped, then quoted as logfmt quotes (a backslash doubled).
    CHECK_THAT(line, Catch::Contains("comm=\"ev\\\\x1b[2Jil\\\\x0dx\""));
    CHECK_THAT(line, Catch::Contains("interface=\"lab0\\\\x0aforged\""));
    CHECK_THAT(line, Catch::Contains("more bytes)"));
    CHECK(line.size() < 8 * daemon::kAuditFieldMax);
}
