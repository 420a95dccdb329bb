/* move_tap: move a TAP that ifctld manages into another network namespace,
 * and back.
 *
 *   move_tap NAME PID        the namespace of process PID
 *   move_tap NAME PATH       a namespace file: /run/netns/NAME, /proc/PID/ns/net
 *   move_tap NAME back       back into ifctld's namespace, from wherever it is
 *
 * The TAP keeps its queues (a virtual machine attached to it keeps running);
 * ifctld remembers where it sent it, and finds it there to bring it back.
 * Needs root.
 */
#include <ifctl/ifctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: move_tap NAME PID|PATH|back\n");
        return 2;
    }
    const char *name = argv[1], *where = argv[2];
    char *end;
    const long pid = strtol(where, &end, 10);
    const int by_pid = *where != '\0' && *end == '\0';
    const int back = strcmp(where, "back") == 0;

    ifctl_t *h;
    char why[256];
    int rc = ifctl_open(&h, NULL, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "move_tap: %s\n", why);
        return 1;
    }
    if (back) rc = ifctl_move_home(h, name);
    else if (by_pid) rc = ifctl_move_netns_pid(h, name, (pid_t)pid);
    else rc = ifctl_move_netns_path(h, name, where);
    if (rc < 0) {
        fprintf(stderr, "move_tap: %s: %s: %s\n", name, strerror(-rc), ifctl_message(h));
        ifctl_close(h);
        return 1;
    }
    if (back) printf("%s is back in ifctld's namespace\n", name);
    else printf("%s moved to %s%s\n", name, by_pid ? "the namespace of pid " : "", where);
    ifctl_close(h);
    return 0;
}
