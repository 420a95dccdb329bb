/* follow_events: print what changes on interfaces, as `ifctl monitor` does.
 *
 *   follow_events [-n COUNT] [-e KIND,...] [NAME]
 *
 * Subscribes to the events of NAME (every interface without it), of the kinds
 * listed (every kind without -e: link-added, link-removed, renamed, flags,
 * mtu, carrier, address-added, address-removed, lladdr; "link" and "address"
 * name groups), and prints one line per event until COUNT events have come
 * (no limit without -n) or the daemon ends the subscription. The first line,
 * "subscribed", says that events from now on will be seen.
 *
 * The wait is a poll() loop over the handle's descriptor, the way a program
 * with other descriptors to watch would do it.
 */
#include <ifctl/ifctl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_event(const ifctl_event_t *e) {
    printf("%llu %s %s", (unsigned long long)e->seq, e->name, ifctl_event_kind_name(e->kind));
    switch (e->kind) {
        case IFCTL_EV_LINK_ADDED: printf(" index %u mtu %u", e->index, e->mtu); break;
        case IFCTL_EV_LINK_REMOVED: printf(" index %u", e->index); break;
        case IFCTL_EV_RENAMED: printf(" from %s", e->old_name); break;
        case IFCTL_EV_FLAGS: printf(" 0x%x was 0x%x", (unsigned)e->flags, (unsigned)e->old_flags); break;
        case IFCTL_EV_MTU: printf(" %u was %u", e->mtu, e->old_mtu); break;
        case IFCTL_EV_CARRIER: printf(" %s", e->carrier ? "on" : "off"); break;
        case IFCTL_EV_ADDR_ADDED:
        case IFCTL_EV_ADDR_REMOVED:
            if (e->has_addr) {
                char text[INET6_ADDRSTRLEN];
                inet_ntop(e->addr.family, e->addr.local, text, sizeof text);
                printf(" %s %s/%u", e->addr.family == AF_INET ? "inet" : "inet6", text, e->addr.prefixlen);
            }
            break;
        case IFCTL_EV_LLADDR:
            for (size_t n = 0; n < e->lladdr_len; ++n) printf("%c%02x", n ? ':' : ' ', e->lladdr[n]);
            break;
    }
    printf("%s\n", e->managed ? " (managed)" : "");
    fflush(stdout);
}

int main(int argc, char **argv) {
    long count = -1;
    uint32_t kinds = 0;  /* all */
    int opt;
    while ((opt = getopt(argc, argv, "n:e:")) != -1) {
        if (opt == 'n') count = strtol(optarg, NULL, 10);
        else if (opt == 'e' && ifctl_event_kinds_parse(optarg, &kinds) == 0) continue;
        else {
            fprintf(stderr, "usage: follow_events [-n COUNT] [-e KIND,...] [NAME]\n");
            return 2;
        }
    }
    const char *name = optind < argc ? argv[optind] : NULL;

    ifctl_t *h;
    char why[256];
    int rc = ifctl_open(&h, NULL, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "follow_events: %s\n", why);
        return 1;
    }
    uint64_t last = 0;
    if ((rc = ifctl_subscribe(h, name, kinds, &last)) < 0) {
        fprintf(stderr, "follow_events: subscribe: %s: %s\n", strerror(-rc), ifctl_message(h));
        ifctl_close(h);
        return 1;
    }
    printf("subscribed after event %llu\n", (unsigned long long)last);
    fflush(stdout);

    int status = 0;
    while (count != 0) {
        struct pollfd p = {ifctl_fd(h), POLLIN, 0};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR) continue;
            perror("follow_events: poll");
            status = 1;
            break;
        }
        ifctl_event_t e;
        rc = ifctl_next_event(h, &e, 0);
        if (rc == -ETIMEDOUT) continue;
        if (rc < 0) {  /* -ENOBUFS: dropped for reading too slowly; -ECONNRESET: the daemon went away */
            fprintf(stderr, "follow_events: %s: %s\n", strerror(-rc), ifctl_message(h));
            status = 1;
            break;
        }
        print_event(&e);
        if (count > 0) --count;
    }
    ifctl_close(h);
    return status;
}
