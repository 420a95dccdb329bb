/* <ifctl/compat.h>: the BSD and SVR4 interface names Linux lacks, for code
 * ported to ifctl's `bsd` and `svr4` personalities (libifctl(3), docs/semantics.md).
 *
 * The program keeps compiling against the system's own <net/if.h>: the
 * structures it sees (struct ifreq, ifconf, sockaddr) are Linux's, and the
 * requests Linux already has (SIOCSIFADDR, SIOCGIFCONF, SIOCSIFNAME, ...) keep
 * their Linux numbers. What the personality changes is behaviour, packing
 * (SIOCGIFCONF) and request arguments (SIOCSIFNAME takes the new name through
 * a pointer in ifr_data, as on FreeBSD). This header adds only what is missing:
 * requests, structures, flag bits, capability bits, AF_LINK and sockaddr_dl.
 *
 * The new request numbers use the group 'i' and the FreeBSD/illumos request
 * number, encoded with Linux's _IOC and the size of the structure the program
 * really passes. A Linux socket request is 0x89xx (SOCK_IOC_TYPE 0x89,
 * <linux/sockios.h>); these have the group byte 'i' and direction bits set, so
 * they can never equal one (checked at compile time below).
 *
 * Flag bits: a flags word of the bsd or svr4 personality uses that system's
 * bit values. IFF_MULTICAST is therefore redefined (BSD 0x8000, SVR4 0x800;
 * Linux 0x1000), and the bits Linux lacks are added. Define IFCTL_COMPAT_SVR4
 * for the SVR4 values (default: BSD), or IFCTL_COMPAT_NO_FLAG_NAMES to leave
 * every IFF_* name as Linux has it (the IFCTL_BSD_IFF_* and IFCTL_SVR4_IFF_*
 * names are always there).
 *
 * With -DIFCTL_REDIRECT_IOCTL, every ioctl(...) call in the including file
 * goes through ifctl_ioctl() (ifctl_ioctl_layout() with IFCTL_IFCONF_LAYOUT,
 * see "SIOCGIFCONF layouts" below). Choose the personality with
 * IFCTL_PERSONALITY=bsd|svr4 or ifctl_set_personality(). In C (not C++),
 * socket() and close() go through ifctl_socket() and ifctl_close_fd() too, so
 * that ifctl_ioctl() knows the family of the file's sockets without asking
 * the kernel (ifctl.h says when that record can go stale); a file that calls
 * a structure member named socket or close defines IFCTL_NO_REDIRECT_SOCKET
 * to keep both as they are.
 */
#ifndef IFCTL_COMPAT_H
#define IFCTL_COMPAT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ifctl/ifctl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- link-level addresses (4.4BSD net/if_dl.h, reshaped for Linux) ------- */

/* FreeBSD's value; Linux has no AF_LINK (18 is AF_ASH, which no one uses with
 * interface requests). */
#ifndef AF_LINK
#define AF_LINK 18
#endif

/* Linux's sockaddr has no sa_len and a 16-bit family, so this sockaddr_dl
 * starts the same way and is exactly sizeof(struct sockaddr): it fits in
 * ifr_addr and in a SIOCGIFCONF entry. The entries ifctl writes carry no name
 * (sdl_nlen 0: the name is in ifr_name) and the address at LLADDR(). */
struct sockaddr_dl {
    sa_family_t sdl_family;   /* AF_LINK */
    unsigned short sdl_index; /* interface index */
    unsigned char sdl_type;   /* IFT_ETHER, ... */
    unsigned char sdl_nlen;   /* name length, from sdl_data */
    unsigned char sdl_alen;   /* link-level address length */
    unsigned char sdl_slen;   /* link-layer selector length */
    char sdl_data[8];         /* name (sdl_nlen bytes), then the address */
};
#define LLADDR(s) ((char *)((s)->sdl_data + (s)->sdl_nlen))

/* Interface types (FreeBSD net/if_types.h). */
#define IFT_OTHER 0x1
#define IFT_ETHER 0x6
#define IFT_LOOP 0x18

/* ---- SIOCGIFCONF layouts --------------------------------------------------- */

/* BSD code without sa_len steps through the SIOCGIFCONF list by a rule of its
 * own; the bsd personality lays the list out to match (ifctl.h,
 * ifctl_ifconf_layout_t; libifctl(3), PORTING). Choose the layout when
 * compiling with -DIFCTL_IFCONF_LAYOUT=ifreq|padded|packed: with
 * -DIFCTL_REDIRECT_IOCTL every ioctl() of the file then asks for it, and
 * _SIZEOF_ADDR_IFREQ() steps by it. Without the define the process's layout is
 * used (ifctl_set_ifconf_layout(), else $IFCTL_IFCONF, else ifreq) and
 * _SIZEOF_ADDR_IFREQ() steps by ifreq.
 *   ifreq   every entry sizeof(struct ifreq): `ifr++`, `p += sizeof(struct ifreq)`
 *   padded  max(sizeof(struct ifreq), IFNAMSIZ + the address's length)
 *   packed  IFNAMSIZ + (AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr)) */
#define IFCTL_IFCONF_LAYOUT_ifreq 1  /* IFCTL_IFCONF_IFREQ */
#define IFCTL_IFCONF_LAYOUT_padded 2 /* IFCTL_IFCONF_PADDED */
#define IFCTL_IFCONF_LAYOUT_packed 3 /* IFCTL_IFCONF_PACKED */
#define IFCTL_IFCONF_CAT_(a, b) a##b
#define IFCTL_IFCONF_CAT(a, b) IFCTL_IFCONF_CAT_(a, b)
#ifdef IFCTL_IFCONF_LAYOUT
#define IFCTL_IFCONF_LAYOUT_NUMBER IFCTL_IFCONF_CAT(IFCTL_IFCONF_LAYOUT_, IFCTL_IFCONF_LAYOUT)
#if IFCTL_IFCONF_LAYOUT_NUMBER < 1 || IFCTL_IFCONF_LAYOUT_NUMBER > 3
#error "IFCTL_IFCONF_LAYOUT must be ifreq, padded or packed"
#endif
#else
#define IFCTL_IFCONF_LAYOUT_NUMBER IFCTL_IFCONF_LAYOUT_ifreq
#endif

/* The length of an address of `family` as BSD's sa_len would give it. */
#define IFCTL_SA_LEN(family)                                                          \
    ((family) == AF_INET6 ? sizeof(struct sockaddr_in6)                              \
                          : (family) == AF_LINK ? sizeof(struct sockaddr_dl) : sizeof(struct sockaddr_in))
/* The size of one entry of `family` in `layout` (1, 2, 3: ifreq, padded, packed). */
#define IFCTL_IFCONF_ENTRY_SIZE(layout, family)                                                            \
    ((layout) == IFCTL_IFCONF_LAYOUT_packed                                                                \
         ? IFNAMSIZ + (IFCTL_SA_LEN(family) > sizeof(struct sockaddr) ? IFCTL_SA_LEN(family)               \
                                                                      : sizeof(struct sockaddr))           \
     : (layout) == IFCTL_IFCONF_LAYOUT_padded                                                              \
         ? (IFNAMSIZ + IFCTL_SA_LEN(family) > sizeof(struct ifreq) ? IFNAMSIZ + IFCTL_SA_LEN(family)       \
                                                                   : sizeof(struct ifreq))                 \
         : sizeof(struct ifreq))

/* The size of the SIOCGIFCONF entry `ifr` (FreeBSD's name), in the layout
 * IFCTL_IFCONF_LAYOUT chose. */
#define _SIZEOF_ADDR_IFREQ(ifr) IFCTL_IFCONF_ENTRY_SIZE(IFCTL_IFCONF_LAYOUT_NUMBER, (ifr).ifr_addr.sa_family)

/* ---- aliases: SIOCAIFADDR / SIOCDIFADDR (FreeBSD netinet/in_var.h) -------- */

/* ifra_addr is the address (AF_INET), ifra_broadaddr the broadcast (or the
 * destination of a point-to-point link), ifra_mask the netmask; a family of 0
 * (AF_UNSPEC) in ifra_broadaddr or ifra_mask means "not given". */
struct ifaliasreq {
    char ifra_name[IFNAMSIZ];
    struct sockaddr ifra_addr;
    struct sockaddr ifra_broadaddr;
    struct sockaddr ifra_mask;
    int ifra_vhid; /* CARP; must be 0 */
};
#define ifra_dstaddr ifra_broadaddr
struct in_aliasreq {
    char ifra_name[IFNAMSIZ];
    struct sockaddr_in ifra_addr;
    struct sockaddr_in ifra_broadaddr;
    struct sockaddr_in ifra_mask;
    int ifra_vhid;
};

/* Linux's SIOCDIFADDR (0x8936) is already declared by <sys/ioctl.h>; the bsd
 * personality reads it as FreeBSD's: a struct ifreq naming the IPv4 address
 * to delete on an AF_INET socket (none given: the first address). */
#define SIOCAIFADDR _IOW('i', 43, struct ifaliasreq) /* add or change an IPv4 address */

/* ---- IPv6 aliases (FreeBSD netinet6/in6_var.h) ---------------------------- */

/* Lifetimes of an IPv6 address (SIOCGIFALIFETIME_IN6, SIOCAIFADDR_IN6). */
struct in6_addrlifetime {
    time_t ia6t_expire;    /* valid lifetime expiration time, seconds since the epoch; 0: never */
    time_t ia6t_preferred; /* preferred lifetime expiration time; 0: never */
    uint32_t ia6t_vltime;  /* valid lifetime, seconds */
    uint32_t ia6t_pltime;  /* preferred lifetime, seconds */
};
#define ND6_INFINITE_LIFETIME 0xffffffffU

/* Linux's own struct in6_ifreq (<linux/ipv6.h>) is a different structure; this
 * is FreeBSD's (netinet6/in6_var.h), under a name of its own, shaped for Linux:
 * the union holds the members the requests below read and write, so it is
 * 48 bytes on LP64 (FreeBSD's also carries the statistics of SIOCGIFSTAT_IN6,
 * which ifctl does not answer). */
struct ifctl_in6_ifreq {
    union {
        char ifrn_name[IFNAMSIZ]; /* ifr_name, as <net/if.h> spells it */
    } ifr_ifrn;
    union {
        struct sockaddr_in6 ifru_addr;    /* ifr_addr */
        struct sockaddr_in6 ifru_dstaddr; /* ifr_dstaddr */
        int ifru_flags;
        int ifru_flags6; /* IN6_IFF_* (SIOCGIFAFLAG_IN6) */
        int ifru_metric;
        char *ifru_data;
        struct in6_addrlifetime ifru_lifetime; /* SIOCGIFALIFETIME_IN6 */
    } ifr_ifru;
};
#ifndef _LINUX_IPV6_H
#define in6_ifreq ifctl_in6_ifreq
#endif

/* Address flags (SIOCGIFAFLAG_IN6), FreeBSD's values. */
#define IN6_IFF_ANYCAST 0x01
#define IN6_IFF_TENTATIVE 0x02
#define IN6_IFF_DUPLICATED 0x04
#define IN6_IFF_DETACHED 0x08
#define IN6_IFF_DEPRECATED 0x10
#define IN6_IFF_NODAD 0x20
#define IN6_IFF_AUTOCONF 0x40
#define IN6_IFF_TEMPORARY 0x80
#define IN6_IFF_PREFER_SOURCE 0x100

struct in6_aliasreq {
    char ifra_name[IFNAMSIZ];
    struct sockaddr_in6 ifra_addr;
    struct sockaddr_in6 ifra_dstaddr;
    struct sockaddr_in6 ifra_prefixmask; /* contiguous: the prefix length */
    int ifra_flags;
    struct in6_addrlifetime ifra_lifetime;
    int ifra_vhid;
};

/* Each names the address in ifr_addr (AF_INET6; a link-local one with its
 * scope in sin6_scope_id or not at all); an address the interface lacks is
 * EADDRNOTAVAIL. Only on AF_INET6 sockets. */
#define SIOCAIFADDR_IN6 _IOW('i', 27, struct in6_aliasreq)
#define SIOCDIFADDR_IN6 _IOW('i', 25, struct ifctl_in6_ifreq)
#define SIOCGIFADDR_IN6 _IOWR('i', 33, struct ifctl_in6_ifreq)      /* the address itself */
#define SIOCGIFDSTADDR_IN6 _IOWR('i', 34, struct ifctl_in6_ifreq)   /* its peer (point-to-point) */
#define SIOCGIFNETMASK_IN6 _IOWR('i', 37, struct ifctl_in6_ifreq)   /* its prefix as a mask */
#define SIOCGIFAFLAG_IN6 _IOWR('i', 73, struct ifctl_in6_ifreq)     /* IN6_IFF_* in ifru_flags6 */
#define SIOCGIFALIFETIME_IN6 _IOWR('i', 81, struct ifctl_in6_ifreq) /* ifru_lifetime */

/* ---- capabilities (FreeBSD net/if.h, ifnet(9)) --------------------------- */

/* SIOCGIFCAP: ifr_reqcap := supported, ifr_curcap := enabled.
 * SIOCSIFCAP: ifr_reqcap := the set wanted. Linux's ifreq has no int at offset
 * 20; ifr_curcap is the next word of the union that exists (an unsigned long). */
#define ifr_reqcap ifr_ifru.ifru_ivalue
#define ifr_curcap ifr_ifru.ifru_map.mem_end
#define SIOCSIFCAP _IOW('i', 30, struct ifreq)
#define SIOCGIFCAP _IOWR('i', 31, struct ifreq)

#define IFCAP_RXCSUM 0x00001
#define IFCAP_TXCSUM 0x00002
#define IFCAP_NETCONS 0x00004
#define IFCAP_VLAN_MTU 0x00008
#define IFCAP_VLAN_HWTAGGING 0x00010
#define IFCAP_JUMBO_MTU 0x00020
#define IFCAP_POLLING 0x00040
#define IFCAP_VLAN_HWCSUM 0x00080
#define IFCAP_TSO4 0x00100
#define IFCAP_TSO6 0x00200
#define IFCAP_LRO 0x00400
#define IFCAP_WOL_UCAST 0x00800
#define IFCAP_WOL_MCAST 0x01000
#define IFCAP_WOL_MAGIC 0x02000
#define IFCAP_TOE4 0x04000
#define IFCAP_TOE6 0x08000
#define IFCAP_VLAN_HWFILTER 0x10000
#define IFCAP_VLAN_HWTSO 0x40000
#define IFCAP_LINKSTATE 0x80000
#define IFCAP_NETMAP 0x100000
#define IFCAP_RXCSUM_IPV6 0x200000
#define IFCAP_TXCSUM_IPV6 0x400000
#define IFCAP_HWSTATS 0x800000
#define IFCAP_HWCSUM (IFCAP_RXCSUM | IFCAP_TXCSUM)
#define IFCAP_TSO (IFCAP_TSO4 | IFCAP_TSO6)
#define IFCAP_CANTCHANGE IFCAP_NETMAP

/* ---- cloning: SIOCIFCREATE / SIOCIFDESTROY (FreeBSD net/if_clone.c) ------- */

/* "tap": the daemon picks a unit and writes the name back into ifr_name;
 * "tapN": exactly that name. */
#define SIOCIFDESTROY _IOW('i', 121, struct ifreq)
#define SIOCIFCREATE _IOWR('i', 122, struct ifreq)

/* ---- statistics: SIOCGIFDATA (FreeBSD net/if.h) -------------------------- */

#define LINK_STATE_UNKNOWN 0
#define LINK_STATE_DOWN 1
#define LINK_STATE_UP 2

struct if_data {
    uint8_t ifi_type;       /* IFT_ETHER, ... */
    uint8_t ifi_physical;   /* 0 */
    uint8_t ifi_addrlen;    /* link-level address length */
    uint8_t ifi_hdrlen;     /* link-level header length (14 for Ethernet) */
    uint8_t ifi_link_state; /* LINK_STATE_* */
    uint8_t ifi_vhid;       /* 0 */
    uint16_t ifi_datalen;   /* sizeof(struct if_data) */
    uint32_t ifi_mtu;
    uint32_t ifi_metric;
    uint64_t ifi_baudrate;  /* 0: unknown */
    uint64_t ifi_ipackets, ifi_ierrors, ifi_opackets, ifi_oerrors, ifi_collisions;
    uint64_t ifi_ibytes, ifi_obytes, ifi_imcasts, ifi_omcasts, ifi_iqdrops, ifi_oqdrops;
    uint64_t ifi_noproto;
    uint64_t ifi_hwassist;
    time_t ifi_epoch;            /* 0 */
    struct timeval ifi_lastchange; /* the daemon's last change time */
};
/* ifr_data points at a struct if_data the call fills in. */
#define SIOCGIFDATA _IOW('i', 44, struct ifreq)

/* ---- SVR4 / illumos -------------------------------------------------------- */

/* if(7): ifr_oname is the "other" name, the new one on SIOCSIFNAME; ifr_enaddr
 * the Ethernet address. Both sit at offset 16, as in SVR4's ifreq. */
#define ifr_oname ifr_ifru.ifru_newname
#define ifr_enaddr ifr_ifru.ifru_slave
#define SIOCGENADDR _IOWR('i', 85, struct ifreq) /* the Ethernet address, in ifr_enaddr */
#define SIOCGIFNUM _IOR('i', 87, int)            /* how many SIOCGIFCONF entries there are */

/* ---- FreeBSD's other ifreq names ------------------------------------------ */

/* FreeBSD's index is a short at offset 16; Linux's int is at the same offset. */
#define ifr_index ifr_ifindex

/* FreeBSD splits 32 flag bits over ifr_flags (offset 16) and ifr_flagshigh
 * (offset 18); Linux's ifreq has no member there, so these read and write it. */
static inline int ifctl_ifr_flagshigh(const struct ifreq *ifr) {
    unsigned short v;
    __builtin_memcpy(&v, (const char *)ifr + IFNAMSIZ + 2, sizeof v);
    return v;
}
static inline void ifctl_set_ifr_flagshigh(struct ifreq *ifr, int high) {
    const unsigned short v = (unsigned short)high;
    __builtin_memcpy((char *)ifr + IFNAMSIZ + 2, &v, sizeof v);
}

/* ---- interface flags -------------------------------------------------------- */

/* FreeBSD (net/if.h, 14) and 4.4BSD: bits 0x1..0x200 are the same as Linux's. */
#define IFCTL_BSD_IFF_OACTIVE 0x400
#define IFCTL_BSD_IFF_SIMPLEX 0x800
#define IFCTL_BSD_IFF_LINK0 0x1000
#define IFCTL_BSD_IFF_LINK1 0x2000
#define IFCTL_BSD_IFF_LINK2 0x4000
#define IFCTL_BSD_IFF_MULTICAST 0x8000
#define IFCTL_BSD_IFF_CANTCONFIG 0x10000
#define IFCTL_BSD_IFF_PPROMISC 0x20000
#define IFCTL_BSD_IFF_MONITOR 0x40000
#define IFCTL_BSD_IFF_STATICARP 0x80000
/* Bits a SIOCSIFFLAGS of the bsd personality never changes (FreeBSD's
 * IFF_CANTCHANGE without PROMISC and ALLMULTI: those are counted per client). */
#define IFCTL_BSD_IFF_CANTCHANGE                                                                     \
    (IFF_BROADCAST | IFF_POINTOPOINT | IFF_RUNNING | IFCTL_BSD_IFF_OACTIVE | IFCTL_BSD_IFF_SIMPLEX | \
     IFCTL_BSD_IFF_MULTICAST | IFCTL_BSD_IFF_CANTCONFIG)

/* illumos net/if.h (the low 16 bits SIOCGIFFLAGS carries). */
#define IFCTL_SVR4_IFF_INTELLIGENT 0x400
#define IFCTL_SVR4_IFF_MULTICAST 0x800
#define IFCTL_SVR4_IFF_MULTI_BCAST 0x1000
#define IFCTL_SVR4_IFF_UNNUMBERED 0x2000
#define IFCTL_SVR4_IFF_DHCPRUNNING 0x4000
#define IFCTL_SVR4_IFF_PRIVATE 0x8000
/* illumos IFF_CANTCHANGE, low 16 bits. */
#define IFCTL_SVR4_IFF_CANTCHANGE                                                                   \
    (IFF_BROADCAST | IFF_POINTOPOINT | IFF_RUNNING | IFF_PROMISC | IFCTL_SVR4_IFF_MULTICAST |        \
     IFCTL_SVR4_IFF_MULTI_BCAST | IFCTL_SVR4_IFF_UNNUMBERED | IFF_LOOPBACK | IFF_ALLMULTI)

#ifndef IFCTL_COMPAT_NO_FLAG_NAMES
#undef IFF_MULTICAST
#ifdef IFCTL_COMPAT_SVR4
#define IFF_MULTICAST IFCTL_SVR4_IFF_MULTICAST
#define IFF_INTELLIGENT IFCTL_SVR4_IFF_INTELLIGENT
#define IFF_MULTI_BCAST IFCTL_SVR4_IFF_MULTI_BCAST
#define IFF_UNNUMBERED IFCTL_SVR4_IFF_UNNUMBERED
#define IFF_DHCPRUNNING IFCTL_SVR4_IFF_DHCPRUNNING
#define IFF_PRIVATE IFCTL_SVR4_IFF_PRIVATE
#define IFF_CANTCHANGE IFCTL_SVR4_IFF_CANTCHANGE
#else
#define IFF_MULTICAST IFCTL_BSD_IFF_MULTICAST
#define IFF_OACTIVE IFCTL_BSD_IFF_OACTIVE
#define IFF_SIMPLEX IFCTL_BSD_IFF_SIMPLEX
#define IFF_LINK0 IFCTL_BSD_IFF_LINK0
#define IFF_LINK1 IFCTL_BSD_IFF_LINK1
#define IFF_LINK2 IFCTL_BSD_IFF_LINK2
#define IFF_ALTPHYS IFCTL_BSD_IFF_LINK2
#define IFF_CANTCONFIG IFCTL_BSD_IFF_CANTCONFIG
#define IFF_PPROMISC IFCTL_BSD_IFF_PPROMISC
#define IFF_MONITOR IFCTL_BSD_IFF_MONITOR
#define IFF_STATICARP IFCTL_BSD_IFF_STATICARP
#define IFF_CANTCHANGE IFCTL_BSD_IFF_CANTCHANGE
#endif
#endif

/* ---- compile-time checks ----------------------------------------------------- */

/* A new request must never be a Linux socket request: not of the 0x89 group
 * (every number of <linux/sockios.h>, SIOCDEVPRIVATE and SIOCPROTOPRIVATE
 * included) and wider than 16 bits. */
#define IFCTL_COMPAT_NOT_LINUX(req) ((((req) >> 8) & 0xff) != 0x89 && ((req) & 0xffff0000UL) != 0)
typedef char ifctl_compat_checks_[(IFCTL_COMPAT_NOT_LINUX(SIOCAIFADDR) && IFCTL_COMPAT_NOT_LINUX(SIOCAIFADDR_IN6) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCDIFADDR_IN6) && IFCTL_COMPAT_NOT_LINUX(SIOCGIFCAP) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCSIFCAP) && IFCTL_COMPAT_NOT_LINUX(SIOCIFCREATE) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCIFDESTROY) && IFCTL_COMPAT_NOT_LINUX(SIOCGIFDATA) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCGENADDR) && IFCTL_COMPAT_NOT_LINUX(SIOCGIFNUM) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCGIFADDR_IN6) && IFCTL_COMPAT_NOT_LINUX(SIOCGIFDSTADDR_IN6) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCGIFNETMASK_IN6) && IFCTL_COMPAT_NOT_LINUX(SIOCGIFAFLAG_IN6) &&
                                   IFCTL_COMPAT_NOT_LINUX(SIOCGIFALIFETIME_IN6) &&
                                   sizeof(struct sockaddr_dl) == sizeof(struct sockaddr) &&
                                   sizeof(struct ifaliasreq) == IFNAMSIZ + 3 * sizeof(struct sockaddr) + sizeof(int))
                                      ? 1
                                      : -1];

#ifdef __cplusplus
}
#endif

/* ---- routing ioctl() through ifctl_ioctl ----------------------------------- */

#ifdef IFCTL_REDIRECT_IOCTL
#ifdef IFCTL_IFCONF_LAYOUT
#define ioctl(...) ifctl_ioctl_layout((ifctl_ifconf_layout_t)IFCTL_IFCONF_LAYOUT_NUMBER, __VA_ARGS__)
#else
#define ioctl(...) ifctl_ioctl(__VA_ARGS__)
#endif
/* C only: in C++ a close() macro would rewrite member calls (stream.close()).
 * Routed together, so that a socket recorded by ifctl_socket() is forgotten
 * when the file closes it. */
#if !defined(__cplusplus) && !defined(IFCTL_NO_REDIRECT_SOCKET)
#define socket(...) ifctl_socket(__VA_ARGS__)
#define close(...) ifctl_close_fd(__VA_ARGS__)
#endif
#endif

#endif /* IFCTL_COMPAT_H */
