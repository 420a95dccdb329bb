// What every benchmark program shares: options, statistics, the echo baseline,
// TAPs made outside ifctld, many daemon TAPs at once, /proc readings, and the
// data files bench/run turns into the table and plots of docs/performance.md.
//
// Every program runs as root inside a private network namespace (bench/run:
// `unshare --net`), starts its own ifctld there, prints what it measured and
// exits nonzero only when a call fails (77 when not root). None judges a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "libifctl/src/connection.hpp"

namespace ifctl::bench {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what);
std::string errno_text(int e);
double seconds_since(Clock::time_point t0);

// ---- options -----------------------------------------------------------------

// Options every program takes: --quick (smoke run: a few calls of everything,
// checks that nothing fails), --runs R, --data DIR (where to write data files).
// `extra(arg, next)` handles a program's own options: it returns false for an
// unknown one; `next()` takes the option's value.
struct Options {
    std::string name;  // the program's file name, e.g. bench-latency
    bool quick = false;
    int runs = 7;
    std::string data_dir;
};
using ExtraOption = std::function<bool(const std::string& arg, const std::function<const char*()>& next)>;
Options parse_options(int argc, char** argv, const char* usage, const ExtraOption& extra = {});
int parse_int(const char* s, const char* what);

// Runs `body` as a benchmark's main: 77 when not root, 1 on a failed call.
int bench_main(const char* prog, const std::function<int()>& body);

// Prints the line that starts every program's output: what runs, CPUs, load.
void print_header(const char* prog, const Options& o, const std::string& what);

// ---- statistics ------------------------------------------------------------

double percentile(std::vector<double> v, double p);
inline double median(const std::vector<double>& v) { return percentile(v, 0.5); }

// One row's samples (per-call microseconds, or one figure per run), by run.
struct Series {
    std::vector<std::vector<double>> runs;
    double median() const;          // median of the runs' medians
    double pooled(double p) const;  // percentile over every sample of every run
};

// Times `n` calls of `op` (each timed on its own) after `warm` untimed ones.
std::vector<double> time_calls(int warm, int n, const std::function<void(int)>& op);

// ---- data files --------------------------------------------------------------

// DIR/NAME.dat: whitespace-separated columns, '#' header; bench/plot.gp reads them.
// Does nothing when no --data directory was given.
class DataFile {
public:
    DataFile(const Options& o, const std::string& name, const std::string& header);
    ~DataFile();
    DataFile(const DataFile&) = delete;
    DataFile& operator=(const DataFile&) = delete;
    void row(const std::string& line);

private:
    FILE* f_ = nullptr;
};

// One line of DIR/<program>.ratios (bench/run joins them into ratios.dat, the
// summary table and the ratio plot): key, measured ratio, which way the target
// goes, target (0: none), verdict.
enum class Goal { None, AtMost, AtLeast };
void record_ratio(const Options& o, const std::string& key, double ratio, Goal goal = Goal::None, double target = 0);
// "met", "NOT MET" or "".
const char* verdict(double ratio, Goal goal, double target);

// ---- baselines and interfaces -----------------------------------------------

// A bare SOCK_SEQPACKET echo in a forked process: it answers each datagram with
// as many bytes as the datagram's first four bytes ask for; one recv and one
// send per request, blocking, nothing else. Make it before any other socket.
class Echo {
public:
    Echo();
    ~Echo();
    Echo(const Echo&) = delete;
    Echo& operator=(const Echo&) = delete;
    // One round trip: `request` bytes out, `reply` bytes back.
    void round_trip(size_t request, uint32_t reply);
    // The echo process's loop on `fd`, for other baselines too; never returns.
    [[noreturn]] static void serve(int fd);

private:
    int fd_ = -1;
    pid_t pid_ = -1;
    std::vector<uint8_t> out_, in_;
};

// A TAP made with the kernel's own interface, outside ifctld; lives while open.
// `flags` are the TUNSETIFF flags (default: IFF_TAP | IFF_NO_PI).
class NativeTap {
public:
    explicit NativeTap(const std::string& name, short flags = 0);
    ~NativeTap();
    NativeTap(const NativeTap&) = delete;
    NativeTap& operator=(const NativeTap&) = delete;
    unsigned index() const { return index_; }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    unsigned index_ = 0;
};

// One TAP made by ifctld; throws when it cannot.
proto::Interface daemon_tap(client::Connection& c, const std::string& name);

// Makes TAPs PREFIX<first>..PREFIX<last-1> through ifctld with pipelined
// requests (many in flight), and with `address`, gives each an IPv4 address
// (10.<i/256>.<i%256>.1/24) with one `ip -batch`. Returns the seconds taken.
double daemon_taps(client::Connection& c, const std::string& prefix, int first, int last, bool address);

// The sizes of the frames of a brief get of `name` (what SIOCGIFFLAGS through
// ifctl_ioctl sends and receives), for echo baselines of the same sizes.
struct FrameSizes {
    size_t request = 0, reply = 0;
};
FrameSizes brief_get_sizes(client::Connection& c, const std::string& name);

// A process's resident set (VmRSS) in KiB, and its CPU time (user + system) in seconds.
long rss_kib(pid_t pid);
double cpu_seconds(pid_t pid);

}  // namespace ifctl::bench
