/* Written the way many BSD programs read an interface: one struct ifreq,
 * filled once with the name and the address of interest, then reused for
 * SIOCGIFFLAGS, SIOCGIFMTU and SIOCGIFBRDADDR. The flags and MTU gets write
 * over the bytes where sa_family sits; the broadcast get must still answer
 * for the address named. Usage: bsd_reuse IF ADDR. Prints "brd ADDR" (or the
 * errno's name of the step that failed). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, argv[1], sizeof ifr.ifr_name - 1);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, argv[2], &sin->sin_addr);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return printf("flags %s\n", strerrorname_np(errno)), 0;
    if (ioctl(s, SIOCGIFMTU, &ifr) < 0) return printf("mtu %s\n", strerrorname_np(errno)), 0;
    if (ioctl(s, SIOCGIFBRDADDR, &ifr) < 0) return printf("brd %s\n", strerrorname_np(errno)), 0;
    char buf[INET_ADDRSTRLEN];
    printf("brd %s\n", inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_broadaddr)->sin_addr, buf, sizeof buf));
    close(s);
    return 0;
}
