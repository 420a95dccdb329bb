/* Rule R1, the stepping of BSD code already compiled on Linux: every entry is
 * one struct ifreq (`ifr++`). Reads each entry in place, as such code does.
 * A link-local inet6 entry has no room for sin6_scope_id in this layout: its
 * scope is the interface's index (if_nametoindex), as the manual says.
 * Built with no layout define: the default layout (ifreq). */
#include <stdlib.h>

#include "entry_report.h"

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq reqs[128];
    struct ifconf ifc;
    ifc.ifc_len = sizeof reqs;
    ifc.ifc_req = reqs;
    if (ioctl(s, SIOCGIFCONF, &ifc) < 0) {
        perror("SIOCGIFCONF");
        return 1;
    }
    struct ifreq *end = (struct ifreq *)((char *)ifc.ifc_req + ifc.ifc_len);
    for (struct ifreq *ifr = ifc.ifc_req; ifr < end; ifr++) {
        unsigned scope = 0;
        if (ifr->ifr_addr.sa_family == AF_INET6) scope = if_nametoindex(ifr->ifr_name);
        report_entry(s, ifr->ifr_name, &ifr->ifr_addr, scope);
    }
    return 0;
}
