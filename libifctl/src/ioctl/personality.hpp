// How a personality serves ioctl requests: one table per personality, from
// request number to handler. A handler either answers (Done, with an errno or
// 0) or hands the request to the kernel unchanged (Kernel).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ifctl/ifctl.h"

namespace ifctl::ioctl_layer {

struct Call {
    int fd;
    unsigned long request;
    void* arg;
    int domain;  // socket domain of fd (AF_INET, AF_INET6, AF_UNIX, ...), -1 if not a socket; AF_UNSPEC: not asked (by_namespace)
    ifctl_ifconf_layout_t layout = IFCTL_IFCONF_DEFAULT;  // the SIOCGIFCONF layout asked for (ifconf_layout.hpp)
    uint64_t netns = 0;  // fd's network namespace when dispatch asked it (by_namespace), else 0
};

struct Outcome {
    bool to_kernel = false;
    int err = 0;  // when answered: 0 or a positive errno
};
inline Outcome to_kernel() { return {true, 0}; }
inline Outcome answered(int err = 0) { return {false, err}; }

using Handler = Outcome (*)(const Call&);

struct RequestRow {
    unsigned long request;
    const char* name;
    Handler handler;
    // The answer depends on the socket's network namespace, not its family:
    // on a descriptor the library did not see made, dispatch asks the kernel
    // for the namespace (Call::netns), which also tells whether it is a socket,
    // instead of the family: one system call, not two.
    bool by_namespace = false;
};

// The row of `request` in a personality's table, or null.
template <size_t N>
const RequestRow* find_row(const RequestRow (&table)[N], unsigned long request) {
    for (const RequestRow& row : table)
        if (row.request == request) return &row;
    return nullptr;
}

// The table of a personality; requests not in it go to the kernel.
const RequestRow* find_request(ifctl_personality_t p, unsigned long request);

// Each personality's table (linux.cpp, ...).
const RequestRow* linux_requests(unsigned long request);
const RequestRow* bsd_requests(unsigned long request);
const RequestRow* svr4_requests(unsigned long request);

}  // namespace ifctl::ioctl_layer
