/* run_with_queue: hand a queue of a TAP to a program, such as a virtual
 * machine monitor.
 *
 *   run_with_queue NAME FD COMMAND [ARG...]
 *
 * Asks ifctld for a new queue descriptor of the TAP NAME (the caller must be
 * allowed to: its owner, or root), puts it at descriptor number FD, and runs
 * COMMAND with it, for example
 *
 *   run_with_queue vm0 3 qemu-system-x86_64 ... -netdev tap,id=n0,fd=3 -device virtio-net-pci,netdev=n0
 *
 * The queue is the TAP's own descriptor: frames go between COMMAND and the
 * kernel, not through the daemon. The connection to ifctld is closed first.
 */
#include <ifctl/ifctl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: run_with_queue NAME FD COMMAND [ARG...]\n");
        return 2;
    }
    const char *name = argv[1];
    char *end;
    const long want = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || want < 3 || want > 1023) {
        fprintf(stderr, "run_with_queue: FD must be a number from 3 to 1023\n");
        return 2;
    }

    ifctl_t *h;
    char why[256];
    int rc = ifctl_open(&h, NULL, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "run_with_queue: %s\n", why);
        return 1;
    }
    const int queue = ifctl_open_queue(h, name);
    if (queue < 0) {
        fprintf(stderr, "run_with_queue: %s: %s: %s\n", name, strerror(-queue), ifctl_message(h));
        ifctl_close(h);
        return 1;
    }
    ifctl_close(h);

    /* The queue comes close-on-exec; the copy at FD is inherited. */
    if (queue != want) {
        if (dup2(queue, (int)want) < 0) {
            perror("run_with_queue: dup2");
            return 1;
        }
        close(queue);
    } else if (fcntl(queue, F_SETFD, 0) < 0) {
        perror("run_with_queue: fcntl");
        return 1;
    }
    execvp(argv[3], argv + 3);
    fprintf(stderr, "run_with_queue: %s: %s\n", argv[3], strerror(errno));
    return 127;
}
