/* Rule R4, FreeBSD's own macro: p += _SIZEOF_ADDR_IFREQ(*ifr). Built three
 * times: without a layout define and with -DIFCTL_IFCONF_LAYOUT=padded and
 * =packed; the macro steps by whichever layout the define chose.
 *
 * With the argument "truncate" it checks the short-buffer rule instead, for
 * every buffer size from 1 byte to a little more than the whole list: only
 * whole entries are written, in order, ifc_len is their total, and no byte
 * past it is touched (each buffer is exactly its size, prefilled). Prints
 * "truncation ok N" or the first size that breaks it. */
#include <stdlib.h>

#include "entry_report.h"

static char *whole_list(int s, int *len_out) {
    char *buf = NULL;
    struct ifconf ifc;
    int len = 256;
    for (int tries = 0; tries < 16; ++tries, len *= 2) {
        buf = realloc(buf, (size_t)len);
        ifc.ifc_len = len;
        ifc.ifc_buf = buf;
        if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
            perror("SIOCGIFCONF");
            exit(1);
        }
        if (ifc.ifc_len + (int)sizeof(struct ifreq) * 2 < len) break;
    }
    *len_out = ifc.ifc_len;
    return buf;
}

static size_t entry_size(const char *p) {
    struct ifreq r;
    memcpy(&r, p, IFNAMSIZ + sizeof(struct sockaddr)); /* the name and the family are enough */
    return _SIZEOF_ADDR_IFREQ(r);
}

static int check_truncation(int s, const char *full, int full_len) {
    int sizes = 0;
    for (int size = 1; size <= full_len + (int)sizeof(struct ifreq) + 1; ++size, ++sizes) {
        int want = 0; /* the longest run of whole entries that fits */
        while (want < full_len && want + (int)entry_size(full + want) <= size) want += (int)entry_size(full + want);
        char *buf = malloc((size_t)size);
        memset(buf, 0xa5, (size_t)size);
        struct ifconf ifc;
        ifc.ifc_len = size;
        ifc.ifc_buf = buf;
        if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
            printf("size %d: SIOCGIFCONF failed: %s\n", size, strerror(errno));
            free(buf);
            return 1;
        }
        int untouched = 1;
        for (int i = ifc.ifc_len; i < size; ++i) untouched &= (unsigned char)buf[i] == 0xa5;
        if (ifc.ifc_len != want || memcmp(buf, full, (size_t)want) != 0 || !untouched) {
            printf("size %d: ifc_len %d, want %d; same entries %d; past it untouched %d\n", size, ifc.ifc_len, want,
                   ifc.ifc_len == want && memcmp(buf, full, (size_t)want) == 0, untouched);
            free(buf);
            return 1;
        }
        free(buf);
    }
    printf("truncation ok %d\n", sizes);
    return 0;
}

int main(int argc, char **argv) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int len = 0;
    char *buf = whole_list(s, &len);
    if (argc > 1 && strcmp(argv[1], "truncate") == 0) {
        const int rc = check_truncation(s, buf, len);
        free(buf);
        return rc;
    }
    for (char *p = buf; p < buf + len;) {
        union {
            struct ifreq r;
            char raw[IFNAMSIZ + sizeof(struct sockaddr_in6)];
        } e;
        memset(&e, 0, sizeof e);
        size_t left = (size_t)(buf + len - p);
        memcpy(&e, p, left < sizeof e ? left : sizeof e);
        struct ifreq *ifr = &e.r;
        /* Only the layouts with room for it carry sin6_scope_id; in the ifreq
         * layout the scope is the interface's index. */
        unsigned scope = 0;
        if (ifr->ifr_addr.sa_family == AF_INET6)
            scope = _SIZEOF_ADDR_IFREQ(*ifr) >= IFNAMSIZ + sizeof(struct sockaddr_in6)
                        ? ((struct sockaddr_in6 *)(void *)&ifr->ifr_addr)->sin6_scope_id
                        : if_nametoindex(ifr->ifr_name);
        report_entry(s, ifr->ifr_name, &ifr->ifr_addr, scope);
        p += _SIZEOF_ADDR_IFREQ(*ifr);
    }
    free(buf);
    return 0;
}
