/* Rule R2, BSD's own stepping with the length of the address computed from its
 * family instead of sa_len: max(sizeof(struct ifreq), IFNAMSIZ + SA_LEN).
 * Built with -DIFCTL_IFCONF_LAYOUT=padded. Grows the buffer until the list fits,
 * as FreeBSD code does, and copies each entry out before reading it (entries
 * after a 44-byte one are not 8-byte aligned). */
#include <stdlib.h>

#include "entry_report.h"

#define SA_LEN(sa) ((sa)->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifconf ifc;
    char *buf = NULL;
    int len = 100;
    for (int tries = 0; tries < 16; ++tries, len *= 2) {
        buf = realloc(buf, (size_t)len);
        ifc.ifc_len = len;
        ifc.ifc_buf = buf;
        if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
            perror("SIOCGIFCONF");
            return 1;
        }
        if (ifc.ifc_len + (int)(IFNAMSIZ + sizeof(struct sockaddr_in6)) < len) break; /* room to spare: all of it */
    }
    size_t step;
    for (char *p = buf; p < buf + ifc.ifc_len; p += step) {
        union {
            struct ifreq r;
            char raw[IFNAMSIZ + sizeof(struct sockaddr_in6)];
        } e;
        size_t left = (size_t)(buf + ifc.ifc_len - p);
        memset(&e, 0, sizeof e);
        memcpy(&e, p, left < sizeof e ? left : sizeof e);
        struct sockaddr *sa = &e.r.ifr_addr;
        unsigned scope = 0;
        if (sa->sa_family == AF_INET6) scope = ((struct sockaddr_in6 *)(void *)sa)->sin6_scope_id;
        report_entry(s, e.r.ifr_name, sa, scope);
        step = MAX(sizeof(struct ifreq), IFNAMSIZ + SA_LEN(sa));
    }
    free(buf);
    return 0;
}
