// Addresses as the protocol carries them, for tests.
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>

#include "libifctl/protocol/model.hpp"

namespace ifctl::test {

inline proto::Address v4(const char* ip, uint8_t prefix = 24) {
    proto::Address a;
    a.family = AF_INET;
    inet_pton(AF_INET, ip, a.local.data());
    a.prefix = prefix;
    return a;
}

inline proto::Address v6(const char* ip, uint8_t prefix = 64) {
    proto::Address a;
    a.family = AF_INET6;
    inet_pton(AF_INET6, ip, a.local.data());
    a.prefix = prefix;
    return a;
}

}  // namespace ifctl::test
