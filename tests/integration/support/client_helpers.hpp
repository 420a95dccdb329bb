// Test support shared by the suites that talk to a daemon through
// client::Connection and read the kernel's view back with `ip -j`.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "libifctl/protocol/schema.hpp"
#include "libifctl/src/connection.hpp"
#include "support/netns_daemon.hpp"

namespace ifctl::test {

// An attribute's number as the wire carries it.

// The kernel's view of one interface (ip -j -d -s), or null if it is gone.
inline nlohmann::json kernel_view(const std::string& name) {
    const std::string out = run("ip -j -d -s addr show 2>/dev/null | cat");
    for (const nlohmann::json& link : nlohmann::json::parse(out))
        if (link.value("ifname", "") == name) return link;
    return nullptr;
}

// Drops counters, which move on their own, so two views can be compared.
inline nlohmann::json steady(nlohmann::json v) {
    if (v.is_object()) {
        v.erase("stats64");
        v.erase("stats");
        for (auto& a : v["addr_info"]) {
            a.erase("valid_life_time");
            a.erase("preferred_life_time");
        }
    }
    return v;
}

// Every interface as the kernel shows it (ip -j -d addr show), through steady().
inline nlohmann::json kernel_state() {
    nlohmann::json all = nlohmann::json::parse(run("ip -j -d addr show"));
    for (nlohmann::json& l : all) l = steady(std::move(l));
    return all;
}

inline std::unique_ptr<client::Connection> connect(const Daemon& d) {
    std::unique_ptr<client::Connection> c;
    std::string why;
    REQUIRE(client::Connection::open(d.socket(), c, why) == 0);
    return c;
}

// Waits (bounded) for a condition the daemon reaches on its own.
template <typename F>
bool eventually(F f, int ms = 3000) {
    for (int i = 0; i < ms / 20; ++i) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return f();
}

}  // namespace ifctl::test
