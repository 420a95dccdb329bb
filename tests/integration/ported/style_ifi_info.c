/* In the style of the textbook's get_ifi_info(family, doaliases): ask
 * SIOCGIFCONF with a buffer that grows by ten entries until the answer's
 * length stops changing; step IFNAMSIZ plus a struct sockaddr (a struct
 * sockaddr_in6 for inet6); remember the index and hardware address from each
 * AF_LINK entry for the entries of that interface that follow; keep the
 * entries of `family`, with their aliases (a Linux "name:N" label is cut at the
 * colon); read flags and MTU, and for inet the broadcast or destination
 * address, each on a fresh copy of the entry.
 * Built with -DIFCTL_IFCONF_LAYOUT=packed. Called for inet, then inet6.
 * Prints "NAME index N mtu M hw MAC inet ADDR brd BRD|-" and
 * "NAME index N mtu M hw MAC inet6 ADDR". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ifi_info {
    char ifi_name[IFNAMSIZ];
    short ifi_index;
    int ifi_mtu;
    unsigned char ifi_haddr[8];
    unsigned short ifi_hlen;
    short ifi_flags;
    struct sockaddr_in6 ifi_addr; /* large enough for either family */
    struct sockaddr_in ifi_brdaddr;
    int has_brd;
    struct ifi_info *ifi_next;
};

static struct ifi_info *get_ifi_info(int family) {
    int sockfd = socket(AF_INET, SOCK_DGRAM, 0);
    int lastlen = 0;
    char *buf = NULL;
    struct ifconf ifc;
    for (int len = 10 * (int)sizeof(struct ifreq);; len += 10 * (int)sizeof(struct ifreq)) {
        buf = realloc(buf, (size_t)len);
        ifc.ifc_len = len;
        ifc.ifc_buf = buf;
        if (ioctl(sockfd, SIOCGIFCONF, &ifc) < 0) {
            if (errno != EINVAL || lastlen != 0) {
                perror("ioctl SIOCGIFCONF");
                exit(1);
            }
        } else {
            if (ifc.ifc_len == lastlen) break; /* success, len has not changed */
            lastlen = ifc.ifc_len;
        }
    }
    struct ifi_info *head = NULL, **next = &head;
    short idx = 0;
    unsigned char haddr[8];
    unsigned short hlen = 0;
    for (char *ptr = buf; ptr < buf + ifc.ifc_len;) {
        /* A copy, aligned: entries after an inet6 one are not. */
        union {
            struct ifreq r;
            char raw[IFNAMSIZ + sizeof(struct sockaddr_in6)];
        } entry;
        memset(&entry, 0, sizeof entry);
        size_t left = (size_t)(buf + ifc.ifc_len - ptr);
        memcpy(&entry, ptr, left < sizeof entry ? left : sizeof entry);
        struct ifreq *ifr = &entry.r;
        size_t len = ifr->ifr_addr.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr);
        ptr += sizeof(ifr->ifr_name) + len; /* for next one in buffer */

        if (ifr->ifr_addr.sa_family == AF_LINK) {
            struct sockaddr_dl *sdl = (struct sockaddr_dl *)(void *)&ifr->ifr_addr;
            idx = (short)sdl->sdl_index;
            hlen = sdl->sdl_alen < sizeof haddr ? sdl->sdl_alen : sizeof haddr;
            memcpy(haddr, LLADDR(sdl), hlen);
        }
        if (ifr->ifr_addr.sa_family != family) continue; /* ignore if not desired address family */
        char *cptr = strchr(ifr->ifr_name, ':');
        if (cptr) *cptr = 0; /* replace colon with null */

        struct ifreq ifrcopy = *ifr;
        if (ioctl(sockfd, SIOCGIFFLAGS, &ifrcopy) < 0) continue;
        struct ifi_info *ifi = calloc(1, sizeof *ifi);
        *next = ifi;
        next = &ifi->ifi_next;
        ifi->ifi_flags = ifrcopy.ifr_flags;
        ifrcopy = *ifr;
        ifi->ifi_mtu = ioctl(sockfd, SIOCGIFMTU, &ifrcopy) == 0 ? ifrcopy.ifr_mtu : 0;
        memcpy(ifi->ifi_name, ifr->ifr_name, IFNAMSIZ);
        ifi->ifi_name[IFNAMSIZ - 1] = '\0';
        ifi->ifi_index = idx;
        ifi->ifi_hlen = hlen;
        memcpy(ifi->ifi_haddr, haddr, hlen);
        memcpy(&ifi->ifi_addr, &ifr->ifr_addr, len);
        if (family == AF_INET && (ifi->ifi_flags & (IFF_BROADCAST | IFF_POINTOPOINT))) {
            ifrcopy = *ifr;
            unsigned long req = (ifi->ifi_flags & IFF_BROADCAST) ? SIOCGIFBRDADDR : SIOCGIFDSTADDR;
            if (ioctl(sockfd, req, &ifrcopy) == 0) {
                memcpy(&ifi->ifi_brdaddr, &ifrcopy.ifr_addr, sizeof ifi->ifi_brdaddr);
                ifi->has_brd = 1;
            }
        }
    }
    free(buf);
    close(sockfd);
    return head;
}

static void prifinfo(int family) {
    struct ifi_info *list = get_ifi_info(family);
    while (list) {
        struct ifi_info *ifi = list;
        char hw[32] = "", a[INET6_ADDRSTRLEN + 16], b[INET_ADDRSTRLEN] = "-";
        for (int i = 0; i < ifi->ifi_hlen; ++i) sprintf(hw + strlen(hw), i ? ":%02x" : "%02x", ifi->ifi_haddr[i]);
        if (family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ifi->ifi_addr)->sin_addr, a, sizeof a);
            if (ifi->has_brd) inet_ntop(AF_INET, &ifi->ifi_brdaddr.sin_addr, b, sizeof b);
            printf("%s index %d mtu %d hw %s inet %s brd %s\n", ifi->ifi_name, ifi->ifi_index, ifi->ifi_mtu, hw, a, b);
        } else {
            inet_ntop(AF_INET6, &ifi->ifi_addr.sin6_addr, a, INET6_ADDRSTRLEN);
            if (ifi->ifi_addr.sin6_scope_id) sprintf(a + strlen(a), "%%%u", ifi->ifi_addr.sin6_scope_id);
            printf("%s index %d mtu %d hw %s inet6 %s\n", ifi->ifi_name, ifi->ifi_index, ifi->ifi_mtu, hw, a);
        }
        list = ifi->ifi_next;
        free(ifi);
    }
}

int main(void) {
    prifinfo(AF_INET);
    prifinfo(AF_INET6);
    return 0;
}
