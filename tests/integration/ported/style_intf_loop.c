/* In the style of the interface layer of a portable packet library: one
 * SIOCGIFCONF into a fixed buffer, walked entry by entry with `ifr + 1` up to
 * ifc_len / sizeof(struct ifreq) entries. Each interface is taken once (the
 * entries after the first with the same name are skipped); for it the loop
 * reads, by name, the flags, the MTU, the primary address (SIOCGIFADDR) and its
 * netmask; then walks the list again for the interface's other entries: the
 * link-level address from the AF_LINK one, and every other address as an
 * alias (an inet one with the netmask SIOCGIFNETMASK gives for it).
 * Prints one line per interface:
 *   NAME up|down mtu N link MAC [addr ADDR/BITS] [alias ADDR/BITS]... [alias6 ADDR]...
 * Built with no layout define: the default layout (ifreq). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct intf {
    int fd;
    struct ifconf ifc;
    struct ifreq buf[256];
};

static int mask_bits(const struct sockaddr *sa) {
    uint32_t m = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
    int bits = 0;
    while (m & 0x80000000u) {
        ++bits;
        m <<= 1;
    }
    return bits;
}

static void print_inet(const char *what, const struct sockaddr *sa, int bits) {
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text, sizeof text);
    printf(" %s %s/%d", what, text, bits);
}

/* The interface's own entries: link-level address and aliases. */
static void print_aliases(struct intf *h, const char *name, const struct sockaddr_in *primary) {
    struct ifreq *end = h->ifc.ifc_req + h->ifc.ifc_len / sizeof(struct ifreq);
    char link[32] = "";
    for (struct ifreq *ifr = h->ifc.ifc_req; ifr < end; ifr = ifr + 1) {
        if (strncmp(ifr->ifr_name, name, IFNAMSIZ) != 0 || ifr->ifr_addr.sa_family != AF_LINK) continue;
        struct sockaddr_dl *sdl = (struct sockaddr_dl *)(void *)&ifr->ifr_addr;
        const unsigned char *mac = (const unsigned char *)LLADDR(sdl);
        for (int i = 0; i < sdl->sdl_alen; ++i) sprintf(link + strlen(link), i ? ":%02x" : "%02x", mac[i]);
    }
    printf(" link %s", link);
    if (primary) {
        struct ifreq q;
        memset(&q, 0, sizeof q);
        memcpy(q.ifr_name, name, IFNAMSIZ);
        memcpy(&q.ifr_addr, primary, sizeof *primary);
        if (ioctl(h->fd, SIOCGIFNETMASK, &q) == 0) print_inet("addr", (struct sockaddr *)primary, mask_bits(&q.ifr_addr));
    }
    for (struct ifreq *ifr = h->ifc.ifc_req; ifr < end; ifr = ifr + 1) {
        if (strncmp(ifr->ifr_name, name, IFNAMSIZ) != 0) continue;
        if (ifr->ifr_addr.sa_family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ifr->ifr_addr;
            if (primary && sin->sin_addr.s_addr == primary->sin_addr.s_addr) continue;
            struct ifreq q;
            memset(&q, 0, sizeof q);
            memcpy(q.ifr_name, ifr->ifr_name, IFNAMSIZ);
            memcpy(&q.ifr_addr, sin, sizeof *sin);
            int bits = ioctl(h->fd, SIOCGIFNETMASK, &q) == 0 ? mask_bits(&q.ifr_addr) : -1;
            print_inet("alias", &ifr->ifr_addr, bits);
        } else if (ifr->ifr_addr.sa_family == AF_INET6) {
            char text[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ifr->ifr_addr)->sin6_addr, text, sizeof text);
            printf(" alias6 %s", text);
        }
    }
}

static int print_interface(struct intf *h, const char *name) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, IFNAMSIZ);
    if (ioctl(h->fd, SIOCGIFFLAGS, &ifr) < 0) return -1;
    const int up = (ifr.ifr_flags & IFF_UP) != 0;
    if (ioctl(h->fd, SIOCGIFMTU, &ifr) < 0) return -1;
    printf("%s %s mtu %d", name, up ? "up" : "down", ifr.ifr_mtu);
    struct sockaddr_in primary;
    const int has_primary = ioctl(h->fd, SIOCGIFADDR, &ifr) == 0;
    if (has_primary) memcpy(&primary, &ifr.ifr_addr, sizeof primary);
    else if (errno != EADDRNOTAVAIL) return -1;
    print_aliases(h, name, has_primary ? &primary : NULL);
    printf("\n");
    return 0;
}

int main(void) {
    struct intf *h = calloc(1, sizeof *h);
    h->fd = socket(AF_INET, SOCK_DGRAM, 0);
    h->ifc.ifc_buf = (char *)h->buf;
    h->ifc.ifc_len = sizeof h->buf;
    if (ioctl(h->fd, SIOCGIFCONF, &h->ifc) < 0) {
        perror("SIOCGIFCONF");
        return 1;
    }
    struct ifreq *end = h->ifc.ifc_req + h->ifc.ifc_len / sizeof(struct ifreq);
    struct ifreq *previous = NULL;
    for (struct ifreq *ifr = h->ifc.ifc_req; ifr < end; ifr = ifr + 1) {
        if (previous && strncmp(ifr->ifr_name, previous->ifr_name, IFNAMSIZ) == 0) continue;
        char name[IFNAMSIZ + 1] = "";
        memcpy(name, ifr->ifr_name, IFNAMSIZ);
        if (print_interface(h, name) < 0) {
            printf("%s error %s\n", name, strerror(errno));
            return 1;
        }
        previous = ifr;
    }
    close(h->fd);
    free(h);
    return 0;
}
