/* move_tap: move a TAP that ifctld manages into another network namespace.
 *
 *   move_tap NAME PID        the namespace of process PID
 *   move_tap NAME PATH       a namespace file: /run/netns/NAME, /proc/PID/ns/net
 *
 * The TAP keeps its queues (a virtual machine attached to it keeps running);
 * ifctld remembers where it sent it. Needs root.
 */
#include <ifctl/ifctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: move_tap NAME PID|PATH\n");
        return 2;
    }
    const char *name = argv[1], *where = argv[2];
    char *end;
    const long pid = strtol(where, &end, 10);
    const int by_pid = *where != '\0' && *end == '\0';

    ifctl_t *h;
    char why[256];
    int rc = ifctl_open(&h, NULL, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "move_tap: %s\n", why);
        return 1;
    }
    rc = by_pid ? ifctl_move_netns_pid(h, name, (pid_t)pid) : ifctl_move_netns_path(h, name, where);
    if (rc < 0) {
        fprintf(stderr, "move_tap: %s: %s: %s\n", name, strerror(-rc), ifctl_message(h));
        ifctl_close(h);
        return 1;
    }
    printf("%s moved to %s%s\n", name, by_pid ? "the namespace of pid " : "", where);
    ifctl_close(h);
    return 0;
}
