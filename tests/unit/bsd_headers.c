/* A BSD source's includes, unchanged: with the include directory
 * `pkg-config --cflags libifctl-bsd` names, each header forwards to
 * <ifctl/compat.h> and the BSD names it should bring are there. Also built by
 * tests/install/test_install.sh against the installed tree. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/sockio.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <net/if_types.h>
#include <netinet/in.h>
#include <netinet/in_var.h>
#include <netinet6/in6_var.h>
#include <stdio.h>

int main(void) {
    struct sockaddr_dl sdl = {0};
    struct ifaliasreq ifra = {0};
    struct in_aliasreq ina = {0};
    struct in6_aliasreq in6a = {0};
    struct ifreq ifr = {0};
    sdl.sdl_family = AF_LINK;
    sdl.sdl_type = IFT_ETHER;
    ifra.ifra_addr.sa_family = AF_INET;
    ina.ifra_addr.sin_family = AF_INET;
    in6a.ifra_addr.sin6_family = AF_INET6;
    const unsigned long requests[] = {SIOCAIFADDR, SIOCAIFADDR_IN6, SIOCDIFADDR_IN6, SIOCGIFCAP, SIOCIFCREATE};
    ifr.ifr_addr.sa_family = AF_INET;
    /* Without IFCTL_IFCONF_LAYOUT the walk steps by sizeof(struct ifreq). */
    if (_SIZEOF_ADDR_IFREQ(ifr) != sizeof(struct ifreq) || LLADDR(&sdl) != sdl.sdl_data) return 1;
    printf("%zu requests; families %d %d %d %d\n", sizeof requests / sizeof requests[0], sdl.sdl_family,
           ifra.ifra_addr.sa_family, ina.ifra_addr.sin_family, in6a.ifra_addr.sin6_family);
    return 0;
}
