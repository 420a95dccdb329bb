#include "conf_entries.hpp"

#include <algorithm>
#include <cstring>

namespace ifctl::ioctl_layer {

void ConfEntries::clear() {
    bytes.clear();
    ends.clear();
}

void ConfEntries::add(const void* entry, size_t size) {
    const auto* p = static_cast<const char*>(entry);
    bytes.insert(bytes.end(), p, p + size);
    ends.push_back(static_cast<int>(bytes.size()));
}

int ConfEntries::fitting(int space) const {
    // The last entry ending within `space`: ends are increasing.
    const auto past = std::upper_bound(ends.begin(), ends.end(), space);
    return past == ends.begin() ? 0 : *(past - 1);
}

int ConfEntries::copy_into(char* buf, int space) const {
    const int n = fitting(space);
    if (n > 0) std::memcpy(buf, bytes.data(), static_cast<size_t>(n));
    return n;
}

ConfEntries& conf_slot(int kind, const client::snapshot::Version& version, bool& current) {
    struct Slot {
        int kind;
        client::snapshot::Version version;
        ConfEntries entries;
    };
    // A handful at most: one per personality and layout the thread has used.
    thread_local std::vector<Slot> slots;
    auto it = std::find_if(slots.begin(), slots.end(), [&](const Slot& s) { return s.kind == kind; });
    if (it == slots.end()) {
        slots.push_back({kind, {}, {}});
        it = slots.end() - 1;
    }
    current = version.known() && it->version == version;
    it->version = version;
    return it->entries;
}

}  // namespace ifctl::ioctl_layer
