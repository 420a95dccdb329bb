// How a failed operation is told to the user: one line naming the interface,
// the words that failed, the errno's text and the daemon's own explanation.
#pragma once

#include <string>
#include <string_view>

namespace ifctl::cli {

// "tap0: mtu 99999: Invalid argument: MTU 99999 is above the maximum 65521".
// `what` may be empty (a read); `rc` is a negative errno. For an interface the
// daemon does not manage, says so instead, whatever the errno.
std::string failure_message(std::string_view name, std::string_view what, int rc, std::string_view explanation,
                            bool unmanaged);

}  // namespace ifctl::cli
