#include "common.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/wire.hpp"
#include "tests/integration/support/netns_daemon.hpp"

namespace ifctl::bench {

void fail(const std::string& what) { throw std::runtime_error(what); }
std::string errno_text(int e) { return std::strerror(e); }
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---- options -----------------------------------------------------------------

int parse_int(const char* s, const char* what) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (!s[0] || *end || v < 1 || v > 10'000'000) fail(std::string("bad value for ") + what + ": " + s);
    return static_cast<int>(v);
}

Options parse_options(int argc, char** argv, const char* usage, const ExtraOption& extra) {
    Options o;
    o.name = argv[0];
    o.name = o.name.substr(o.name.rfind('/') + 1);
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) fail(a + " needs a value");
            return argv[++i];
        };
        if (a == "--quick") {
            o.quick = true;
            o.runs = 3;
        } else if (a == "--runs") {
            o.runs = parse_int(next(), "--runs");
        } else if (a == "--data") {
            o.data_dir = next();
        } else if (a == "-h" || a == "--help") {
            std::fputs(usage, stdout);
            std::exit(0);
        } else if (!extra || !extra(a, next)) {
            std::fputs(usage, stderr);
            std::exit(2);
        }
    }
    return o;
}

int bench_main(const char* prog, const std::function<int()>& body) {
    try {
        if (::geteuid() != 0) {
            std::fprintf(stderr, "%s: needs root (TAPs, a private network namespace); skipped\n", prog);
            return 77;
        }
        test::require_private_netns();
        test::loopback_up();
        return body();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", prog, e.what());
        return 1;
    }
}

void print_header(const char* prog, const Options& o, const std::string& what) {
    double load[3] = {-1, -1, -1};
    (void)::getloadavg(load, 3);
    std::printf("%s: %s%s; %d runs; %ld CPUs, load average %.2f %.2f %.2f\n", prog, what.c_str(),
                o.quick ? " (--quick: smoke run, figures mean nothing)" : "", o.runs, ::sysconf(_SC_NPROCESSORS_ONLN),
                load[0], load[1], load[2]);
    std::fflush(stdout);
}

// ---- statistics ------------------------------------------------------------

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double pos = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

double Series::median() const {
    std::vector<double> m;
    for (const auto& r : runs) m.push_back(percentile(r, 0.5));
    return percentile(m, 0.5);
}

double Series::pooled(double p) const {
    std::vector<double> all;
    for (const auto& r : runs) all.insert(all.end(), r.begin(), r.end());
    return percentile(all, p);
}

std::vector<double> time_calls(int warm, int n, const std::function<void(int)>& op) {
    for (int i = 0; i < warm; ++i) op(i);
    std::vector<double> us;
    us.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        op(i);
        const auto t1 = Clock::now();
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    return us;
}

// ---- data files --------------------------------------------------------------

DataFile::DataFile(const Options& o, const std::string& name, const std::string& header) {
    if (o.data_dir.empty()) return;
    const std::string path = o.data_dir + "/" + name + ".dat";
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) fail("cannot write " + path + ": " + errno_text(errno));
    std::fprintf(f_, "# %s\n", header.c_str());
}

DataFile::~DataFile() {
    if (f_) std::fclose(f_);
}

void DataFile::row(const std::string& line) {
    if (f_) std::fprintf(f_, "%s\n", line.c_str());
}

const char* verdict(double ratio, Goal goal, double target) {
    switch (goal) {
        case Goal::AtMost: return ratio <= target ? "met" : "NOT MET";
        case Goal::AtLeast: return ratio >= target ? "met" : "NOT MET";
        case Goal::None: break;
    }
    return "";
}

void record_ratio(const Options& o, const std::string& key, double ratio, Goal goal, double target) {
    if (o.data_dir.empty()) return;
    const std::string path = o.data_dir + "/" + o.name + ".ratios";
    FILE* f = std::fopen(path.c_str(), "a");
    if (!f) fail("cannot append to " + path + ": " + errno_text(errno));
    const char* op = goal == Goal::AtMost ? "<=" : goal == Goal::AtLeast ? ">=" : "-";
    const char* v = verdict(ratio, goal, target);
    std::fprintf(f, "\"%s\" %.3f %s %.2f %s\n", key.c_str(), ratio, op, target, *v ? (v[0] == 'm' ? "met" : "not-met") : "-");
    std::fclose(f);
}

// ---- baselines and interfaces -----------------------------------------------

Echo::Echo() : out_(proto::kMaxFrame), in_(proto::kMaxFrame) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) fail("socketpair: " + errno_text(errno));
    pid_ = ::fork();
    if (pid_ < 0) fail("fork: " + errno_text(errno));
    if (pid_ == 0) {
        ::close(sv[0]);
        serve(sv[1]);
    }
    ::close(sv[1]);
    fd_ = sv[0];
}

Echo::~Echo() {
    ::close(fd_);  // the echo process sees end of file and exits
    int st;
    ::waitpid(pid_, &st, 0);
}

void Echo::round_trip(size_t request, uint32_t reply) {
    std::memcpy(out_.data(), &reply, sizeof reply);
    if (::send(fd_, out_.data(), request, MSG_NOSIGNAL) != static_cast<ssize_t>(request))
        fail("echo send: " + errno_text(errno));
    const ssize_t n = ::recv(fd_, in_.data(), in_.size(), 0);
    if (n != static_cast<ssize_t>(reply)) fail("echo recv: " + (n < 0 ? errno_text(errno) : "short reply"));
}

void Echo::serve(int fd) {
    std::vector<uint8_t> in(proto::kMaxFrame), out(proto::kMaxFrame);
    for (;;) {
        const ssize_t n = ::recv(fd, in.data(), in.size(), 0);
        if (n <= 0) ::_exit(n == 0 ? 0 : 1);
        uint32_t want = 0;
        if (n >= 4) std::memcpy(&want, in.data(), 4);
        want = std::min<uint32_t>(want, static_cast<uint32_t>(out.size()));
        if (::send(fd, out.data(), want, MSG_NOSIGNAL) < 0) ::_exit(1);
    }
}

NativeTap::NativeTap(const std::string& name, short flags) {
    fd_ = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd_ < 0) fail("/dev/net/tun: " + errno_text(errno));
    struct ifreq r {};
    r.ifr_flags = flags ? flags : static_cast<short>(IFF_TAP | IFF_NO_PI);
    std::strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd_, TUNSETIFF, &r) < 0) fail("TUNSETIFF " + name + ": " + errno_text(errno));
    index_ = ::if_nametoindex(name.c_str());
    if (!index_) fail("no index for " + name);
}

NativeTap::~NativeTap() { ::close(fd_); }

proto::Interface daemon_tap(client::Connection& c, const std::string& name) {
    proto::Interface rec;
    if (client::Result r = c.create(name, {}, rec); !r.ok()) fail("creating " + name + " through ifctld: " + r.message);
    return rec;
}

double daemon_taps(client::Connection& c, const std::string& prefix, int first, int last, bool address) {
    const auto t0 = Clock::now();
    constexpr size_t kInFlight = 64;  // well under the daemon's max_in_flight (256)
    std::deque<uint32_t> pending;
    auto collect = [&] {
        client::DecodedReply r;
        if (client::Result got = c.receive(pending.front(), r); !got.ok()) fail("creating TAPs: " + got.message);
        if (r.status) fail("creating TAPs: " + r.message);
        pending.pop_front();
    };
    for (int i = first; i < last; ++i) {
        proto::Writer w = c.request(proto::Op::Create);
        w.str(wire_type(proto::AttrType::NewName), prefix + std::to_string(i));
        uint32_t id;
        if (client::Result sent = c.send(w, id); !sent.ok()) fail("creating TAPs: " + sent.message);
        pending.push_back(id);
        if (pending.size() >= kInFlight) collect();
    }
    while (!pending.empty()) collect();
    if (address && last > first) {
        char tmpl[] = "/tmp/ifctl-bench-addr.XXXXXX";
        const int fd = ::mkstemp(tmpl);
        if (fd < 0) fail("mkstemp: " + errno_text(errno));
        ::close(fd);
        {
            std::ofstream f(tmpl);
            for (int i = first; i < last; ++i)
                f << "addr add 10." << (i / 256) << "." << (i % 256) << ".1/24 dev " << prefix << i << "\n";
        }
        try {
            test::run(std::string("ip -batch ") + tmpl);
        } catch (...) {
            ::unlink(tmpl);
            throw;
        }
        ::unlink(tmpl);
    }
    return seconds_since(t0);
}

FrameSizes brief_get_sizes(client::Connection& c, const std::string& name) {
    const client::InterfaceRef t = client::InterfaceRef::by_name(name);
    proto::Interface rec;
    if (client::Result r = c.get(t, rec, true); !r.ok()) fail("get " + name + ": " + r.message);
    FrameSizes s;
    s.request = c.request(proto::Op::Get, &t).u8(wire_type(proto::AttrType::Brief), 1).finish().size();
    proto::Writer reply(static_cast<uint16_t>(proto::Op::Get), proto::kFlagReply, 1);
    proto::encode_interface(reply, rec);
    s.reply = reply.finish().size();
    return s;
}

long rss_kib(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    fail("no VmRSS for process " + std::to_string(pid));
}

double cpu_seconds(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const size_t close = s.rfind(')');
    if (close == std::string::npos) fail("cannot read /proc/" + std::to_string(pid) + "/stat");
    std::istringstream in(s.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {  // field 3 is the state; 14 utime, 15 stime
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace ifctl::bench
