/* Written the SVR4 way (if(7)): count with SIOCGIFNUM, fetch SIOCGIFCONF
 * (fixed-size ifreq entries, one per logical interface), then per entry read
 * flags, netmask and the Ethernet address (SIOCGENADDR). Prints
 * "name ADDR/MASK up|down multicast|- MAC". Compiled with IFCTL_COMPAT_SVR4. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int n = 0;
    if (ioctl(s, SIOCGIFNUM, &n) < 0) {
        perror("SIOCGIFNUM");
        return 1;
    }
    struct ifconf ifc;
    ifc.ifc_len = n * (int)sizeof(struct ifreq);
    ifc.ifc_req = calloc((size_t)n, sizeof(struct ifreq));
    if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
        perror("SIOCGIFCONF");
        return 1;
    }
    for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); ++i) {
        struct ifreq r = ifc.ifc_req[i];
        char addr[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN] = "-", mac[18] = "-";
        inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_addr)->sin_addr, addr, sizeof addr);
        struct ifreq q = r;
        if (ioctl(s, SIOCGIFNETMASK, &q) == 0)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&q.ifr_addr)->sin_addr, mask, sizeof mask);
        q = r;
        if (ioctl(s, SIOCGIFFLAGS, &q) < 0) {
            perror("SIOCGIFFLAGS");
            return 1;
        }
        const short flags = q.ifr_flags;
        q = r;
        if (ioctl(s, SIOCGENADDR, &q) == 0) {
            const unsigned char *e = (const unsigned char *)q.ifr_enaddr;
            snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", e[0], e[1], e[2], e[3], e[4], e[5]);
        }
        printf("%s %s/%s %s %s %s\n", r.ifr_name, addr, mask, (flags & IFF_UP) ? "up" : "down",
               (flags & IFF_MULTICAST) ? "multicast" : "-", mac);
    }
    free(ifc.ifc_req);
    close(s);
    return 0;
}
