/* labels: an interface's description and interface groups (FreeBSD's
 * "description" and "group"), changed and read back.
 *
 *   labels NAME [WORD...]
 *
 * The words are applied in order: "description TEXT" ("" removes it),
 * "group G" (join), "-group G" (leave). Then it prints what ifctld holds:
 *
 *   description: TEXT
 *   groups: G1 G2
 *
 * The owner of the interface (or root) may run it.
 */
#include <ifctl/ifctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int apply(ifctl_t *h, const char *name, const char *word, const char *arg) {
    if (strcmp(word, "description") == 0) return ifctl_set_description(h, name, arg);
    if (strcmp(word, "group") == 0) return ifctl_group_add(h, name, arg);
    if (strcmp(word, "-group") == 0) return ifctl_group_del(h, name, arg);
    fprintf(stderr, "labels: %s: not description, group or -group\n", word);
    return 1;
}

static int show(ifctl_t *h, const char *name) {
    char *text;
    int rc = ifctl_get_description(h, name, &text);
    if (rc < 0) return rc;
    printf("description: %s\n", text);
    ifctl_description_free(text);

    char **groups;
    size_t count;
    rc = ifctl_get_groups(h, name, &groups, &count);
    if (rc < 0) return rc;
    printf("groups:");
    for (size_t i = 0; i < count; ++i) printf(" %s", groups[i]);
    printf("\n");
    ifctl_groups_free(groups, count);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc % 2 != 0) {
        fprintf(stderr, "usage: labels NAME [description TEXT|group G|-group G]...\n");
        return 2;
    }
    const char *name = argv[1];
    ifctl_t *h;
    char why[256];
    int rc = ifctl_open(&h, NULL, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "labels: %s\n", why);
        return 1;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        rc = apply(h, name, argv[i], argv[i + 1]);
        if (rc > 0) {
            ifctl_close(h);
            return 2;
        }
        if (rc < 0) {
            fprintf(stderr, "labels: %s: %s %s: %s: %s\n", name, argv[i], argv[i + 1], strerror(-rc), ifctl_message(h));
            ifctl_close(h);
            return 1;
        }
    }
    rc = show(h, name);
    if (rc < 0) fprintf(stderr, "labels: %s: %s: %s\n", name, strerror(-rc), ifctl_message(h));
    ifctl_close(h);
    return rc < 0 ? 1 : 0;
}
