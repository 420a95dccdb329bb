#include "live_rename.hpp"

#include <cerrno>

namespace ifctl::daemon {

int live_rename(const RenameSteps& s, const std::string& old_name, const std::string& new_name, bool live, bool is_up) {
    const int first = s.rename(new_name);
    if (first != -EBUSY || !live || !is_up) return first;
    if (int rc = s.set_up(false); rc < 0) return rc;  // still up, still named old_name
    if (int rc = s.rename(new_name); rc < 0) {
        s.set_up(true);
        return rc;
    }
    if (int rc = s.set_up(true); rc < 0) {
        if (s.rename(old_name) == 0) s.set_up(true);
        return rc;
    }
    return 0;
}

}  // namespace ifctl::daemon
