/* Written the BSD way: `ifconfig IF inet A netmask M alias` is SIOCAIFADDR,
 * `-alias` is SIOCDIFADDR. Usage: bsd_alias IF add ADDR MASK | IF del ADDR.
 * Prints "ok" or the errno's name. */
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

int main(int argc, char **argv) {
    if (argc < 4) return 2;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int rc;
    if (strcmp(argv[2], "add") == 0 && argc == 5) {
        struct ifaliasreq ifra;
        memset(&ifra, 0, sizeof ifra);
        strncpy(ifra.ifra_name, argv[1], sizeof ifra.ifra_name - 1);
        sin_set(&ifra.ifra_addr, argv[3]);
        sin_set(&ifra.ifra_mask, argv[4]);
        rc = ioctl(s, SIOCAIFADDR, &ifra);
    } else {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        strncpy(ifr.ifr_name, argv[1], sizeof ifr.ifr_name - 1);
        sin_set(&ifr.ifr_addr, argv[3]);
        rc = ioctl(s, SIOCDIFADDR, &ifr);
    }
    printf("%s\n", rc == 0 ? "ok" : strerrorname_np(errno));
    close(s);
    return 0;
}
