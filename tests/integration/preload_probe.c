/* An unmodified C program for the preload tests: it calls plain ioctl(2),
 * which libifctl-preload.so interposes when LD_PRELOAD names it, and checks
 * what ifconfig alone cannot show: SIOCGIFCONF against the system call,
 * a forked child, and threads.
 *   preload_probe conf            SIOCGIFCONF through ioctl == the kernel's, byte for byte
 *   preload_probe fork IF M1 M2   parent asks, child sets MTU M1, then parent sets M2
 *   preload_probe threads IF      4 threads x 25 rounds of get flags / set MTU / get MTU
 *   preload_probe closed IF       asks (connects), closes every descriptor as daemons do, opens a
 *                                 socket pair over the old numbers, asks again: the answer is right
 *                                 and nothing was written into the pair
 *   preload_probe reenter IF      an ioctl made from inside the shim's own work (this program's
 *                                 recvmsg, which the shim calls while it holds its lock, as a
 *                                 signal handler or an interposing library might): answered, no deadlock
 *   preload_probe reused IF       a socket the shim saw made is closed (close, fclose, close_range) or
 *                                 replaced (dup2, dup3) and its number reused by a file or by a
 *                                 socket of another family: each ioctl then answers as the kernel
 *                                 does (rc and errno), never from what the number was before
 *   preload_probe lost IF PID     asks (connects), stops the daemon PID and kills it while a first
 *                                 MTU set waits for its answer, then sets the MTU again: prints
 *                                 each result ("0" or the errno's name)
 * Prints "ok" and exits 0, or says what differed and exits 1. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* syscall() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int sock(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        perror("socket");
        exit(2);
    }
    return s;
}

static int get_mtu(int s, const char *name) {
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFMTU, &r) < 0) return -errno;
    return r.ifr_mtu;
}

static int set_mtu(int s, const char *name, int mtu) {
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    r.ifr_mtu = mtu;
    return ioctl(s, SIOCSIFMTU, &r) < 0 ? -errno : 0;
}

static int conf(void) {
    int s = sock();
    static char a[4096], b[4096];
    struct ifconf ca = {.ifc_len = sizeof a, .ifc_buf = a}, cb = {.ifc_len = sizeof b, .ifc_buf = b};
    struct ifconf sa = {.ifc_len = 0, .ifc_buf = NULL}, sb = {.ifc_len = 0, .ifc_buf = NULL};
    memset(a, 0xa5, sizeof a);
    memset(b, 0xa5, sizeof b);
    int ra = ioctl(s, SIOCGIFCONF, &ca), rb = (int)syscall(SYS_ioctl, s, SIOCGIFCONF, &cb);
    int za = ioctl(s, SIOCGIFCONF, &sa), zb = (int)syscall(SYS_ioctl, s, SIOCGIFCONF, &sb);
    if (ra != 0 || rb != 0 || za != 0 || zb != 0 || ca.ifc_len != cb.ifc_len || sa.ifc_len != sb.ifc_len ||
        memcmp(a, b, sizeof a) != 0) {
        printf("differ: rc %d/%d len %d/%d size %d/%d\n", ra, rb, ca.ifc_len, cb.ifc_len, sa.ifc_len, sb.ifc_len);
        return 1;
    }
    for (int off = 0; off < ca.ifc_len; off += (int)sizeof(struct ifreq)) {
        const struct ifreq *e = (const struct ifreq *)(a + off);
        const unsigned char *ip = (const unsigned char *)e->ifr_addr.sa_data + 2;
        printf("%s %u.%u.%u.%u\n", e->ifr_name, ip[0], ip[1], ip[2], ip[3]);
    }
    printf("ok\n");
    return 0;
}

static int forked(const char *name, int m1, int m2) {
    int s = sock();
    if (get_mtu(s, name) < 0) { /* opens the shim's connection in the parent */
        printf("parent get: %s\n", strerror(-get_mtu(s, name)));
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
        int rc = set_mtu(s, name, m1);
        if (rc < 0 || get_mtu(s, name) != m1) {
            printf("child: set %d: %s, now %d\n", m1, strerror(-rc), get_mtu(s, name));
            _exit(1);
        }
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
    printf("child %d\n", (int)pid); /* the test finds the child's own connection in the daemon's log */
    int rc = set_mtu(s, name, m2);
    if (rc < 0 || get_mtu(s, name) != m2) {
        printf("parent after fork: set %d: %s, now %d\n", m2, strerror(-rc), get_mtu(s, name));
        return 1;
    }
    printf("ok\n");
    return 0;
}

struct job {
    const char *name;
    int id;
    int failures;
};

static void *worker(void *p) {
    struct job *j = p;
    int s = sock();
    for (int i = 0; i < 25; ++i) {
        struct ifreq r;
        memset(&r, 0, sizeof r);
        strncpy(r.ifr_name, j->name, IFNAMSIZ - 1);
        if (ioctl(s, SIOCGIFFLAGS, &r) < 0 || !(r.ifr_flags & IFF_UP)) j->failures++;
        if (set_mtu(s, j->name, 1300 + j->id) < 0) j->failures++;
        if (get_mtu(s, j->name) < 1300) j->failures++;
    }
    close(s);
    return NULL;
}

static int threads(const char *name) {
    pthread_t t[4];
    struct job jobs[4];
    for (int i = 0; i < 4; ++i) {
        jobs[i] = (struct job){name, i, 0};
        if (pthread_create(&t[i], NULL, worker, &jobs[i]) != 0) return 2;
    }
    int failures = 0;
    for (int i = 0; i < 4; ++i) {
        pthread_join(t[i], NULL);
        failures += jobs[i].failures;
    }
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}

static const char *result(int rc) {
    switch (rc) {
        case 0: return "0";
        case -EIO: return "EIO";
        case -ENODEV: return "ENODEV";
        case -EPERM: return "EPERM";
        default: return strerror(-rc);
    }
}

static void *kill_later(void *arg) {
    usleep(300 * 1000);
    kill(*(pid_t *)arg, SIGKILL);
    return NULL;
}

/* The daemon dies while a change is under way: the change must fail with EIO
 * (never a false success, never a second try: it may have been applied); the
 * one after finds no daemon and goes to the kernel. The daemon is stopped
 * first, so the change surely reaches it and waits for an answer that never
 * comes; it is killed 300 ms later. (A daemon already gone when a request is
 * sent never received it: that request is sent again on a new connection.) */
static int lost(const char *name, pid_t daemon) {
    int s = sock();
    int mtu = get_mtu(s, name);
    if (mtu < 0) {
        printf("get: %s\n", result(mtu));
        return 1;
    }
    if (kill(daemon, SIGSTOP) < 0) {
        perror("kill");
        return 2;
    }
    pthread_t killer;
    if (pthread_create(&killer, NULL, kill_later, &daemon) != 0) return 2;
    printf("%s\n", result(set_mtu(s, name, mtu - 1)));
    pthread_join(killer, NULL);
    printf("%s\n", result(set_mtu(s, name, mtu - 2)));
    return 0;
}

static int closed(const char *name) {
    int s = sock();
    int mtu = get_mtu(s, name);
    if (mtu < 0) return 1;
    for (int fd = 3; fd < 64; ++fd) close(fd);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return 2;
    int sv2[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv2) < 0) return 2;
    s = sock();
    int again = get_mtu(s, name);
    char buf[64];
    int leaked = 0;
    for (int i = 0; i < 2; ++i) {
        if (recv(sv[i], buf, sizeof buf, MSG_DONTWAIT) >= 0) leaked++;
        if (recv(sv2[i], buf, sizeof buf, MSG_DONTWAIT) >= 0) leaked++;
    }
    if (again != mtu || leaked) {
        printf("mtu %d then %d, %d frames in the program's sockets\n", mtu, again, leaked);
        return 1;
    }
    printf("ok\n");
    return 0;
}

/* One ioctl through the shim and the same as a system call: the same rc and
 * errno, else says which and returns 1. */
static int same_as_kernel(const char *what, int fd, unsigned long req, const char *name) {
    struct ifreq a, b;
    memset(&a, 0, sizeof a);
    strncpy(a.ifr_name, name, IFNAMSIZ - 1);
    b = a;
    int ra = ioctl(fd, req, &a);
    int ea = ra < 0 ? errno : 0;
    int rb = (int)syscall(SYS_ioctl, fd, req, &b);
    int eb = rb < 0 ? errno : 0;
    if (ra == rb && ea == eb) return 0;
    printf("%s: shim %d (%s), kernel %d (%s)\n", what, ra, strerror(ea), rb, strerror(eb));
    return 1;
}

/* A socket asked through the shim (so its domain is known), then made into
 * something else by `how`; returns the descriptor now at its number. */
static int remade(const char *name, int how) {
    int s = sock();
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &r) < 0) return -1;
    int other = how == 3 || how == 4 ? socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0) : open("/dev/null", O_RDONLY);
    switch (how) {
        case 0: close(s); break;
        case 1: fclose(fdopen(s, "r")); break;
        case 2: close_range((unsigned)s, (unsigned)s, 0); break;
        case 3: return dup2(other, s) == s ? (close(other), s) : -1;
        case 4: return dup3(other, s, O_CLOEXEC) == s ? (close(other), s) : -1;
        default: return -1;
    }
    /* The lowest free number is the socket's again. */
    int again = dup(other);
    close(other);
    return again == s ? s : -1;
}

static int reused(const char *name) {
    static const char *hows[] = {"close", "fclose", "close_range", "dup2 of an inet6 socket", "dup3 of an inet6 socket"};
    int failures = 0;
    for (int how = 0; how < 5; ++how) {
        int fd = remade(name, how);
        if (fd < 0) {
            printf("%s: could not reuse the number\n", hows[how]);
            return 2;
        }
        failures += same_as_kernel(hows[how], fd, SIOCGIFFLAGS, name);
        failures += same_as_kernel(hows[how], fd, SIOCGIFADDR, name);
        close(fd);
    }
    if (failures) return 1;
    printf("ok\n");
    return 0;
}

/* This program's recvmsg interposes libc's for everyone in the process,
 * including the shim waiting for the daemon's reply. In "reenter" mode it makes
 * one ioctl of its own from there, on the interface being asked about. */
static int reenter_armed;
static int reentered = -1;
static const char *reenter_name;

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    if (reenter_armed) {
        reenter_armed = 0;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq r;
        memset(&r, 0, sizeof r);
        strncpy(r.ifr_name, reenter_name, IFNAMSIZ - 1);
        reentered = ioctl(s, SIOCGIFFLAGS, &r) < 0 ? -errno : (r.ifr_flags & IFF_UP) != 0;
        close(s);
    }
    return syscall(SYS_recvmsg, fd, msg, flags);
}

static int reenter(const char *name) {
    int s = sock();
    reenter_name = name;
    reenter_armed = 1;
    int mtu = get_mtu(s, name);
    if (mtu < 0 || reentered != 1) {
        printf("mtu %d, inner ioctl %d\n", mtu, reentered);
        return 1;
    }
    printf("ok\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "conf") == 0) return conf();
    if (argc == 5 && strcmp(argv[1], "fork") == 0) return forked(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc == 3 && strcmp(argv[1], "threads") == 0) return threads(argv[2]);
    if (argc == 3 && strcmp(argv[1], "closed") == 0) return closed(argv[2]);
    if (argc == 3 && strcmp(argv[1], "reenter") == 0) return reenter(argv[2]);
    if (argc == 3 && strcmp(argv[1], "reused") == 0) return reused(argv[2]);
    if (argc == 4 && strcmp(argv[1], "lost") == 0) return lost(argv[2], (pid_t)atoi(argv[3]));
    fprintf(stderr, "usage: preload_probe conf | fork IF MTU1 MTU2 | threads IF | closed IF | reenter IF | lost IF PID\n");
    return 2;
}
