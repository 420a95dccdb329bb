// The order of steps of a live rename, apart from the kernel so it can be
// tested with a fake: Linux before 6.2 refuses to rename an interface that is
// up (EBUSY); BSD renames while up, so the daemon does down, rename, up and
// puts things back as they were when a step fails.
#pragma once

#include <functional>
#include <string>

namespace ifctl::daemon {

struct RenameSteps {
    std::function<int(const std::string& name)> rename;  // 0 or -errno
    std::function<int(bool up)> set_up;                  // 0 or -errno
};

// Renames `old_name` to `new_name`. Without `live`, or when the interface is
// not up, or when the kernel's answer is not EBUSY: the kernel's answer. With
// it: down, rename, up; a failed rename brings the interface up again under its
// old name, a failed up renames it back and brings it up. Returns 0 or the
// -errno of the step that failed.
int live_rename(const RenameSteps& s, const std::string& old_name, const std::string& new_name, bool live, bool is_up);

}  // namespace ifctl::daemon
