/*
 * ifctl.h - C API of libifctl, the client library of ifctld.
 *
 * Usable from C99 and C++. Every function that can fail returns 0 on success
 * or a negative errno value (-ENODEV, -EPERM, ...); errno itself is left alone.
 * After a failure, ifctl_message() returns the daemon's explanation.
 *
 * A handle is one connection to the daemon. It is not thread-safe: use one
 * handle per thread, or serialise calls. ifctl_ioctl() manages its own
 * connection and may be called from any thread.
 *
 * Interface flags are Linux IFF_* values. See libifctl(3).
 */
#ifndef IFCTL_IFCTL_H
#define IFCTL_IFCTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IFCTL_VERSION_MAJOR 0
#define IFCTL_VERSION_MINOR 1
#define IFCTL_DEFAULT_SOCKET "/run/ifctl/ifctld.sock"

/* The tag is not "struct ifctl": C++ code of the project lives in namespace
 * ifctl, and a class and a namespace may not share a name. */
typedef struct ifctl_handle ifctl_t;

/* One address of an interface. */
typedef struct ifctl_addr {
    int family;                 /* AF_INET or AF_INET6 */
    unsigned char local[16];    /* 4 bytes used for AF_INET */
    unsigned prefixlen;
    int has_broadcast;
    unsigned char broadcast[4];
    int has_peer;               /* point-to-point destination */
    unsigned char peer[16];
    char label[16];             /* Linux address label, "" if none */
    uint32_t flags;             /* IFA_F_* */
} ifctl_addr_t;

typedef struct ifctl_stats {
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
    uint64_t multicast, collisions;
} ifctl_stats_t;

/* An interface as the daemon reports it. Free with ifctl_iface_free(). */
typedef struct ifctl_iface {
    unsigned index;
    char name[16];
    char kind[32];              /* kernel link kind: "tun", "veth", "" */
    unsigned hw_type;           /* ARPHRD_* */
    uint32_t flags;             /* IFF_*, as the kernel reports them */
    unsigned mtu, min_mtu, max_mtu;
    int metric;
    unsigned txqlen;
    unsigned char lladdr[32];
    size_t lladdr_len;
    int carrier;
    int managed;                /* created and owned by ifctld */
    uid_t owner;                /* who may configure it (managed only) */
    uint64_t unique_id;
    ifctl_stats_t stats;
    size_t naddrs;
    ifctl_addr_t *addrs;
    size_t nmulti;
    unsigned char (*multi)[6];  /* multicast memberships held through ifctld (all holders) */
    char unique_family[16];     /* family of a caller-chosen unique_id ("ether"); "" if the daemon chose it */
    uint32_t caps_supported;    /* TUN_F_* offloads the TAP can take (none without vnet_hdr) */
    uint32_t caps_enabled;      /* TUN_F_* offloads on */
    unsigned promisc_refs;      /* connections holding an IFF_PROMISC reference */
    unsigned allmulti_refs;     /* connections holding an IFF_ALLMULTI reference */
} ifctl_iface_t;

/* Connects to the daemon. socket_path NULL: $IFCTL_SOCKET, else IFCTL_DEFAULT_SOCKET.
 * On failure *out is NULL and, if why is not NULL, a description is copied there. */
int ifctl_open(ifctl_t **out, const char *socket_path, char *why, size_t why_len);
void ifctl_close(ifctl_t *h);
/* The daemon's explanation of the last failure on this handle ("" if none). */
const char *ifctl_message(const ifctl_t *h);
/* The connection's descriptor, e.g. for poll(). */
int ifctl_fd(const ifctl_t *h);

int ifctl_list(ifctl_t *h, ifctl_iface_t **ifaces, size_t *count);
void ifctl_list_free(ifctl_iface_t *ifaces, size_t count);
int ifctl_get(ifctl_t *h, const char *name, ifctl_iface_t *out);
int ifctl_get_by_index(ifctl_t *h, unsigned index, ifctl_iface_t *out);
void ifctl_iface_free(ifctl_iface_t *iface);  /* frees what ifctl_get put in *iface */

/* name: an exact name ("tap7") or a pattern with %d ("tap%d"). queues: 0 for one.
 * The new name is written to created_name (at least 16 bytes) if not NULL. */
int ifctl_create(ifctl_t *h, const char *name, unsigned queues, char *created_name);
int ifctl_destroy(ifctl_t *h, const char *name);
int ifctl_rename(ifctl_t *h, const char *name, const char *new_name);
/* Sets the bits of flags selected by mask; other bits are kept. */
int ifctl_set_flags(ifctl_t *h, const char *name, uint32_t flags, uint32_t mask);
int ifctl_set_mtu(ifctl_t *h, const char *name, unsigned mtu);
int ifctl_set_metric(ifctl_t *h, const char *name, int metric);
int ifctl_set_txqlen(ifctl_t *h, const char *name, unsigned txqlen);
int ifctl_set_lladdr(ifctl_t *h, const char *name, const unsigned char *addr, size_t len);
int ifctl_addr_add(ifctl_t *h, const char *name, const ifctl_addr_t *addr);
int ifctl_addr_del(ifctl_t *h, const char *name, const ifctl_addr_t *addr);
int ifctl_addr_replace(ifctl_t *h, const char *name, const ifctl_addr_t *old_addr, const ifctl_addr_t *new_addr);
int ifctl_multi_add(ifctl_t *h, const char *name, const unsigned char mac[6]);
int ifctl_multi_del(ifctl_t *h, const char *name, const unsigned char mac[6]);
/* Multicast membership counted for this handle: joining one the handle holds
 * gives -EADDRINUSE, leaving one it does not hold -ENOENT; ifctl_close drops
 * the handle's memberships. The kernel holds the union over all handles. */
int ifctl_multi_join(ifctl_t *h, const char *name, const unsigned char mac[6]);
int ifctl_multi_leave(ifctl_t *h, const char *name, const unsigned char mac[6]);
/* This handle's reference on IFF_PROMISC or IFF_ALLMULTI (on = 1 take, 0 drop;
 * taking twice or dropping one not held does nothing). The flag is on while
 * any handle holds a reference or ifctl_set_flags set it; ifctl_close drops it. */
int ifctl_flag_ref(ifctl_t *h, const char *name, uint32_t flag, int on);
/* TAP offloads (TUN_F_* of <linux/if_tun.h>); -EINVAL outside caps_supported. */
int ifctl_set_caps(ifctl_t *h, const char *name, uint32_t tun_f);
/* Renames an interface that is up: if the kernel refuses (-EBUSY before Linux
 * 6.2), down, rename, up, restoring the old state if a step fails. */
int ifctl_rename_live(ifctl_t *h, const char *name, const char *new_name);
/* Create with a caller-chosen unique id (not 0) of a family ("ether"): if a
 * detached interface had the same id and family, it comes back with its name,
 * index, address and MTU; -EEXIST while one with that id exists. */
int ifctl_create_unique(ifctl_t *h, const char *name, unsigned queues, uint64_t unique_id, const char *family,
                        char *created_name);
/* The interface leaves the system; its unique-id slot stays for a later create. */
int ifctl_detach(ifctl_t *h, const char *name);
/* Drops a detached unique-id slot: -ENOENT if there is none, -EBUSY if attached. */
int ifctl_forget(ifctl_t *h, uint64_t unique_id, const char *family);
/* A new queue descriptor of a daemon-owned TAP (close-on-exec; frames without
 * packet information, as with IFF_TAP|IFF_NO_PI). Returns the fd or -errno. */
int ifctl_open_queue(ifctl_t *h, const char *name);

/* Options of ifctl_create_with(). Start from IFCTL_CREATE_OPTS_INIT (or zero
 * the struct and set size = sizeof(ifctl_create_opts_t)), then set what you
 * need. `size` lets the struct grow: a program built against an older header
 * passes its smaller size and the fields it does not know are taken as zero;
 * a newer, larger struct is accepted if the bytes this library does not know
 * are zero (-E2BIG otherwise). */
#define IFCTL_CREATE_OWNER    0x1u  /* owner is set (default: the caller) */
#define IFCTL_CREATE_GROUP    0x2u  /* group is set: recorded with the TAP (queues come from ifctl_open_queue) */
#define IFCTL_CREATE_PERSIST  0x4u  /* the TAP outlives daemon stops and reboots */
#define IFCTL_CREATE_VNET_HDR 0x8u  /* frames carry a virtio-net header (IFF_VNET_HDR) */
typedef struct ifctl_create_opts {
    size_t size;                /* sizeof(ifctl_create_opts_t) */
    unsigned flags;             /* IFCTL_CREATE_* */
    unsigned queues;            /* 0: one */
    uid_t owner;                /* with IFCTL_CREATE_OWNER: who may configure it (root only) */
    gid_t group;                /* with IFCTL_CREATE_GROUP */
    uint64_t unique_id;         /* 0: none; else with unique_family, as ifctl_create_unique */
    const char *unique_family;  /* "ether"; NULL when unique_id is 0 */
} ifctl_create_opts_t;
#define IFCTL_CREATE_OPTS_INIT { sizeof(ifctl_create_opts_t), 0, 0, 0, 0, 0, NULL }

/* Create with options (opts NULL: as ifctl_create with one queue). */
int ifctl_create_with(ifctl_t *h, const char *name, const ifctl_create_opts_t *opts, char *created_name);
/* Who may configure a managed interface (root only). */
int ifctl_set_owner(ifctl_t *h, const char *name, uid_t owner);
/* persistent 1: the TAP outlives daemon stops and reboots; 0: it does not. */
int ifctl_set_persistent(ifctl_t *h, const char *name, int persistent);
/* Moves a managed TAP into the network namespace of process pid, or into the
 * namespace file at path (/run/netns/NAME, /proc/PID/ns/net). */
int ifctl_move_netns_pid(ifctl_t *h, const char *name, pid_t pid);
int ifctl_move_netns_path(ifctl_t *h, const char *name, const char *path);
/* The interface's description (IFLA_IFALIAS, at most 255 bytes); "" or NULL
 * removes it. -EOPNOTSUPP from an ifctld that has no descriptions. */
int ifctl_set_description(ifctl_t *h, const char *name, const char *text);
/* The interface's description: *text is a malloc'd string ("" when it has
 * none), freed with ifctl_description_free(). */
int ifctl_get_description(ifctl_t *h, const char *name, char **text);
void ifctl_description_free(char *text);
/* Interface groups (FreeBSD's "group NAME", 1..15 bytes): joining one it is in
 * gives -EEXIST, leaving one it is not in -ENOENT. */
int ifctl_group_add(ifctl_t *h, const char *name, const char *group);
int ifctl_group_del(ifctl_t *h, const char *name, const char *group);
/* The groups it is in, in the order joined: *groups is a malloc'd array of
 * *count strings (NULL when none), freed with ifctl_groups_free(). */
int ifctl_get_groups(ifctl_t *h, const char *name, char ***groups, size_t *count);
void ifctl_groups_free(char **groups, size_t count);
/* Brings a TAP moved away with ifctl_move_netns_* back into ifctld's network
 * namespace, from wherever it is now (root only). name is its name there.
 * -EEXIST if it is in ifctld's namespace already (as FreeBSD's -vnet),
 * -ENODEV if it is neither there nor moved away by ifctld. */
int ifctl_move_home(ifctl_t *h, const char *name);

/* Events: what changed on an interface (see ifctl monitor). One kind per event. */
#define IFCTL_EV_LINK_ADDED    0x001u
#define IFCTL_EV_LINK_REMOVED  0x002u
#define IFCTL_EV_RENAMED       0x004u
#define IFCTL_EV_FLAGS         0x008u
#define IFCTL_EV_MTU           0x010u
#define IFCTL_EV_CARRIER       0x020u
#define IFCTL_EV_ADDR_ADDED    0x040u
#define IFCTL_EV_ADDR_REMOVED  0x080u
#define IFCTL_EV_LLADDR        0x100u
#define IFCTL_EV_TAMPERED      0x200u  /* a managed TAP changed behind ifctld's back (kernel owner, persist, queues) */
#define IFCTL_EV_ALL           0x3ffu

typedef struct ifctl_event {
    uint64_t seq;               /* daemon-wide, one more per event published */
    uint32_t kind;              /* one IFCTL_EV_* bit */
    unsigned index;
    char name[16];              /* the interface's name after the change */
    int managed;                /* created and owned by ifctld */
    uint64_t time_ms;           /* when the daemon saw it, ms since the epoch */
    char old_name[16];          /* RENAMED */
    uint32_t flags, old_flags;  /* FLAGS (LINK_ADDED: flags) */
    unsigned mtu, old_mtu;      /* MTU (LINK_ADDED: mtu) */
    int carrier;                /* CARRIER, LINK_ADDED */
    int has_addr;               /* ADDR_ADDED, ADDR_REMOVED: addr is set */
    ifctl_addr_t addr;
    unsigned char lladdr[32];   /* LLADDR, LINK_ADDED */
    size_t lladdr_len;
} ifctl_event_t;

/* Makes the handle a subscriber to the kinds in `kinds` (IFCTL_EV_* bits; 0:
 * all) about one interface (name; it is followed through renames) or all (name
 * NULL). *last_seq, if not NULL, gets the number of the last event published
 * before. One subscription per handle (-EBUSY). Use a handle of its own for
 * events: events that arrive while a request on the same handle waits for its
 * reply are skipped. */
int ifctl_subscribe(ifctl_t *h, const char *name, uint32_t kinds, uint64_t *last_seq);
/* The next event. timeout_ms < 0 waits as long as it takes, 0 only takes one
 * already there. -ETIMEDOUT: none in time; -ENOBUFS: the daemon dropped this
 * subscriber for reading too slowly (subscribe again and re-read the state);
 * -ECONNRESET: the daemon went away. For a poll loop: wait for POLLIN on
 * ifctl_fd(h), then call this with timeout_ms 0. */
int ifctl_next_event(ifctl_t *h, ifctl_event_t *ev, int timeout_ms);
/* "link-added", "mtu", ...; "" for a value that is not one kind. */
const char *ifctl_event_kind_name(uint32_t kind);
/* A comma-separated list of kind names (also "link": added, removed, renamed;
 * "address": both directions) to a mask; -EINVAL on an unknown name. */
int ifctl_event_kinds_parse(const char *list, uint32_t *mask);

/* Same shape as ioctl(2). Interface requests about interfaces ifctld manages go
 * to the daemon; everything else goes to the kernel unchanged, with the caller's
 * own privileges. Returns 0 (or the kernel's result) or -1 with errno set, like ioctl. */
int ifctl_ioctl(int fd, unsigned long request, ...);

/* socket(2) and close(2) for the sockets a program hands to ifctl_ioctl().
 * ifctl_ioctl() must answer EBADF for a closed descriptor and ENOTTY for one
 * that is not a socket, as the kernel does, and needs the socket's family: for
 * a descriptor it does not know it asks the kernel (getsockopt(SO_DOMAIN), one
 * system call per request). ifctl_socket() records the family of the socket it
 * makes, so that ifctl_ioctl() on it makes no such call; ifctl_close_fd()
 * forgets the descriptor, then closes it (any descriptor). The record is only
 * right while every copy or close of that number goes through
 * ifctl_close_fd(): a recorded descriptor closed with close(), or replaced by
 * dup2()/dup3() onto its number, keeps its record, and ifctl_ioctl() then
 * answers for whatever the number has become as for the socket (see
 * docs/preload.md). Descriptors from dup(), accept() or another library are
 * not recorded and are asked of the kernel. Both return what socket(2) and
 * close(2) return, with their errno. <ifctl/compat.h> routes socket() and
 * close() here in C files built with -DIFCTL_REDIRECT_IOCTL. */
int ifctl_socket(int domain, int type, int protocol);
int ifctl_close_fd(int fd);

/* Personalities: how ifctl_ioctl interprets requests. */
typedef enum ifctl_personality {
    IFCTL_PERSONALITY_LINUX = 0,
    IFCTL_PERSONALITY_BSD = 1,
    IFCTL_PERSONALITY_SVR4 = 2
} ifctl_personality_t;
/* The process-wide personality; the default comes from $IFCTL_PERSONALITY
 * (linux; bsd and svr4 also by their systems' names, in any case: freebsd,
 * netbsd, openbsd, darwin, macos; solaris, illumos, sunos). */
int ifctl_set_personality(ifctl_personality_t p);
ifctl_personality_t ifctl_get_personality(void);

/* How the bsd personality lays out the entries of SIOCGIFCONF, so that a
 * ported program's own stepping rule walks the list (libifctl(3), PORTING):
 *   IFREQ   every entry sizeof(struct ifreq), 40 bytes: code that steps with
 *           ifr++ (an inet6 entry then holds all of sin6_addr but not
 *           sin6_scope_id);
 *   PADDED  max(sizeof(struct ifreq), IFNAMSIZ + the address's length): 40,
 *           44 for inet6;
 *   PACKED  IFNAMSIZ + max(sizeof(struct sockaddr), the address's length): 32,
 *           44 for inet6.
 * DEFAULT means the process's layout: the one ifctl_set_ifconf_layout() chose,
 * else $IFCTL_IFCONF (ifreq, padded, packed), else IFREQ. The svr4 and linux
 * personalities have one layout each (sizeof(struct ifreq) per entry). */
typedef enum ifctl_ifconf_layout {
    IFCTL_IFCONF_DEFAULT = 0,
    IFCTL_IFCONF_IFREQ = 1,
    IFCTL_IFCONF_PADDED = 2,
    IFCTL_IFCONF_PACKED = 3
} ifctl_ifconf_layout_t;
/* Sets the process's layout (DEFAULT: back to $IFCTL_IFCONF); -EINVAL for any
 * other value. */
int ifctl_set_ifconf_layout(ifctl_ifconf_layout_t layout);
/* The process's layout in force (never DEFAULT). */
ifctl_ifconf_layout_t ifctl_get_ifconf_layout(void);
/* ifctl_ioctl() with SIOCGIFCONF laid out as `layout` (DEFAULT: the process's).
 * <ifctl/compat.h> routes ioctl() here when IFCTL_IFCONF_LAYOUT is defined. */
int ifctl_ioctl_layout(ifctl_ifconf_layout_t layout, int fd, unsigned long request, ...);

/* "0.1.0" */
const char *ifctl_version(void);

#ifdef __cplusplus
}
#endif

#endif /* IFCTL_IFCTL_H */
