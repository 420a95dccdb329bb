// IPv4 arithmetic the personalities share: classful lengths, masks, sockaddr_in.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "libifctl/protocol/model.hpp"

namespace ifctl::ioctl_layer {

// Host-order IPv4 address of a record's address.
inline uint32_t v4(const proto::Address& a) {
    uint32_t n;
    std::memcpy(&n, a.local.data(), 4);
    return ntohl(n);
}

// A length over 32 (only a corrupt or newer daemon's record could carry one) is
// a host mask: shifting by a negative count would be undefined.
inline uint32_t prefix_to_mask(unsigned prefix) {
    if (prefix >= 32) return ~uint32_t{0};
    return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
}

inline unsigned mask_to_prefix(uint32_t mask) {
    unsigned n = 0;
    while (n < 32 && (mask & (0x80000000u >> n))) ++n;
    return n;
}

// True if the mask is not a run of ones followed by zeros.
inline bool noncontiguous(uint32_t mask) {
    const uint32_t inv = ~mask;
    return (inv & (inv + 1)) != 0;
}

// The classful prefix length the kernel gives an address set by SIOCSIFADDR
// (inet_abc_len): 0 for 0.0.0.0 and the limited broadcast, A /8 (0/8 included
// since Linux 5.3 made it unicast), B /16, C /24, E /32; -1 for class D.
inline int classful_prefix(uint32_t host) {
    if (host == 0 || host == 0xffffffffu) return 0;
    if ((host & 0x80000000u) == 0) return 8;
    if ((host & 0xc0000000u) == 0x80000000u) return 16;
    if ((host & 0xe0000000u) == 0xc0000000u) return 24;
    if ((host & 0xf0000000u) == 0xf0000000u) return 32;
    return -1;
}

inline void put_v4(std::array<uint8_t, 16>& out, uint32_t host) {
    const uint32_t n = htonl(host);
    std::memcpy(out.data(), &n, 4);
}

// Writes a zeroed sockaddr_in with the address into a struct sockaddr slot.
inline void write_sockaddr_in(struct sockaddr* sa, uint32_t host) {
    struct sockaddr_in sin {};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(host);
    std::memcpy(sa, &sin, sizeof sin);
}

inline uint32_t read_sockaddr_in(const struct sockaddr* sa) {
    struct sockaddr_in sin;
    std::memcpy(&sin, sa, sizeof sin);
    return ntohl(sin.sin_addr.s_addr);
}

}  // namespace ifctl::ioctl_layer
