#include "keep_inet6.hpp"

#include <linux/if_addr.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace ifctl::daemon {

std::vector<proto::Address> inet6_to_keep(const proto::Interface& k) {
    std::vector<proto::Address> out;
    for (const proto::Address& a : k.addresses) {
        if (a.family != AF_INET6 || !(a.flags & IFA_F_PERMANENT)) continue;
        struct in6_addr in6;
        std::memcpy(&in6, a.local.data(), sizeof in6);
        if (IN6_IS_ADDR_LINKLOCAL(&in6)) continue;
        out.push_back(a);
    }
    return out;
}

int restore_inet6(Kernel& kernel, uint32_t index, const std::vector<proto::Address>& kept) {
    int first = 0;
    for (const proto::Address& a : kept) {
        const int rc = kernel.restore_address(index, a);
        if (rc < 0 && rc != -EEXIST && first == 0) first = rc;
    }
    return first;
}

}  // namespace ifctl::daemon
