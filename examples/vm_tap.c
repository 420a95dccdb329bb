/* vm_tap: make a TAP for a virtual machine with libifctl.
 *
 *   vm_tap OWNER_UID GROUP_GID [ADDRESS/PREFIX]
 *
 * Creates vm0, vm1, ... (the first free name) owned by OWNER_UID, recorded
 * with group GROUP_GID (queues come from the daemon: ifctl_open_queue), persistent (it outlives daemon restarts and
 * reboots), with a virtio-net header and two queues; turns on checksum offload,
 * gives it ADDRESS/PREFIX if there is one, a description, and brings it up.
 * Prints the name on the first line, then what the daemon reports.
 * Creating a TAP for another user needs root (or the daemon's policy).
 */
#include <ifctl/ifctl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_address(const char *text, ifctl_addr_t *out) {
    char buf[64];
    const char *slash = strchr(text, '/');
    if (!slash || (size_t)(slash - text) >= sizeof buf) return -1;
    memcpy(buf, text, (size_t)(slash - text));
    buf[slash - text] = '\0';
    memset(out, 0, sizeof *out);
    out->family = AF_INET;
    out->prefixlen = (unsigned)atoi(slash + 1);
    return inet_pton(AF_INET, buf, out->local) == 1 ? 0 : -1;
}

/* Prints what failed and the daemon's explanation, and says the program failed. */
static int report(ifctl_t *h, const char *what, int rc) {
    fprintf(stderr, "vm_tap: %s: %s: %s\n", what, strerror(-rc), ifctl_message(h));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: vm_tap OWNER_UID GROUP_GID [ADDRESS/PREFIX]\n");
        return 2;
    }
    ifctl_addr_t addr;
    if (argc == 4 && parse_address(argv[3], &addr) < 0) {
        fprintf(stderr, "vm_tap: %s is not an IPv4 ADDRESS/PREFIX\n", argv[3]);
        return 2;
    }

    ifctl_t *h;
    char why[256];
    int rc = ifctl_open(&h, NULL, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "vm_tap: %s\n", why);
        return 1;
    }

    ifctl_create_opts_t opts = IFCTL_CREATE_OPTS_INIT;
    opts.flags = IFCTL_CREATE_OWNER | IFCTL_CREATE_GROUP | IFCTL_CREATE_PERSIST | IFCTL_CREATE_VNET_HDR;
    opts.owner = (uid_t)strtoul(argv[1], NULL, 10);
    opts.group = (gid_t)strtoul(argv[2], NULL, 10);
    opts.queues = 2;
    char name[16];
    if ((rc = ifctl_create_with(h, "vm%d", &opts, name)) < 0) return report(h, "create", rc);
    printf("%s\n", name);

    /* Offloads the guest may use: only those the TAP supports (vnet_hdr gives them). */
    ifctl_iface_t i;
    if ((rc = ifctl_get(h, name, &i)) < 0) return report(h, name, rc);
    const uint32_t wanted = (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) & i.caps_supported;
    ifctl_iface_free(&i);
    if ((rc = ifctl_set_caps(h, name, wanted)) < 0) return report(h, "offloads", rc);

    if (argc == 4 && (rc = ifctl_addr_add(h, name, &addr)) < 0) return report(h, argv[3], rc);
    /* An older ifctld has no descriptions: that is not worth failing for. */
    rc = ifctl_set_description(h, name, "virtual machine");
    if (rc < 0 && rc != -EOPNOTSUPP) return report(h, "description", rc);
    if ((rc = ifctl_set_flags(h, name, IFF_UP, IFF_UP)) < 0) return report(h, "up", rc);

    if ((rc = ifctl_get(h, name, &i)) < 0) return report(h, name, rc);
    printf("owner %u up %d offloads 0x%x of 0x%x addresses %zu\n", (unsigned)i.owner, (i.flags & IFF_UP) != 0,
           (unsigned)i.caps_enabled, (unsigned)i.caps_supported, i.naddrs);
    ifctl_iface_free(&i);
    ifctl_close(h);
    return 0;
}
