// kill -9 at random points during a stream of changes, again and again over
// one state directory. After each kill a new daemon starts over the same
// state, and the test checks that
//   * every acknowledged change is in the kernel, in the daemon's answers and
//     in the state directory, and
//   * the one change in flight when the daemon died is either wholly there or
//     wholly absent, never half-applied.
// Kill points come from a seeded generator (IFCTL_CRASH_SEED repeats a run);
// the number of kills from IFCTL_CRASH_KILLS (default 200).
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "libifctl/src/connection.hpp"
#include "support/addresses.hpp"
#include "support/netns_daemon.hpp"
#include "support/process.hpp"
#include "support/test_main.hpp"

using namespace ifctl;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// What the test expects of one interface, as all three sources can tell it.
struct Iface {
    bool persistent = false;
    int32_t metric = 0;
    uint32_t mtu = 1500;
    std::set<std::string> addrs{};  // "10.1.2.3/24"
    bool operator==(const Iface&) const = default;
};
using Model = std::map<std::string, Iface>;  // by name

std::string describe(const Model& m) {
    std::string s;
    for (const auto& [n, i] : m) {
        s += n + "{p=" + std::to_string(i.persistent) + " metric=" + std::to_string(i.metric) +
             " mtu=" + std::to_string(i.mtu) + " addrs=";
        for (const auto& a : i.addrs) s += a + ",";
        s += "} ";
    }
    return s.empty() ? "(none)" : s;
}

// The kernel's tun devices (ip -j), with the daemon's facts (List) and the
// state directory's records: three views that must agree.
struct Views {
    Model kernel_and_daemon, state;
    std::string problem;
};

Views look(client::Connection& c, const std::string& state_dir) {
    Views v;
    std::vector<proto::Interface> list;
    if (int rc = c.list(list); rc < 0) {
        v.problem = "list failed: " + std::to_string(rc);
        return v;
    }
    std::map<std::string, proto::Interface> daemon;
    for (auto& i : list)
        if (i.managed) daemon[i.name] = i;
    for (const json& l : test::ip({"-d", "addr", "show"})) {
        if (!l.contains("linkinfo") || l["linkinfo"].value("info_kind", "") != "tun") continue;
        const std::string name = l["ifname"];
        auto d = daemon.find(name);
        if (d == daemon.end()) {
            v.problem += "kernel has " + name + ", the daemon does not manage it; ";
            continue;
        }
        Iface i;
        i.persistent = d->second.persistent;
        i.metric = d->second.metric;
        i.mtu = l["mtu"];
        for (const json& a : l["addr_info"])
            if (a["family"] == "inet") i.addrs.insert(a["local"].get<std::string>() + "/" + std::to_string(a["prefixlen"].get<int>()));
        v.kernel_and_daemon[name] = i;
        daemon.erase(d);
    }
    for (const auto& [n, _] : daemon) v.problem += "the daemon manages " + n + ", the kernel lacks it; ";
    for (const auto& e : fs::directory_iterator(state_dir + "/interfaces")) {
        // <unique id>.json: one interface each (ids.json is the id counter).
        const std::string stem = e.path().stem();
        if (e.path().extension() != ".json" || stem.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream f(e.path());
        const json r = json::parse(f)["record"];
        Iface i;
        i.persistent = r["persistent"];
        i.metric = r["metric"];
        i.mtu = r["kernel"]["mtu"];
        for (const json& a : r["kernel"]["addresses"])
            if (a["family"] == "inet") i.addrs.insert(a["local"].get<std::string>() + "/" + std::to_string(a["prefix"].get<int>()));
        v.state[r["kernel"]["name"]] = i;
    }
    return v;
}

// One change: what it asks of the daemon, and what it does to the model.
struct Change {
    std::string what;
    std::function<client::Result(client::Connection&)> send;
    std::function<void(Model&)> apply;
};

class Stream {
public:
    explicit Stream(uint32_t seed) : rng_(seed) {}

    // The next change, chosen from what the model allows.
    Change next(const Model& m) {
        std::vector<std::string> names;
        for (const auto& [n, _] : m) names.push_back(n);
        const unsigned pick = names.empty() || (names.size() < 6 && roll(4) == 0) ? 0 : 1 + roll(6);
        if (pick == 0) {
            const std::string name = "cr" + std::to_string(serial_++);
            const bool persistent = roll(2);
            return {"create " + name, [=](client::Connection& c) {
                        proto::Interface out;
                        return c.create(name, {.persistent = persistent}, out);
                    },
                    [=](Model& mm) { mm[name] = Iface{.persistent = persistent}; }};
        }
        const std::string n = names[roll(static_cast<unsigned>(names.size()))];
        const auto t = client::InterfaceRef::by_name(n);
        switch (pick) {
            case 1: return {"destroy " + n, [=](client::Connection& c) { return c.destroy(t); },
                            [=](Model& mm) { mm.erase(n); }};
            case 2: {
                const uint32_t mtu = 1280 + roll(200);
                return {n + " mtu " + std::to_string(mtu), [=](client::Connection& c) { return c.set_mtu(t, mtu); },
                        [=](Model& mm) { mm[n].mtu = mtu; }};
            }
            case 3: {
                const int32_t metric = static_cast<int32_t>(roll(1000));
                return {n + " metric " + std::to_string(metric),
                        [=](client::Connection& c) { return c.set_metric(t, metric); },
                        [=](Model& mm) { mm[n].metric = metric; }};
            }
            case 4: {
                const bool on = !m.at(n).persistent;
                return {n + (on ? " persist" : " -persist"),
                        [=](client::Connection& c) { return c.set_persistent(t, on); },
                        [=](Model& mm) { mm[n].persistent = on; }};
            }
            case 5: {
                const std::string ip = "10." + std::to_string(roll(250)) + "." + std::to_string(roll(250)) + "." +
                                       std::to_string(1 + roll(250));
                if (m.at(n).addrs.count(ip + "/24")) return next(m);
                return {n + " add " + ip, [=](client::Connection& c) { return c.addr_add(t, test::v4(ip.c_str())); },
                        [=](Model& mm) { mm[n].addrs.insert(ip + "/24"); }};
            }
            default: {
                const auto& addrs = m.at(n).addrs;
                if (addrs.empty()) return next(m);
                auto it = addrs.begin();
                std::advance(it, roll(static_cast<unsigned>(addrs.size())));
                const std::string a = *it;
                const std::string ip = a.substr(0, a.find('/'));
                return {n + " delete " + a, [=](client::Connection& c) { return c.addr_del(t, test::v4(ip.c_str())); },
                        [=](Model& mm) { mm[n].addrs.erase(a); }};
            }
        }
    }

    unsigned roll(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_); }

private:
    std::mt19937 rng_;
    unsigned serial_ = 0;
};

bool transport_error(int rc) {
    return rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN || rc == -EBADMSG || rc == -EIO;
}

}  // namespace

int main() {
    if (const int rc = test::root_in_private_netns()) return rc;
    ::signal(SIGPIPE, SIG_IGN);
    const uint32_t seed = std::getenv("IFCTL_CRASH_SEED") ? std::strtoul(std::getenv("IFCTL_CRASH_SEED"), nullptr, 10)
                                                          : static_cast<uint32_t>(std::random_device{}());
    const int kills = std::getenv("IFCTL_CRASH_KILLS") ? std::atoi(std::getenv("IFCTL_CRASH_KILLS")) : 200;
    std::printf("crash test: seed %u (IFCTL_CRASH_SEED=%u repeats this run), %d kills\n", seed, seed, kills);
    // The state directory and every daemon's directory (ifctld.log) stay
    // until the verdict: removed if the run passed, kept and printed if not.
    test::hold_daemon_dirs(true);
    const std::string state = test::temp_dir("ifctl-crash");
    Stream stream(seed);
    Model model;
    int failures = 0, acked = 0, in_flight_applied = 0, in_flight_absent = 0;

    std::optional<Change> in_flight;  // sent when the daemon died: its fate is unknown
    for (int cycle = 0; cycle <= kills && failures < 5; ++cycle) {
        // Each daemon first shows what the previous kill left, then is killed in turn.
        test::Daemon d("--state-dir " + state + " --log-level warn");
        std::unique_ptr<client::Connection> c;
        std::string why;
        if (client::Connection::open(d.socket(), c, why) < 0) {
            std::printf("cycle %d: cannot connect: %s\n", cycle, why.c_str());
            ++failures;
            continue;
        }
        const Views v = look(*c, state);
        Model with = model;
        if (in_flight) in_flight->apply(with);
        const bool kernel_ok = v.kernel_and_daemon == model || (in_flight && v.kernel_and_daemon == with);
        if (!v.problem.empty() || !kernel_ok || v.state != v.kernel_and_daemon) {
            std::printf("cycle %d (in flight: %s):\n  %s\n  expected   %s\n  or         %s\n  kernel     %s\n"
                        "  state      %s\n",
                        cycle, in_flight ? in_flight->what.c_str() : "none", v.problem.c_str(),
                        describe(model).c_str(), describe(with).c_str(), describe(v.kernel_and_daemon).c_str(),
                        describe(v.state).c_str());
            ++failures;
            model = v.kernel_and_daemon;  // go on from what is there
        } else if (in_flight && v.kernel_and_daemon == with && !(with == model)) {
            model = with;  // the change made it whole: it is part of the past now
            ++in_flight_applied;
        } else if (in_flight) {
            ++in_flight_absent;
        }
        in_flight.reset();
        if (cycle == kills) break;

        // A killer at a random moment while changes stream in.
        const auto delay = std::chrono::microseconds(stream.roll(25000));
        const pid_t pid = d.pid();
        std::thread killer([&] {
            std::this_thread::sleep_for(delay);
            ::kill(pid, SIGKILL);
        });
        for (int n = 0; n < 1000; ++n) {  // bounded; the kill comes long before
            Change ch = stream.next(model);
            const client::Result sent = ch.send(*c);
            const int rc = sent.error;
            if (transport_error(rc)) {  // only our kill ends the daemon
                in_flight = std::move(ch);
                break;
            }
            if (rc < 0) {
                std::printf("cycle %d: %s failed: %d %s\n", cycle, ch.what.c_str(), rc, sent.message.c_str());
                ++failures;
                break;
            }
            ch.apply(model);
            ++acked;
        }
        killer.join();
        d.kill_hard();
    }
    std::printf("crash test: %d acknowledged changes checked, in-flight changes: %d applied whole, %d absent; "
                "%d failure(s)\n",
                acked, in_flight_applied, in_flight_absent, failures);
    // Clean up: a daemon that stops cleanly destroys the non-persistent TAPs;
    // the namespace takes the rest.
    {
        test::Daemon last("--state-dir " + state);
        last.stop();
    }
    test::settle_daemon_dirs(failures == 0);
    return failures ? 1 : 0;
}
