#include "oversized_records.hpp"

#include <mutex>
#include <set>

namespace ifctl::daemon {

namespace {
std::mutex g_mutex;
std::set<uint32_t> g_oversized;  // interface indexes already reported
}  // namespace

bool oversized_record_first_seen(uint32_t index) {
    const std::lock_guard lock(g_mutex);
    return g_oversized.insert(index).second;
}

void record_fits(uint32_t index) {
    const std::lock_guard lock(g_mutex);
    if (!g_oversized.empty()) g_oversized.erase(index);
}

}  // namespace ifctl::daemon
