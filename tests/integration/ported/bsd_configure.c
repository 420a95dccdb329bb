/* Written the BSD way, as a configuring program does it: `ifconfig IF inet ADDR
 * netmask MASK alias`, then `ifconfig IF down` and `ifconfig IF up`, each a
 * read-modify-write of the flags word. Usage: bsd_configure IF ADDR MASK.
 * Prints one line per step: "alias ok", "down ok", "up ok" (or the errno's name). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void sin_set(struct sockaddr *sa, const char *text) {
    struct sockaddr_in *sin = (struct sockaddr_in *)sa;
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, text, &sin->sin_addr);
}

static const char *result(int rc) { return rc == 0 ? "ok" : strerrorname_np(errno); }

/* Clears or sets IFF_UP, keeping every other bit of the word (FreeBSD's
 * ifconfig setifflags: SIOCGIFFLAGS, change, SIOCSIFFLAGS). */
static int set_up(int s, const char *name, int up) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, sizeof ifr.ifr_name - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return -1;
    int flags = (ifr.ifr_flags & 0xffff) | (ifctl_ifr_flagshigh(&ifr) << 16);
    flags = up ? flags | IFF_UP : flags & ~IFF_UP;
    ifr.ifr_flags = (short)(flags & 0xffff);
    ifctl_set_ifr_flagshigh(&ifr, flags >> 16);
    return ioctl(s, SIOCSIFFLAGS, &ifr);
}

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifaliasreq ifra;
    memset(&ifra, 0, sizeof ifra);
    strncpy(ifra.ifra_name, argv[1], sizeof ifra.ifra_name - 1);
    sin_set(&ifra.ifra_addr, argv[2]);
    sin_set(&ifra.ifra_mask, argv[3]);
    printf("alias %s\n", result(ioctl(s, SIOCAIFADDR, &ifra)));
    printf("down %s\n", result(set_up(s, argv[1], 0)));
    printf("up %s\n", result(set_up(s, argv[1], 1)));
    close(s);
    return 0;
}
