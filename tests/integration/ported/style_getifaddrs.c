/* In the style of a getifaddrs() replacement built on SIOCGIFCONF, for
 * systems without one: a list of struct ifaddrs-like nodes, one per entry
 * (link-level ones too, as BSD's getifaddrs gives AF_LINK), each with the
 * flags, and for inet the netmask and the broadcast or destination address,
 * asked by address. The list is walked by BSD's rule with the address length
 * taken from the family: max(sizeof(struct ifreq), IFNAMSIZ + SA_LEN).
 * Built with -DIFCTL_IFCONF_LAYOUT=padded.
 * Prints, per node: "NAME link MAC up|down", "NAME inet ADDR netmask MASK
 * broadcast BRD up|down" (broadcast -: none) or "NAME inet6 ADDR up|down". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct my_ifaddrs {
    struct my_ifaddrs *ifa_next;
    char *ifa_name;
    unsigned int ifa_flags;
    struct sockaddr *ifa_addr;
    struct sockaddr *ifa_netmask;
    union {
        struct sockaddr *ifu_broadaddr;
        struct sockaddr *ifu_dstaddr;
    } ifa_ifu;
};
#ifndef ifa_broadaddr
#define ifa_broadaddr ifa_ifu.ifu_broadaddr
#endif

static size_t sa_len(const struct sockaddr *sa) {
    switch (sa->sa_family) {
        case AF_INET6: return sizeof(struct sockaddr_in6);
        case AF_LINK: return sizeof(struct sockaddr_dl);
        default: return sizeof(struct sockaddr_in);
    }
}

static struct sockaddr *sa_dup(const void *sa, size_t len) {
    struct sockaddr *copy = calloc(1, sizeof(struct sockaddr_in6));
    memcpy(copy, sa, len);
    return copy;
}

static void my_freeifaddrs(struct my_ifaddrs *ifa) {
    while (ifa) {
        struct my_ifaddrs *next = ifa->ifa_next;
        free(ifa->ifa_name);
        free(ifa->ifa_addr);
        free(ifa->ifa_netmask);
        free(ifa->ifa_broadaddr);
        free(ifa);
        ifa = next;
    }
}

static int my_getifaddrs(struct my_ifaddrs **out) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) return -1;
    struct ifconf ifc;
    char *buf = NULL;
    for (int len = 1024;; len *= 2) {
        buf = realloc(buf, (size_t)len);
        ifc.ifc_len = len;
        ifc.ifc_buf = buf;
        if (ioctl(s, SIOCGIFCONF, &ifc) < 0 && errno != EINVAL) goto fail;
        if (ifc.ifc_len + (int)(IFNAMSIZ + sizeof(struct sockaddr_in6)) < len) break;
        if (len > (1 << 20)) goto fail;
    }
    struct my_ifaddrs *head = NULL, **tail = &head;
    size_t step;
    for (char *p = buf; p < buf + ifc.ifc_len; p += step) {
        struct ifreq ifr;
        union {
            struct sockaddr sa;
            struct sockaddr_in6 sin6;
        } addr;
        memset(&addr, 0, sizeof addr);
        memcpy(&ifr, p, sizeof ifr.ifr_name);
        memcpy(&addr, p + IFNAMSIZ, sizeof(struct sockaddr));
        const size_t len = sa_len(&addr.sa);
        memcpy(&addr, p + IFNAMSIZ, len);
        step = IFNAMSIZ + len > sizeof(struct ifreq) ? IFNAMSIZ + len : sizeof(struct ifreq);

        struct my_ifaddrs *ifa = calloc(1, sizeof *ifa);
        ifa->ifa_name = strndup(ifr.ifr_name, IFNAMSIZ);
        ifa->ifa_addr = sa_dup(&addr, len);
        *tail = ifa;
        tail = &ifa->ifa_next;

        struct ifreq q;
        memset(&q, 0, sizeof q);
        memcpy(q.ifr_name, ifr.ifr_name, IFNAMSIZ);
        if (ioctl(s, SIOCGIFFLAGS, &q) < 0) goto fail_list;
        ifa->ifa_flags = (unsigned short)q.ifr_flags;
        if (addr.sa.sa_family != AF_INET) continue;
        memcpy(&q.ifr_addr, &addr, sizeof(struct sockaddr_in));
        if (ioctl(s, SIOCGIFNETMASK, &q) < 0) goto fail_list;
        ifa->ifa_netmask = sa_dup(&q.ifr_addr, sizeof(struct sockaddr_in));
        if (ifa->ifa_flags & (IFF_BROADCAST | IFF_POINTOPOINT)) {
            memcpy(&q.ifr_addr, &addr, sizeof(struct sockaddr_in));
            if (ioctl(s, (ifa->ifa_flags & IFF_BROADCAST) ? SIOCGIFBRDADDR : SIOCGIFDSTADDR, &q) < 0) goto fail_list;
            ifa->ifa_broadaddr = sa_dup(&q.ifr_addr, sizeof(struct sockaddr_in));
        }
        continue;
    fail_list:
        my_freeifaddrs(head);
        goto fail;
    }
    free(buf);
    close(s);
    *out = head;
    return 0;
fail:
    free(buf);
    close(s);
    return -1;
}

static const char *inet_text(const struct sockaddr *sa, char *text, size_t size) {
    if (!sa) return "-";
    return inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text, (socklen_t)size);
}

int main(void) {
    struct my_ifaddrs *list;
    if (my_getifaddrs(&list) < 0) {
        perror("my_getifaddrs");
        return 1;
    }
    for (struct my_ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        const char *state = (ifa->ifa_flags & IFF_UP) ? "up" : "down";
        char a[INET6_ADDRSTRLEN + 16] = "", m[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
        switch (ifa->ifa_addr->sa_family) {
            case AF_LINK: {
                const struct sockaddr_dl *sdl = (const struct sockaddr_dl *)(const void *)ifa->ifa_addr;
                const unsigned char *mac = (const unsigned char *)LLADDR(sdl);
                for (int i = 0; i < sdl->sdl_alen; ++i) sprintf(a + strlen(a), i ? ":%02x" : "%02x", mac[i]);
                printf("%s link %s %s\n", ifa->ifa_name, a, state);
                break;
            }
            case AF_INET:
                printf("%s inet %s netmask %s broadcast %s %s\n", ifa->ifa_name, inet_text(ifa->ifa_addr, a, sizeof a),
                       inet_text(ifa->ifa_netmask, m, sizeof m), inet_text(ifa->ifa_broadaddr, b, sizeof b), state);
                break;
            case AF_INET6: {
                const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)ifa->ifa_addr;
                inet_ntop(AF_INET6, &sin6->sin6_addr, a, INET6_ADDRSTRLEN);
                if (sin6->sin6_scope_id) sprintf(a + strlen(a), "%%%u", sin6->sin6_scope_id);
                printf("%s inet6 %s %s\n", ifa->ifa_name, a, state);
                break;
            }
            default: printf("%s family %d\n", ifa->ifa_name, ifa->ifa_addr->sa_family);
        }
    }
    my_freeifaddrs(list);
    return 0;
}
