/* In the style of the interface iterator that name and time servers carry: an
 * iterator object (create, first, next, current, destroy) over SIOCGIFCONF.
 * It fetches the list into a buffer that doubles until the answer leaves room
 * for two more entries, steps sizeof(struct ifreq) at a time (no sa_len), copies
 * each entry into a struct ifreq, keeps inet and inet6 addresses that are not
 * the unspecified one, reads the flags on that copy, then copies the entry
 * again to ask for the netmask of an inet address. A link-local inet6
 * address's zone is the interface's index.
 * Prints "NAME inet ADDR/NETMASK up|down[ loopback]" or "NAME inet6 ADDR up|down[ loopback]".
 * Built with no layout define: the default layout (ifreq). */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { IT_OK, IT_IGNORE, IT_NOMORE, IT_ERROR };

struct address_iter {
    int sock;
    struct ifconf ifc;
    char *buf;
    size_t bufsize;
    size_t pos;
    /* The current address. */
    char name[IFNAMSIZ + 1];
    int family;
    char address[INET6_ADDRSTRLEN + 16];
    char netmask[INET_ADDRSTRLEN];
    int up, loopback;
};

static int iter_create(struct address_iter *it) {
    memset(it, 0, sizeof *it);
    if ((it->sock = socket(AF_INET, SOCK_DGRAM, 0)) < 0) return IT_ERROR;
    for (it->bufsize = 512; it->bufsize <= (1u << 20); it->bufsize *= 2) {
        it->buf = malloc(it->bufsize);
        it->ifc.ifc_len = (int)it->bufsize;
        it->ifc.ifc_buf = it->buf;
        if (ioctl(it->sock, SIOCGIFCONF, &it->ifc) == 0) {
            /* Some systems fill what fits without an error: grow while the
             * answer comes near the end of the buffer. */
            if ((size_t)it->ifc.ifc_len + 2 * sizeof(struct ifreq) < it->bufsize) return IT_OK;
        } else if (errno != EINVAL) {
            fprintf(stderr, "get interface configuration: %s\n", strerror(errno));
            return IT_ERROR;
        }
        free(it->buf);
        it->buf = NULL;
    }
    return IT_ERROR;
}

static int iter_current(struct address_iter *it) {
    struct ifreq ifreq;
    memcpy(&ifreq, it->buf + it->pos, sizeof ifreq);
    it->family = ifreq.ifr_addr.sa_family;
    if (it->family != AF_INET && it->family != AF_INET6) return IT_IGNORE;
    memcpy(it->name, ifreq.ifr_name, IFNAMSIZ);
    it->name[IFNAMSIZ] = '\0';
    if (it->family == AF_INET) {
        struct in_addr a = ((struct sockaddr_in *)&ifreq.ifr_addr)->sin_addr;
        if (a.s_addr == htonl(INADDR_ANY)) return IT_IGNORE;
        inet_ntop(AF_INET, &a, it->address, sizeof it->address);
    } else {
        /* sin6_addr ends at byte 24 of the address: inside a struct ifreq. */
        struct in6_addr a;
        memcpy(&a, (char *)&ifreq.ifr_addr + offsetof(struct sockaddr_in6, sin6_addr), sizeof a);
        if (IN6_IS_ADDR_UNSPECIFIED(&a)) return IT_IGNORE;
        inet_ntop(AF_INET6, &a, it->address, INET6_ADDRSTRLEN);
        if (IN6_IS_ADDR_LINKLOCAL(&a))
            sprintf(it->address + strlen(it->address), "%%%u", if_nametoindex(it->name));
    }
    if (ioctl(it->sock, SIOCGIFFLAGS, &ifreq) < 0) {
        fprintf(stderr, "%s: getting interface flags: %s\n", it->name, strerror(errno));
        return IT_IGNORE;
    }
    it->up = (ifreq.ifr_flags & IFF_UP) != 0;
    it->loopback = (ifreq.ifr_flags & IFF_LOOPBACK) != 0;
    if (it->family != AF_INET) return IT_OK;
    /* The flags overwrote the address: copy the entry again for the netmask. */
    memcpy(&ifreq, it->buf + it->pos, sizeof ifreq);
    if (ioctl(it->sock, SIOCGIFNETMASK, &ifreq) < 0) {
        fprintf(stderr, "%s: getting netmask: %s\n", it->name, strerror(errno));
        return IT_IGNORE;
    }
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ifreq.ifr_addr)->sin_addr, it->netmask, sizeof it->netmask);
    return IT_OK;
}

/* Steps to the next entry; the caller skips those current() ignores. */
static int iter_next_raw(struct address_iter *it) {
    it->pos += sizeof(struct ifreq);
    return it->pos < (size_t)it->ifc.ifc_len ? IT_OK : IT_NOMORE;
}

static int iter_settle(struct address_iter *it, int r) {
    for (; r == IT_OK; r = iter_next_raw(it))
        if (iter_current(it) == IT_OK) return IT_OK;
    return r;
}

static int iter_first(struct address_iter *it) {
    it->pos = 0;
    return iter_settle(it, it->ifc.ifc_len > 0 ? IT_OK : IT_NOMORE);
}

static int iter_next(struct address_iter *it) { return iter_settle(it, iter_next_raw(it)); }

static void iter_destroy(struct address_iter *it) {
    close(it->sock);
    free(it->buf);
}

int main(void) {
    struct address_iter it;
    if (iter_create(&it) != IT_OK) return 1;
    for (int r = iter_first(&it); r == IT_OK; r = iter_next(&it)) {
        if (it.family == AF_INET)
            printf("%s inet %s/%s %s%s\n", it.name, it.address, it.netmask, it.up ? "up" : "down",
                   it.loopback ? " loopback" : "");
        else
            printf("%s inet6 %s %s%s\n", it.name, it.address, it.up ? "up" : "down", it.loopback ? " loopback" : "");
    }
    iter_destroy(&it);
    return 0;
}
