#include "report.hpp"

#include <cstring>

namespace ifctl::cli {

std::string failure_message(std::string_view name, std::string_view what, int rc, std::string_view explanation,
                            bool unmanaged) {
    std::string s(name);
    if (unmanaged)
        return s + ": not managed by ifctld; ifctl changes only interfaces that ifctld created (ifctl NAME create)";
    if (!what.empty()) s += ": " + std::string(what);
    s += ": " + std::string(std::strerror(-rc));
    if (!explanation.empty()) s += ": " + std::string(explanation);
    return s;
}

}  // namespace ifctl::cli
