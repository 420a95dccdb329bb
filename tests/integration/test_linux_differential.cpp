// The acceptance test of the Linux personality: every case is run twice in the
// same private namespace, once with the kernel's ioctl on a TAP made directly
// ("na0") and once with ifctl_ioctl on a TAP ifctld made ("da0"). Return value,
// errno, the bytes written back and the interface's state afterwards (read over
// netlink) must be the same. Names and indexes are normalised before comparing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <chrono>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "daemon/kernel/netlink.hpp"
#include "ifctl/ifctl.h"
#include "libifctl/src/connection.hpp"
#include "support/netns_daemon.hpp"
#include "support/test_main.hpp"

using namespace ifctl;

namespace {

using IoctlFn = int (*)(int, unsigned long, ...);

// One side of the comparison: how it calls ioctl and which interface is its own.
struct Side {
    const char* label;
    std::string prefix;  // "na" or "da": every name of this side starts with it
    IoctlFn call;
    std::string name;
    unsigned index = 0;
};

constexpr size_t kArgSize = 64;
constexpr size_t kDataSize = 512;
constexpr uint8_t kFill = 0xa5;  // bytes the call does not write keep this value

struct Arg {
    uint8_t bytes[kArgSize];
    uint8_t data[kDataSize];  // what an ifconf points at
};

using Build = std::function<void(Arg&, const Side&)>;

struct Step {
    int domain;
    unsigned long request;
    Build build;
    bool unprivileged = false;
};

struct Case {
    std::string title;
    std::vector<Step> steps;
};

struct Result {
    int rc = 0, err = 0;
    std::vector<uint8_t> bytes;
    bool operator==(const Result&) const = default;
};

// "@" in a name spec stands for the side's interface.
std::string expand(const std::string& spec, const Side& s) {
    std::string out;
    for (char c : spec) {
        if (c == '@') out += s.name;
        else out += c;
    }
    return out;
}

void put_name(Arg& a, const std::string& name, size_t offset = 0) {
    std::memset(a.bytes + offset, 0, IFNAMSIZ);
    std::memcpy(a.bytes + offset, name.data(), std::min(name.size(), size_t{IFNAMSIZ}));
}

void put_sockaddr_in(Arg& a, int family, const char* ip) {
    struct sockaddr_in sin {};
    sin.sin_family = static_cast<sa_family_t>(family);
    inet_pton(AF_INET, ip, &sin.sin_addr);
    std::memcpy(a.bytes + 16, &sin, sizeof sin);
}

// ---- argument builders -------------------------------------------------------

Build name(std::string spec) {
    return [spec](Arg& a, const Side& s) { put_name(a, expand(spec, s)); };
}
Build addr(std::string spec, const char* ip, int family = AF_INET) {
    return [=](Arg& a, const Side& s) {
        put_name(a, expand(spec, s));
        put_sockaddr_in(a, family, ip);
    };
}
Build int_at16(std::string spec, int v) {
    return [=](Arg& a, const Side& s) {
        put_name(a, expand(spec, s));
        std::memcpy(a.bytes + 16, &v, sizeof v);
    };
}
Build flags(std::string spec, unsigned v) {
    return [=](Arg& a, const Side& s) {
        put_name(a, expand(spec, s));
        const auto f = static_cast<short>(v);
        std::memcpy(a.bytes + 16, &f, sizeof f);
    };
}
Build hw(std::string spec, int family, std::array<uint8_t, 6> mac) {
    return [=](Arg& a, const Side& s) {
        put_name(a, expand(spec, s));
        const auto fam = static_cast<sa_family_t>(family);
        std::memcpy(a.bytes + 16, &fam, sizeof fam);
        std::memcpy(a.bytes + 18, mac.data(), mac.size());
    };
}
Build newname(std::string spec, std::string to) {
    return [=](Arg& a, const Side& s) {
        put_name(a, expand(spec, s));
        std::memset(a.bytes + 16, 0, IFNAMSIZ);
        const std::string n = expand(to, s);
        std::memcpy(a.bytes + 16, n.data(), std::min(n.size(), size_t{IFNAMSIZ}));
    };
}
Build by_index() {
    return [](Arg& a, const Side& s) {
        const int i = static_cast<int>(s.index);
        std::memcpy(a.bytes + 16, &i, sizeof i);
    };
}
Build in6(const char* ip, uint32_t prefix, bool own_index = true) {
    return [=](Arg& a, const Side& s) {
        struct {
            struct in6_addr addr;
            uint32_t prefixlen;
            int ifindex;
        } r{};
        inet_pton(AF_INET6, ip, &r.addr);
        r.prefixlen = prefix;
        r.ifindex = own_index ? static_cast<int>(s.index) : 9999;
        std::memcpy(a.bytes, &r, sizeof r);
    };
}
Build ifconf(int len, bool null_buffer = false) {
    return [=](Arg& a, const Side&) {
        struct ifconf ifc {};
        ifc.ifc_len = len;
        ifc.ifc_buf = null_buffer ? nullptr : reinterpret_cast<char*>(a.data);
        std::memcpy(a.bytes, &ifc, sizeof ifc);
    };
}

Step in(unsigned long req, Build b) { return {AF_INET, req, std::move(b)}; }
Step on(int domain, unsigned long req, Build b) { return {domain, req, std::move(b)}; }
Step unpriv(unsigned long req, Build b) { return {AF_INET, req, std::move(b), true}; }

// ---- running a step ----------------------------------------------------------

// Makes the side's names and indexes comparable: "na"/"da" become "XX", the
// side's own index becomes a marker. The ifconf pointer is dropped.
std::vector<uint8_t> normalise(const Arg& a, const Step& st, const Side& s) {
    if (st.request == SIOCGIFCONF) {
        std::vector<uint8_t> w(kArgSize + kDataSize);
        std::memcpy(w.data(), a.bytes, kArgSize);
        std::memcpy(w.data() + kArgSize, a.data, kDataSize);
        std::memset(w.data() + 8, 0, 8);  // ifc_buf: a pointer, differs per side by design
        return w;  // the whole namespace's list: no side-specific names to hide
    }
    std::vector<uint8_t> v(a.bytes, a.bytes + kArgSize);
    for (size_t i = 0; i + 1 < v.size(); ++i)
        if (v[i] == s.prefix[0] && v[i + 1] == s.prefix[1]) v[i] = v[i + 1] = 'X';
    const bool in6_ifreq = st.request == SIOCDIFADDR || (st.domain == AF_INET6 && st.request == SIOCSIFADDR);
    if (st.request == SIOCGIFINDEX || st.request == SIOCGIFNAME || in6_ifreq) {
        const size_t off = in6_ifreq ? 20 : 16;
        int idx;
        std::memcpy(&idx, v.data() + off, sizeof idx);
        if (idx == static_cast<int>(s.index)) idx = -7;
        std::memcpy(v.data() + off, &idx, sizeof idx);
    }
    return v;
}

Result call_once(const Step& st, const Side& s) {
    Arg a;
    std::memset(&a, kFill, sizeof a);
    st.build(a, s);
    // AF_UNSPEC stands for "not a socket at all".
    const int fd = st.domain == AF_UNSPEC ? ::open("/dev/null", O_RDWR | O_CLOEXEC) : ::socket(st.domain, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    errno = 0;
    Result r;
    r.rc = s.call(fd, st.request, a.bytes);
    r.err = r.rc < 0 ? errno : 0;
    ::close(fd);
    r.bytes = normalise(a, st, s);
    return r;
}

// Runs the step as uid 65534 in a child, which reports back through a pipe.
Result call_unprivileged(const Step& st, const Side& s) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        if (::setresgid(65534, 65534, 65534) < 0 || ::setresuid(65534, 65534, 65534) < 0) ::_exit(3);
        Result r = call_once(st, s);
        const int hdr[3] = {r.rc, r.err, static_cast<int>(r.bytes.size())};
        if (::write(p[1], hdr, sizeof hdr) < 0 || ::write(p[1], r.bytes.data(), r.bytes.size()) < 0) ::_exit(4);
        ::_exit(0);
    }
    ::close(p[1]);
    int hdr[3] = {0, 0, 0};
    Result r;
    if (::read(p[0], hdr, sizeof hdr) == sizeof hdr) {
        r.rc = hdr[0];
        r.err = hdr[1];
        r.bytes.resize(static_cast<size_t>(hdr[2]));
        if (::read(p[0], r.bytes.data(), r.bytes.size()) < 0) r.rc = -999;
    } else {
        r.rc = -999;
    }
    ::close(p[0]);
    int status;
    ::waitpid(pid, &status, 0);
    return r;
}

// ---- interfaces and their state ----------------------------------------------

constexpr std::array<uint8_t, 6> kMac{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

void set_mac_natively(const std::string& name) {
    struct ifreq r {};
    std::strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
    r.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    std::memcpy(r.ifr_hwaddr.sa_data, kMac.data(), kMac.size());
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(::ioctl(fd, SIOCSIFHWADDR, &r) == 0);
    ::close(fd);
}

// The native TAP, made the way ifctld makes its own (multi-queue, no PI).
int make_native_tap(const std::string& name) {
    const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    struct ifreq r {};
    std::strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
    r.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_TUN_EXCL);  // IFF_TUN_EXCL is 0x8000
    REQUIRE(::ioctl(fd, TUNSETIFF, &r) == 0);
    return fd;
}

// What must be the same on both sides after a case.
struct State {
    std::string name;
    uint32_t flags = 0, mtu = 0, txqlen = 0;
    std::vector<uint8_t> lladdr;
    std::vector<std::string> addresses;
    bool operator==(const State&) const = default;
};

std::string norm(std::string s, const std::string& prefix) {
    if (s.rfind(prefix, 0) == 0) s.replace(0, prefix.size(), "XX");
    return s;
}

State state_of(daemon::Netlink& nl, unsigned index, const std::string& prefix) {
    State st;
    nl.poll_events();
    const proto::Interface* i = nl.find(index);
    if (!i) return st;
    st.name = norm(i->name, prefix);
    st.flags = i->flags;
    st.mtu = i->mtu;
    st.txqlen = i->txqlen;
    st.lladdr = i->lladdr;
    for (const proto::Address& a : i->addresses) {
        std::string text = proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix);
        if (a.broadcast) text += " brd " + proto::format_address(2, a.broadcast->data());
        if (a.peer) text += " peer " + proto::format_address(a.family, a.peer->data());
        if (!a.label.empty()) text += " label " + norm(a.label, prefix);
        st.addresses.push_back(text);
    }
    return st;
}

std::string describe(const State& s) {
    std::string out = s.name + " flags=" + std::to_string(s.flags) + " mtu=" + std::to_string(s.mtu) +
                      " txqlen=" + std::to_string(s.txqlen) + " lladdr=" + proto::format_lladdr(s.lladdr);
    for (const auto& a : s.addresses) out += " [" + a + "]";
    return out;
}

std::string describe(const Result& r) {
    std::string out = "rc=" + std::to_string(r.rc) + " errno=" + std::to_string(r.err) + " (" +
                      std::strerror(r.err) + ") bytes=";
    char b[4];
    for (size_t i = 0; i < std::min<size_t>(r.bytes.size(), 48); ++i) {
        std::snprintf(b, sizeof b, "%02x", r.bytes[i]);
        out += b;
    }
    return out;
}

// ---- the cases ---------------------------------------------------------------

constexpr unsigned kUp = IFF_UP;

std::vector<Case> make_cases() {
    std::vector<Case> cs;
    auto add = [&](std::string title, std::vector<Step> steps) { cs.push_back({std::move(title), std::move(steps)}); };

    // Every get, on the interface, an unknown one, an alias label, an empty and
    // a 16-character name, on the three socket families that matter.
    const std::pair<unsigned long, const char*> gets[] = {
        {SIOCGIFFLAGS, "SIOCGIFFLAGS"}, {SIOCGIFMTU, "SIOCGIFMTU"}, {SIOCGIFMETRIC, "SIOCGIFMETRIC"},
        {SIOCGIFINDEX, "SIOCGIFINDEX"}, {SIOCGIFTXQLEN, "SIOCGIFTXQLEN"}, {SIOCGIFMAP, "SIOCGIFMAP"},
        {SIOCGIFHWADDR, "SIOCGIFHWADDR"}, {SIOCGIFADDR, "SIOCGIFADDR"}, {SIOCGIFNETMASK, "SIOCGIFNETMASK"},
        {SIOCGIFBRDADDR, "SIOCGIFBRDADDR"}, {SIOCGIFDSTADDR, "SIOCGIFDSTADDR"},
    };
    const std::pair<const char*, const char*> names[] = {
        {"@", "own"}, {"nosuch0", "unknown"}, {"@:1", "alias label"}, {"", "empty name"}, {"@abcdefghijklmn", "16 chars"}};
    const std::pair<int, const char*> domains[] = {{AF_INET, "inet"}, {AF_UNIX, "unix"}, {AF_INET6, "inet6"}};
    for (auto [req, rname] : gets)
        for (auto [spec, what] : names)
            for (auto [dom, dname] : domains)
                add(std::string(rname) + " " + what + " on " + dname + " socket (with address)",
                    {in(SIOCSIFADDR, addr("@", "10.1.2.3")), on(dom, req, addr(spec, "0.0.0.0", 0))});

    // Gets with nothing configured, and the 4.4BSD-style address match.
    add("SIOCGIFADDR without an address", {in(SIOCGIFADDR, name("@"))});
    add("SIOCGIFADDR label wins over a passed alias address",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:5", "192.168.7.9")),
         in(SIOCGIFADDR, addr("@", "192.168.7.9")), in(SIOCGIFADDR, addr("@:5", "10.1.2.3")),
         in(SIOCGIFNETMASK, name("@:5")), in(SIOCGIFBRDADDR, name("@:5"))});
    add("SIOCGIFNAME by index", {in(SIOCGIFNAME, by_index())});
    add("SIOCGIFNAME unknown index", {in(SIOCGIFNAME, int_at16("", 99999))});

    // SIOCSIFADDR and the classful mask.
    for (const char* ip : {"10.1.2.3", "172.16.5.4", "192.168.7.9", "240.0.0.1", "255.255.255.255", "0.1.2.3"})
        add(std::string("SIOCSIFADDR ") + ip,
            {in(SIOCSIFADDR, addr("@", ip)), in(SIOCGIFNETMASK, name("@")), in(SIOCGIFBRDADDR, name("@"))});
    add("SIOCSIFADDR class D", {in(SIOCSIFADDR, addr("@", "224.0.0.5"))});
    add("SIOCSIFADDR bad family", {in(SIOCSIFADDR, addr("@", "10.0.0.1", AF_INET6))});
    add("SIOCSIFADDR bad family, unknown interface", {in(SIOCSIFADDR, addr("nosuch0", "10.0.0.1", AF_INET6))});
    add("SIOCSIFADDR on a unix socket", {on(AF_UNIX, SIOCSIFADDR, addr("@", "10.0.0.1"))});
    add("SIOCSIFADDR same address keeps the mask",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFNETMASK, addr("@", "255.255.255.0")),
         in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCGIFNETMASK, name("@"))});
    add("SIOCSIFADDR new address resets the mask",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFNETMASK, addr("@", "255.255.255.0")),
         in(SIOCSIFADDR, addr("@", "10.1.2.4")), in(SIOCGIFNETMASK, name("@"))});
    add("SIOCSIFADDR 0.0.0.0 removes the address",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@", "0.0.0.0")), in(SIOCGIFADDR, name("@"))});
    add("SIOCSIFADDR 0.0.0.0 without an address", {in(SIOCSIFADDR, addr("@", "0.0.0.0"))});
    add("SIOCSIFADDR alias label adds a secondary",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
         in(SIOCGIFADDR, name("@:1")), in(SIOCGIFNETMASK, name("@:1"))});
    add("SIOCSIFADDR same address under another label",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.3"))});
    add("SIOCSIFADDR alias in another subnet",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:2", "192.168.9.1")),
         in(SIOCSIFADDR, addr("@:3", "172.20.0.1"))});
    add("SIOCSIFADDR on an unknown interface", {in(SIOCSIFADDR, addr("nosuch0", "10.0.0.1"))});
    // The kernel takes same-subnet secondaries with their primary.
    add("SIOCSIFADDR on a primary with a same-subnet alias",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
         in(SIOCSIFADDR, addr("@", "10.1.2.9")), in(SIOCGIFADDR, name("@:1"))});
    add("SIOCSIFADDR 0.0.0.0 on a primary with a same-subnet alias",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
         in(SIOCSIFADDR, addr("@", "0.0.0.0")), in(SIOCGIFADDR, name("@:1"))});
    add("SIOCSIFNETMASK on a primary with a same-subnet alias",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
         in(SIOCSIFNETMASK, addr("@", "255.255.0.0")), in(SIOCGIFADDR, name("@:1"))});

    // Netmask, broadcast, destination.
    for (const char* m : {"255.255.255.0", "255.255.0.0", "255.255.255.254", "255.255.255.255", "0.0.0.0"})
        add(std::string("SIOCSIFNETMASK ") + m,
            {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFNETMASK, addr("@", m)), in(SIOCGIFBRDADDR, name("@"))});
    add("SIOCSIFNETMASK non-contiguous", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFNETMASK, addr("@", "255.0.255.0"))});
    add("SIOCSIFNETMASK without an address", {in(SIOCSIFNETMASK, addr("@", "255.255.255.0"))});
    add("SIOCSIFNETMASK bad family", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFNETMASK, addr("@", "255.0.0.0", 7))});
    add("SIOCSIFNETMASK keeps a hand-set broadcast",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFBRDADDR, addr("@", "10.9.9.9")),
         in(SIOCSIFNETMASK, addr("@", "255.255.0.0")), in(SIOCGIFBRDADDR, name("@"))});
    add("SIOCSIFBRDADDR", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFBRDADDR, addr("@", "10.1.255.255")),
                           in(SIOCGIFBRDADDR, name("@"))});
    add("SIOCSIFBRDADDR same value", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFBRDADDR, addr("@", "10.255.255.255"))});
    add("SIOCSIFBRDADDR without an address", {in(SIOCSIFBRDADDR, addr("@", "10.1.255.255"))});
    add("SIOCSIFDSTADDR on a TAP", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFDSTADDR, addr("@", "10.1.2.9")),
                                    in(SIOCGIFDSTADDR, name("@")), in(SIOCGIFADDR, name("@"))});
    add("SIOCSIFDSTADDR class D", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFDSTADDR, addr("@", "224.1.1.1"))});
    add("SIOCSIFDSTADDR same as the address", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFDSTADDR, addr("@", "10.1.2.3"))});
    add("SIOCSIFDSTADDR without an address", {in(SIOCSIFDSTADDR, addr("@", "10.1.2.9"))});

    // Flags.
    for (unsigned f : {kUp, 0u, kUp | IFF_PROMISC, 0xffffu, kUp | IFF_LOOPBACK | IFF_POINTOPOINT | IFF_RUNNING | IFF_PROMISC,
                       kUp | IFF_ALLMULTI | IFF_NOARP, static_cast<unsigned>(IFF_MULTICAST | IFF_BROADCAST)})
        for (auto [dom, dname] : {std::pair{AF_INET, "inet"}, std::pair{AF_UNIX, "unix"}})
            add("SIOCSIFFLAGS " + std::to_string(f) + " on " + dname,
                {on(dom, SIOCSIFFLAGS, flags("@", f)), on(dom, SIOCGIFFLAGS, name("@"))});
    add("SIOCSIFFLAGS up then down", {in(SIOCSIFFLAGS, flags("@", kUp)), in(SIOCSIFFLAGS, flags("@", 0)),
                                      in(SIOCGIFFLAGS, name("@"))});
    add("SIOCSIFFLAGS alias without UP deletes it",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
         in(SIOCSIFFLAGS, flags("@:1", 0)), in(SIOCGIFADDR, name("@:1"))});
    add("SIOCSIFFLAGS alias with UP", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
                                       in(SIOCSIFFLAGS, flags("@:1", kUp))});
    add("SIOCSIFFLAGS missing alias", {in(SIOCSIFFLAGS, flags("@:4", 0))});
    add("SIOCSIFFLAGS alias on a unix socket changes the device",
        {on(AF_UNIX, SIOCSIFFLAGS, flags("@:1", kUp)), in(SIOCGIFFLAGS, name("@"))});
    add("SIOCSIFFLAGS unknown", {in(SIOCSIFFLAGS, flags("nosuch0", kUp))});
    add("SIOCGIFFLAGS on a descriptor that is not a socket", {on(AF_UNSPEC, SIOCGIFFLAGS, name("@"))});
    add("SIOCSIFMTU on a descriptor that is not a socket", {on(AF_UNSPEC, SIOCSIFMTU, int_at16("@", 1400))});

    // MTU.
    for (int m : {0, 67, 68, 576, 1400, 9000, 65521, 65522, 65535, -1})
        add("SIOCSIFMTU " + std::to_string(m), {in(SIOCSIFMTU, int_at16("@", m)), in(SIOCGIFMTU, name("@"))});
    add("SIOCSIFMTU unknown", {in(SIOCSIFMTU, int_at16("nosuch0", 1400))});

    // Metric and txqueuelen.
    add("SIOCSIFMETRIC", {in(SIOCSIFMETRIC, int_at16("@", 5)), in(SIOCGIFMETRIC, name("@"))});
    add("SIOCSIFMETRIC unknown", {in(SIOCSIFMETRIC, int_at16("nosuch0", 5))});
    for (int q : {0, 100, 5000, -1})
        add("SIOCSIFTXQLEN " + std::to_string(q), {in(SIOCSIFTXQLEN, int_at16("@", q)), in(SIOCGIFTXQLEN, name("@"))});

    // Hardware address.
    add("SIOCSIFHWADDR valid while down", {in(SIOCSIFHWADDR, hw("@", ARPHRD_ETHER, {0x02, 1, 2, 3, 4, 5})),
                                           in(SIOCGIFHWADDR, name("@"))});
    add("SIOCSIFHWADDR valid while up", {in(SIOCSIFFLAGS, flags("@", kUp)),
                                         in(SIOCSIFHWADDR, hw("@", ARPHRD_ETHER, {0x02, 1, 2, 3, 4, 6}))});
    add("SIOCSIFHWADDR family 0", {in(SIOCSIFHWADDR, hw("@", 0, {0x02, 1, 2, 3, 4, 5}))});
    add("SIOCSIFHWADDR multicast", {in(SIOCSIFHWADDR, hw("@", ARPHRD_ETHER, {0x01, 0, 0x5e, 0, 0, 1}))});
    add("SIOCSIFHWADDR zero", {in(SIOCSIFHWADDR, hw("@", ARPHRD_ETHER, {0, 0, 0, 0, 0, 0}))});
    add("SIOCSIFHWADDR unknown", {in(SIOCSIFHWADDR, hw("nosuch0", ARPHRD_ETHER, {0x02, 1, 2, 3, 4, 5}))});

    // Rename.
    for (const char* n : {"@x", "lo", "", "a/b", "a b", ".", "..", "a:b", "@%d", "@", "@abcdefghijklmnop"})
        add(std::string("SIOCSIFNAME to \"") + n + "\"", {in(SIOCSIFNAME, newname("@", n))});
    add("SIOCSIFNAME while up", {in(SIOCSIFFLAGS, flags("@", kUp)), in(SIOCSIFNAME, newname("@", "@r")),
                                 in(SIOCGIFFLAGS, name("@r"))});
    add("SIOCSIFNAME keeps addresses and relabels them",
        {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
         in(SIOCSIFNAME, newname("@", "@r"))});
    add("SIOCSIFNAME unknown", {in(SIOCSIFNAME, newname("nosuch0", "nosuch1"))});
    add("SIOCSIFNAME unknown to a bad name", {in(SIOCSIFNAME, newname("nosuch0", "a/b"))});

    // Multicast.
    add("SIOCADDMULTI twice, SIOCDELMULTI twice",
        {in(SIOCADDMULTI, hw("@", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 9})), in(SIOCADDMULTI, hw("@", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 9})),
         in(SIOCDELMULTI, hw("@", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 9})), in(SIOCDELMULTI, hw("@", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 9}))});
    add("SIOCADDMULTI AF_LINK", {in(SIOCADDMULTI, hw("@", 18, {0x01, 0, 0x5e, 0, 0, 9}))});
    add("SIOCADDMULTI unicast MAC", {in(SIOCADDMULTI, hw("@", AF_UNSPEC, {0x02, 0, 0, 0, 0, 9}))});
    add("SIOCDELMULTI never added", {in(SIOCDELMULTI, hw("@", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 7}))});
    add("SIOCADDMULTI unknown", {in(SIOCADDMULTI, hw("nosuch0", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 9}))});

    // IPv6 with struct in6_ifreq.
    add("SIOCSIFADDR inet6 add", {on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 64))});
    add("SIOCSIFADDR inet6 add twice", {on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 64)),
                                        on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 64))});
    add("SIOCSIFADDR inet6 prefix 129", {on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 129))});
    add("SIOCSIFADDR inet6 multicast", {on(AF_INET6, SIOCSIFADDR, in6("ff02::1", 64))});
    add("SIOCSIFADDR inet6 unknown index", {on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 64, false))});
    add("SIOCDIFADDR inet6", {on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 64)), on(AF_INET6, SIOCDIFADDR, in6("2001:db8::1", 64))});
    add("SIOCDIFADDR inet6 wrong prefix", {on(AF_INET6, SIOCSIFADDR, in6("2001:db8::1", 64)),
                                           on(AF_INET6, SIOCDIFADDR, in6("2001:db8::1", 48))});
    add("SIOCDIFADDR inet6 missing", {on(AF_INET6, SIOCDIFADDR, in6("2001:db8::2", 64))});
    add("SIOCDIFADDR on inet", {in(SIOCDIFADDR, in6("2001:db8::2", 64))});

    // SIOCGIFCONF: the whole namespace's list, so both calls must agree byte for byte.
    for (int len : {1000, 512, 80, 50, 40, 39, 0, -5})
        add("SIOCGIFCONF " + std::to_string(len) + " bytes",
            {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCSIFADDR, addr("@:1", "10.1.2.4")),
             in(SIOCGIFCONF, ifconf(len < 512 ? len : 512))});
    add("SIOCGIFCONF size query", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), in(SIOCGIFCONF, ifconf(0, true))});
    add("SIOCGIFCONF on a unix socket", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), on(AF_UNIX, SIOCGIFCONF, ifconf(512))});

    // Without privilege: the owner of "na0" and "da0" is root.
    add("unprivileged SIOCSIFMTU", {unpriv(SIOCSIFMTU, int_at16("@", 1400))});
    add("unprivileged SIOCSIFMTU unknown", {unpriv(SIOCSIFMTU, int_at16("nosuch0", 1400))});
    add("unprivileged SIOCSIFFLAGS", {unpriv(SIOCSIFFLAGS, flags("@", kUp))});
    add("unprivileged SIOCSIFADDR", {unpriv(SIOCSIFADDR, addr("@", "10.0.0.1"))});
    add("unprivileged SIOCSIFADDR bad family", {unpriv(SIOCSIFADDR, addr("@", "10.0.0.1", AF_INET6))});
    add("unprivileged SIOCSIFNAME", {unpriv(SIOCSIFNAME, newname("@", "@r"))});
    add("unprivileged SIOCSIFNAME to a bad name", {unpriv(SIOCSIFNAME, newname("@", "a/b"))});
    add("unprivileged SIOCSIFNAME to a bad pattern", {unpriv(SIOCSIFNAME, newname("@", "@%s"))});
    add("unprivileged SIOCSIFHWADDR", {unpriv(SIOCSIFHWADDR, hw("@", ARPHRD_ETHER, {0x02, 1, 2, 3, 4, 5}))});
    add("unprivileged SIOCADDMULTI", {unpriv(SIOCADDMULTI, hw("@", AF_UNSPEC, {0x01, 0, 0x5e, 0, 0, 9}))});
    add("unprivileged SIOCSIFMETRIC", {unpriv(SIOCSIFMETRIC, int_at16("@", 3))});
    add("unprivileged SIOCGIFFLAGS", {unpriv(SIOCGIFFLAGS, name("@"))});
    add("unprivileged SIOCGIFADDR", {in(SIOCSIFADDR, addr("@", "10.1.2.3")), unpriv(SIOCGIFADDR, name("@"))});
    return cs;
}

}  // namespace

TEST_CASE("Linux personality: ifctl_ioctl on a daemon TAP behaves as the kernel's ioctl on a native TAP") {
    test::loopback_up();
    test::Daemon daemon;
    // Let the unprivileged cases reach the daemon: the test's own socket only.
    ::chmod(daemon.dir().c_str(), 0755);
    ::chmod(daemon.socket().c_str(), 0666);

    std::string why;
    std::unique_ptr<client::Connection> conn;
    REQUIRE(client::Connection::open(daemon.socket(), conn, why) == 0);
    daemon::Netlink nl;

    Side native{"native", "na", ::ioctl, "", 0};
    Side through{"ifctl", "da", ifctl_ioctl, "", 0};

    const auto cases = make_cases();
    REQUIRE(cases.size() >= 100);
    size_t steps = 0;
    for (const Case& c : cases) {
        INFO("case: " << c.title);
        native.name = "na0";
        through.name = "da0";
        const int tap_fd = make_native_tap(native.name);
        proto::Interface created;
        REQUIRE(conn->create(through.name, {}, created) == 0);
        set_mac_natively(native.name);
        set_mac_natively(through.name);
        nl.poll_events();
        REQUIRE(nl.find(native.name));
        native.index = nl.find(native.name)->index;
        through.index = created.index;

        for (size_t n = 0; n < c.steps.size(); ++n) {
            const Step& st = c.steps[n];
            INFO("step " << n);
            const Result want = st.unprivileged ? call_unprivileged(st, native) : call_once(st, native);
            const Result got = st.unprivileged ? call_unprivileged(st, through) : call_once(st, through);
            INFO("kernel: " << describe(want));
            INFO("ifctl:  " << describe(got));
            CHECK(got == want);
            ++steps;
        }
        // The kernel finishes some work after the call returns (IPv6 link-local
        // addresses on a link that came up): compare once both sides settle.
        State a = state_of(nl, native.index, native.prefix);
        State b = state_of(nl, through.index, through.prefix);
        for (int i = 0; i < 50 && !(a == b); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            a = state_of(nl, native.index, native.prefix);
            b = state_of(nl, through.index, through.prefix);
        }
        INFO("kernel state: " << describe(a));
        INFO("ifctl state:  " << describe(b));
        CHECK(b == a);

        ::close(tap_fd);
        REQUIRE(conn->destroy(client::InterfaceRef::by_index(through.index)) == 0);
    }
    INFO(cases.size() << " cases, " << steps << " steps");
    CHECK(steps > cases.size());
    std::printf("linux personality: %zu cases, %zu steps compared with the kernel\n", cases.size(), steps);

    // The comparison only means something if ifctl_ioctl really went through
    // the daemon: its audit log must show the changes the cases made.
    std::ifstream log(daemon.dir() + "/ifctld.log");
    std::string line;
    size_t mtu_changes = 0, address_changes = 0, renames = 0;
    while (std::getline(log, line)) {
        if (line.find("audit:") == std::string::npos) continue;
        mtu_changes += line.find(" op=set-mtu ") != std::string::npos;
        address_changes += line.find(" op=addr-add ") != std::string::npos;
        renames += line.find(" op=rename ") != std::string::npos;
    }
    CHECK(mtu_changes >= 10);
    CHECK(address_changes >= 30);
    CHECK(renames >= 5);
}

TEST_CASE("fork while another thread is inside ifctl_ioctl: the child's own calls work") {
    test::Daemon daemon;
    std::string why;
    std::unique_ptr<client::Connection> conn;
    REQUIRE(client::Connection::open(daemon.socket(), conn, why) == 0);
    proto::Interface created;
    REQUIRE(conn->create("fk0", {}, created) == 0);
    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    auto flags_of_fk0 = [sock] {
        struct ifreq r {};
        std::strcpy(r.ifr_name, "fk0");
        return ifctl_ioctl(sock, SIOCGIFFLAGS, &r);
    };
    REQUIRE(flags_of_fk0() == 0);  // the process-wide connection is open

    // A thread is in the middle of a call (the daemon is stopped, so it waits)...
    ::kill(daemon.pid(), SIGSTOP);
    std::thread busy([&] { flags_of_fk0(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::thread resume([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ::kill(daemon.pid(), SIGCONT);
    });
    // ...when the main thread forks. The child must not inherit a taken lock.
    const pid_t child = ::fork();
    if (child == 0) {
        ::alarm(5);
        ::_exit(flags_of_fk0() == 0 ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    busy.join();
    resume.join();
    ::close(sock);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

int main(int argc, char** argv) { return test::run_catch_as_root(argc, argv); }
