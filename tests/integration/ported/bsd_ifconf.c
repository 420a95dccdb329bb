/* Written the BSD way: walk SIOCGIFCONF with _SIZEOF_ADDR_IFREQ, growing the
 * buffer until the list fits, and print one line per entry:
 * "name link MAC", "name inet ADDR/MASK", "name inet6 ADDR". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifconf ifc;
    char *buf = NULL;
    int len = 64;
    for (int tries = 0; tries < 16; ++tries, len *= 2) { /* the classic FreeBSD loop */
        buf = realloc(buf, (size_t)len);
        ifc.ifc_len = len;
        ifc.ifc_buf = buf;
        if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
            perror("SIOCGIFCONF");
            return 1;
        }
        if (ifc.ifc_len + (int)sizeof(struct ifreq) + 64 < len) break;
    }
    for (char *p = buf; p < buf + ifc.ifc_len;) {
        /* Entries after an inet6 one (44 bytes) are not 8-byte aligned, on
         * FreeBSD as here: many BSD programs cast p to struct ifreq * and read
         * in place, which x86 forgives but C does not (UBSan's alignment
         * check), so this one copies each entry out first, as careful ones do. */
        union {
            struct ifreq r;
            char raw[IFNAMSIZ + sizeof(struct sockaddr_in6)];
        } entry;
        size_t left = (size_t)(buf + ifc.ifc_len - p);
        memset(&entry, 0, sizeof entry);
        memcpy(entry.raw, p, left < sizeof entry.raw ? left : sizeof entry.raw);
        struct ifreq *ifr = &entry.r;
        char text[INET6_ADDRSTRLEN] = "";
        if (ifr->ifr_addr.sa_family == AF_LINK) {
            struct sockaddr_dl *sdl = (struct sockaddr_dl *)&ifr->ifr_addr;
            unsigned char *mac = (unsigned char *)LLADDR(sdl);
            for (int i = 0; i < sdl->sdl_alen; ++i) sprintf(text + strlen(text), i ? ":%02x" : "%02x", mac[i]);
            printf("%s link %s\n", ifr->ifr_name, text);
        } else if (ifr->ifr_addr.sa_family == AF_INET) {
            struct ifreq q;
            memset(&q, 0, sizeof q);
            memcpy(q.ifr_name, ifr->ifr_name, IFNAMSIZ);
            q.ifr_addr = ifr->ifr_addr; /* ask for the netmask of this very address */
            if (ioctl(s, SIOCGIFNETMASK, &q) < 0) {
                perror("SIOCGIFNETMASK");
                return 1;
            }
            char mask[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr->ifr_addr)->sin_addr, text, sizeof text);
            inet_ntop(AF_INET, &((struct sockaddr_in *)&q.ifr_addr)->sin_addr, mask, sizeof mask);
            printf("%s inet %s/%s\n", ifr->ifr_name, text, mask);
        } else if (ifr->ifr_addr.sa_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ifr->ifr_addr)->sin6_addr, text, sizeof text);
            printf("%s inet6 %s\n", ifr->ifr_name, text);
        }
        p += _SIZEOF_ADDR_IFREQ(*ifr);
    }
    free(buf);
    close(s);
    return 0;
}
