/* Written the BSD way: join and leave a link-level group with an AF_LINK
 * sockaddr_dl. Usage: bsd_multi IF OP... with OP "add" or "del" on the group
 * 01:00:5e:01:02:03, or "wait" (read a line from stdin: another client runs
 * meanwhile). Prints one result per OP: "ok" or the errno's name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    static const unsigned char group[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
    for (int i = 2; i < argc; ++i) {
        if (strcmp(argv[i], "wait") == 0) {
            char line[16];
            printf("waiting\n");
            fflush(stdout);
            if (!fgets(line, sizeof line, stdin)) return 3;
            continue;
        }
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        strncpy(ifr.ifr_name, argv[1], sizeof ifr.ifr_name - 1);
        struct sockaddr_dl *sdl = (struct sockaddr_dl *)&ifr.ifr_addr;
        sdl->sdl_family = AF_LINK;
        sdl->sdl_alen = 6;
        memcpy(LLADDR(sdl), group, 6);
        int rc = ioctl(s, strcmp(argv[i], "add") == 0 ? SIOCADDMULTI : SIOCDELMULTI, &ifr);
        printf("%s %s\n", argv[i], rc == 0 ? "ok" : strerrorname_np(errno));
        fflush(stdout);
    }
    close(s);
    return 0;
}
