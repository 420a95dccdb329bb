/* Rule R3, the textbook walker (a get_ifi_info of its own): IFNAMSIZ plus a
 * struct sockaddr, or a struct sockaddr_in6 for inet6. Built with
 * -DIFCTL_IFCONF_LAYOUT=packed. Asks again with a larger buffer until the
 * length stops growing, as the textbook does. */
#include <stdlib.h>

#include "entry_report.h"

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifconf ifc;
    char *buf = NULL;
    int lastlen = 0;
    for (int len = 10 * (int)sizeof(struct ifreq), tries = 0; tries < 64; ++tries, len += 10 * (int)sizeof(struct ifreq)) {
        buf = realloc(buf, (size_t)len);
        ifc.ifc_len = len;
        ifc.ifc_buf = buf;
        if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
            perror("SIOCGIFCONF");
            return 1;
        }
        if (ifc.ifc_len == lastlen) break; /* the same twice: it all fit */
        lastlen = ifc.ifc_len;
    }
    for (char *p = buf; p < buf + ifc.ifc_len;) {
        union {
            struct ifreq r;
            char raw[IFNAMSIZ + sizeof(struct sockaddr_in6)];
        } e;
        memset(&e, 0, sizeof e);
        size_t left = (size_t)(buf + ifc.ifc_len - p);
        memcpy(&e, p, left < sizeof e ? left : sizeof e);
        int family = e.r.ifr_addr.sa_family;
        unsigned scope = family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&e.r.ifr_addr)->sin6_scope_id : 0;
        report_entry(s, e.r.ifr_name, &e.r.ifr_addr, scope);
        p += IFNAMSIZ + (family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr));
    }
    free(buf);
    return 0;
}
