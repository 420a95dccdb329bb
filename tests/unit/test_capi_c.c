/* The C API seen from C99: the header compiles as C, the library links, and
 * the calls that need no daemon behave as documented. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include <ifctl/ifctl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define EXPECT(cond)                                                          \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                       \
        }                                                                     \
    } while (0)

static const char *kMissing = "/nonexistent-ifctl-test-dir/ifctld.sock";

int main(void) {
    /* version: "MAJOR.MINOR.PATCH", agreeing with the header's macros */
    const char *v = ifctl_version();
    EXPECT(v != NULL && *v != '\0');
    if (v) {
        char want[32];
        snprintf(want, sizeof want, "%d.%d.", IFCTL_VERSION_MAJOR, IFCTL_VERSION_MINOR);
        EXPECT(strncmp(v, want, strlen(want)) == 0);
        printf("ifctl_version() = %s\n", v);
    }

    /* no daemon at the given path: -ENOENT, a NULL handle, an explanation */
    ifctl_t *h = (ifctl_t *)1;
    char why[256];
    memset(why, 'x', sizeof why);
    int rc = ifctl_open(&h, kMissing, why, sizeof why);
    EXPECT(rc == -ENOENT);
    EXPECT(h == NULL);
    EXPECT(memchr(why, '\0', sizeof why) != NULL);
    EXPECT(strstr(why, "not running") != NULL);
    EXPECT(strstr(why, kMissing) != NULL);
    printf("why = %s\n", why);

    /* the same through $IFCTL_SOCKET with a NULL path */
    setenv("IFCTL_SOCKET", kMissing, 1);
    h = (ifctl_t *)1;
    rc = ifctl_open(&h, NULL, why, sizeof why);
    EXPECT(rc == -ENOENT);
    EXPECT(h == NULL);
    EXPECT(strstr(why, "not running") != NULL);

    /* a short buffer is truncated and terminated; a NULL one is allowed */
    char small[8];
    memset(small, 'x', sizeof small);
    rc = ifctl_open(&h, kMissing, small, sizeof small);
    EXPECT(rc == -ENOENT);
    EXPECT(small[sizeof small - 1] == '\0');
    EXPECT(strlen(small) == sizeof small - 1);
    EXPECT(ifctl_open(&h, kMissing, NULL, 0) == -ENOENT);

    /* bad arguments */
    EXPECT(ifctl_open(NULL, kMissing, why, sizeof why) == -EINVAL);
    char long_path[200];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    long_path[sizeof long_path - 1] = '\0';
    EXPECT(ifctl_open(&h, long_path, why, sizeof why) == -ENAMETOOLONG);
    EXPECT(h == NULL);
    EXPECT(why[0] != '\0');

    /* NULL handles are refused, not dereferenced */
    EXPECT(strcmp(ifctl_message(NULL), "") == 0);
    EXPECT(ifctl_fd(NULL) == -EINVAL);
    EXPECT(ifctl_get(NULL, "tap0", NULL) == -EINVAL);
    EXPECT(ifctl_destroy(NULL, "tap0") == -EINVAL);
    ifctl_close(NULL);
    ifctl_list_free(NULL, 0);
    ifctl_iface_free(NULL);
    ifctl_iface_t empty;
    memset(&empty, 0, sizeof empty);
    ifctl_iface_free(&empty);

    /* the options struct initialises as C99 and the new calls refuse a NULL handle */
    ifctl_create_opts_t opts = IFCTL_CREATE_OPTS_INIT;
    EXPECT(opts.size == sizeof opts);
    EXPECT(opts.flags == 0 && opts.queues == 0 && opts.unique_family == NULL);
    opts.flags = IFCTL_CREATE_OWNER | IFCTL_CREATE_PERSIST | IFCTL_CREATE_VNET_HDR;
    EXPECT(ifctl_create_with(NULL, "tap%d", &opts, NULL) == -EINVAL);
    EXPECT(ifctl_set_owner(NULL, "tap0", 0) == -EINVAL);
    EXPECT(ifctl_set_persistent(NULL, "tap0", 1) == -EINVAL);
    EXPECT(ifctl_move_netns_pid(NULL, "tap0", 1) == -EINVAL);
    EXPECT(ifctl_move_netns_path(NULL, "tap0", "/run/netns/x") == -EINVAL);
    EXPECT(ifctl_set_description(NULL, "tap0", "x") == -EINVAL);
    EXPECT(ifctl_subscribe(NULL, NULL, IFCTL_EV_ALL, NULL) == -EINVAL);
    ifctl_event_t ev;
    EXPECT(ifctl_next_event(NULL, &ev, 0) == -EINVAL);

    /* event kind names and lists need no daemon */
    EXPECT(strcmp(ifctl_event_kind_name(IFCTL_EV_CARRIER), "carrier") == 0);
    EXPECT(strcmp(ifctl_event_kind_name(0), "") == 0);
    uint32_t mask = 0;
    EXPECT(ifctl_event_kinds_parse("flags,mtu", &mask) == 0);
    EXPECT(mask == (IFCTL_EV_FLAGS | IFCTL_EV_MTU));
    EXPECT(ifctl_event_kinds_parse("nonsense", &mask) == -EINVAL);

    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    return 0;
}
