// Interface flag words of the personalities and the canonical (Linux) flags.
// Bits 0x1..0x200 mean the same everywhere; above that every system differs
// (matrix §3.1), and a set must keep the Linux bits the caller cannot express
// (§15.16): only the bits in `mask` are sent, the daemon keeps the rest.
#pragma once

#include <cstdint>

namespace ifctl::ioctl_layer {

// What a SIOCSIFFLAGS asks of the daemon.
struct FlagChange {
    uint32_t flags = 0;  // Linux IFF_* values
    uint32_t mask = 0;   // the Linux bits the request decides
    bool promisc = false;   // bsd: the client's promiscuous reference wanted
    bool allmulti = false;  // bsd: the client's all-multicast reference wanted
};

// BSD (FreeBSD 32-bit word, ifr_flags | ifr_flagshigh << 16) from the kernel's flags.
uint32_t bsd_flags_from_linux(uint32_t linux_flags, bool ethernet);
FlagChange bsd_flags_to_linux(uint32_t bsd_word);

// SVR4/illumos 16-bit word.
uint32_t svr4_flags_from_linux(uint32_t linux_flags);
FlagChange svr4_flags_to_linux(uint32_t svr4_word);

}  // namespace ifctl::ioctl_layer
