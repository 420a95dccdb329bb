#include "logical_names.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <set>

namespace ifctl::ioctl_layer {

namespace {

// N of a label "DEV:N", or 0 if the label is not of that form.
unsigned unit_of(const std::string& dev, const std::string& label) {
    if (label.size() <= dev.size() + 1 || label.compare(0, dev.size(), dev) != 0 || label[dev.size()] != ':') return 0;
    const std::string digits = label.substr(dev.size() + 1);
    if (digits.size() > 5 || digits[0] == '0') return 0;
    if (!std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return 0;
    return static_cast<unsigned>(std::stoul(digits));
}

}  // namespace

std::vector<LogicalIf> logical_interfaces(const proto::Interface& rec) {
    std::vector<LogicalIf> out;
    logical_interfaces(rec, out);
    return out;
}

void logical_interfaces(const proto::Interface& rec, std::vector<LogicalIf>& out) {
    out.clear();
    std::set<unsigned> taken;
    thread_local std::vector<const proto::Address*> unnamed;
    unnamed.clear();
    for (const proto::Address& a : rec.addresses) {
        if (a.family != AF_INET) continue;
        const unsigned n = unit_of(rec.name, a.label);
        if (n != 0 && taken.insert(n).second) out.push_back({a.label, n, &a});
        else unnamed.push_back(&a);
    }
    out.push_back({rec.name, 0, unnamed.empty() ? nullptr : unnamed.front()});
    unsigned next = 1;
    for (size_t i = 1; i < unnamed.size(); ++i) {
        while (taken.count(next)) ++next;
        taken.insert(next);
        out.push_back({rec.name + ":" + std::to_string(next), next, unnamed[i]});
    }
    std::sort(out.begin(), out.end(), [](const LogicalIf& x, const LogicalIf& y) { return x.unit < y.unit; });
}

const LogicalIf* find_logical(const std::vector<LogicalIf>& all, const std::string& name) {
    for (const LogicalIf& l : all)
        if (l.name == name) return &l;
    return nullptr;
}

}  // namespace ifctl::ioctl_layer
