/* What the stride programs (stride_*.c) print for one SIOCGIFCONF entry, so
 * that the test compares every walk with one expectation built from `ip -j`:
 *   NAME link MAC
 *   NAME inet ADDR/NETMASK brd BROADCAST   (asked by address; "brd -": no IFF_BROADCAST)
 *   NAME inet6 ADDR                         (link-local: ADDR%SCOPE)
 *   NAME family N                           (anything else: a misparsed walk shows here)
 * `name` is the entry's 16 bytes; `sa` its address, read only as far as the
 * family's fixed part (an inet6 entry's sin6_addr, never its scope id: the
 * caller passes `scope`). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void report_inet(int s, const char *name, const struct sockaddr *sa) {
    char addr[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN] = "?", brd[INET_ADDRSTRLEN] = "-";
    struct sockaddr_in sin;
    memcpy(&sin, sa, sizeof sin);
    inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof addr);
    struct ifreq q;
    memset(&q, 0, sizeof q);
    memcpy(q.ifr_name, name, IFNAMSIZ);
    memcpy(&q.ifr_addr, &sin, sizeof sin); /* this address's netmask, not the first one's */
    if (ioctl(s, SIOCGIFNETMASK, &q) == 0)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&q.ifr_addr)->sin_addr, mask, sizeof mask);
    else
        snprintf(mask, sizeof mask, "err%d", errno);
    memcpy(&q.ifr_addr, &sin, sizeof sin);
    if (ioctl(s, SIOCGIFBRDADDR, &q) == 0)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&q.ifr_addr)->sin_addr, brd, sizeof brd);
    else if (errno != EINVAL) /* EINVAL: the interface has no IFF_BROADCAST */
        snprintf(brd, sizeof brd, "err%d", errno);
    printf("%.16s inet %s/%s brd %s\n", name, addr, mask, brd);
}

static void report_entry(int s, const char *name, const struct sockaddr *sa, unsigned scope) {
    char text[INET6_ADDRSTRLEN + 16] = "";
    if (sa->sa_family == AF_LINK) {
        struct sockaddr_dl sdl;
        memcpy(&sdl, sa, sizeof sdl);
        const unsigned char *mac = (const unsigned char *)LLADDR(&sdl);
        for (int i = 0; i < sdl.sdl_alen && i < 8; ++i) sprintf(text + strlen(text), i ? ":%02x" : "%02x", mac[i]);
        printf("%.16s link %s\n", name, text);
    } else if (sa->sa_family == AF_INET) {
        report_inet(s, name, sa);
    } else if (sa->sa_family == AF_INET6) {
        struct in6_addr a;
        memcpy(&a, (const char *)sa + offsetof(struct sockaddr_in6, sin6_addr), sizeof a);
        inet_ntop(AF_INET6, &a, text, INET6_ADDRSTRLEN);
        if (IN6_IS_ADDR_LINKLOCAL(&a)) sprintf(text + strlen(text), "%%%u", scope);
        printf("%.16s inet6 %s\n", name, text);
    } else {
        printf("%.16s family %d\n", name, sa->sa_family);
    }
}
