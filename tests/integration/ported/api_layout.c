/* A program that chooses its layout at run time with
 * ifctl_set_ifconf_layout(), then walks the list with compat.h's
 * IFCTL_IFCONF_ENTRY_SIZE for that layout. Argument: ifreq, padded or packed.
 * Built with no layout define, so the process's layout applies. */
#include <stdlib.h>

#include "entry_report.h"

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    const ifctl_ifconf_layout_t layout = strcmp(argv[1], "packed") == 0   ? IFCTL_IFCONF_PACKED
                 : strcmp(argv[1], "padded") == 0 ? IFCTL_IFCONF_PADDED
                                                  : IFCTL_IFCONF_IFREQ;
    if (ifctl_set_ifconf_layout(layout) != 0 || ifctl_get_ifconf_layout() != layout) return 3;
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    static char buf[16384];
    struct ifconf ifc;
    ifc.ifc_len = sizeof buf;
    ifc.ifc_buf = buf;
    if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
        perror("SIOCGIFCONF");
        return 1;
    }
    int inet = socket(AF_INET, SOCK_DGRAM, 0); /* the netmask and broadcast gets are IPv4's */
    for (char *p = buf; p < buf + ifc.ifc_len;) {
        union {
            struct ifreq r;
            char raw[IFNAMSIZ + sizeof(struct sockaddr_in6)];
        } e;
        memset(&e, 0, sizeof e);
        size_t left = (size_t)(buf + ifc.ifc_len - p);
        memcpy(&e, p, left < sizeof e ? left : sizeof e);
        const int family = e.r.ifr_addr.sa_family;
        const size_t size = IFCTL_IFCONF_ENTRY_SIZE(layout, family);
        unsigned scope = 0;
        if (family == AF_INET6)
            scope = size >= IFNAMSIZ + sizeof(struct sockaddr_in6)
                        ? ((struct sockaddr_in6 *)(void *)&e.r.ifr_addr)->sin6_scope_id
                        : if_nametoindex(e.r.ifr_name);
        report_entry(inet, e.r.ifr_name, &e.r.ifr_addr, scope);
        p += size;
    }
    return 0;
}
