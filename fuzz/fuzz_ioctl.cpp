// libFuzzer target: the personality translators behind ifctl_ioctl, with
// random request numbers, random ifreq/ifconf bytes and random answers from
// the daemon. Neither the daemon nor the kernel is reached: this file provides
// the daemon operations (daemon_ops.hpp) from the fuzzer's bytes, and calls the
// dispatch (dispatch.hpp) with a stub kernel path that never issues an ioctl.
// Each argument buffer is exactly as large as the kernel would copy, so ASan
// sees any overrun.
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ifctl/compat.h"
#include "ifctl/ifctl.h"
#include "libifctl/src/ioctl/daemon_link.hpp"
#include "libifctl/src/ioctl/daemon_ops.hpp"
#include "libifctl/src/ioctl/dispatch.hpp"

namespace {

FuzzedDataProvider* g_in = nullptr;  // the current input, read by the stubs

constexpr int kMaxConf = 8192;    // the largest SIOCGIFCONF buffer, in bytes
constexpr size_t kMaxList = 320;  // the longest list the daemon answers (list_all)
static_assert(kMaxList * 32 > kMaxConf, "a long list must overflow the largest buffer");
int g_fds[4] = {-1, -1, -1, -1};     // inet, inet6, unix sockets and a non-socket

// Requests worth trying often: every interface request the personalities know of
// (and a few they do not), so the fuzzer need not guess the numbers.
constexpr unsigned long kRequests[] = {
    SIOCGIFCONF, SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCGIFADDR, SIOCSIFADDR, SIOCDIFADDR, SIOCGIFNETMASK,
    SIOCSIFNETMASK, SIOCGIFBRDADDR, SIOCSIFBRDADDR, SIOCGIFDSTADDR, SIOCSIFDSTADDR, SIOCGIFMTU, SIOCSIFMTU,
    SIOCGIFHWADDR, SIOCSIFHWADDR, SIOCGIFINDEX, SIOCGIFNAME, SIOCSIFNAME, SIOCGIFMETRIC, SIOCSIFMETRIC,
    SIOCGIFTXQLEN, SIOCSIFTXQLEN, SIOCGIFMAP, SIOCSIFMAP, SIOCADDMULTI, SIOCDELMULTI, SIOCGIFPFLAGS,
    SIOCSIFPFLAGS, SIOCGIFCOUNT, SIOCGIFSLAVE, SIOCSIFHWBROADCAST, SIOCGIFBR, SIOCSIFLINK, FIONREAD,
    // BSD and SVR4 spellings (_IOWR('i', n, ...)), for the personalities that read them.
    0xc0206911UL, 0xc0206921UL, 0xc0206933UL, 0xc0106924UL, 0x8020690cUL, 0x80206910UL, 0xc020691bUL,
};

std::string fuzz_name() {
    static const char* const kNames[] = {"tap0", "tap0:1", "tap1", "lo", "", "x"};
    if (g_in->ConsumeBool()) return kNames[g_in->ConsumeIntegralInRange<size_t>(0, 5)];
    return g_in->ConsumeRandomLengthString(20);
}

ifctl::proto::Address fuzz_address() {
    ifctl::proto::Address a;
    const uint8_t fam[] = {AF_INET, AF_INET6, 0, AF_PACKET};
    a.family = g_in->ConsumeBool() ? fam[g_in->ConsumeIntegralInRange<size_t>(0, 3)] : g_in->ConsumeIntegral<uint8_t>();
    const auto bytes = g_in->ConsumeBytes<uint8_t>(16);
    std::copy(bytes.begin(), bytes.end(), a.local.begin());
    a.prefix = g_in->ConsumeIntegral<uint8_t>();
    if (g_in->ConsumeBool()) a.broadcast = std::array<uint8_t, 4>{g_in->ConsumeIntegral<uint8_t>(), 1, 2, 255};
    if (g_in->ConsumeBool()) a.peer = std::array<uint8_t, 16>{g_in->ConsumeIntegral<uint8_t>(), 0, 0, 1};
    a.label = g_in->ConsumeBool() ? fuzz_name() : "tap0";
    a.flags = g_in->ConsumeIntegral<uint32_t>();
    return a;
}

// Fills a default-constructed record in place (list_all makes hundreds of them).
void fill_record(ifctl::proto::Interface& r) {
    r.index = g_in->ConsumeIntegralInRange<uint32_t>(0, 8);
    r.name = fuzz_name();
    r.hw_type = g_in->ConsumeBool() ? 1 : g_in->ConsumeIntegral<uint16_t>();
    r.flags = g_in->ConsumeIntegral<uint32_t>();
    r.mtu = g_in->ConsumeIntegral<uint32_t>();
    r.min_mtu = g_in->ConsumeIntegral<uint16_t>();
    r.max_mtu = g_in->ConsumeIntegral<uint32_t>();
    r.metric = g_in->ConsumeIntegral<int32_t>();
    r.txqlen = g_in->ConsumeIntegral<uint32_t>();
    r.lladdr = g_in->ConsumeBytes<uint8_t>(g_in->ConsumeIntegralInRange<size_t>(0, 32));
    r.addresses.resize(g_in->ConsumeIntegralInRange<size_t>(0, 6));
    for (ifctl::proto::Address& a : r.addresses) a = fuzz_address();
    r.managed = g_in->ConsumeBool();
    r.owner = g_in->ConsumeIntegral<uint32_t>();
    r.may_change = g_in->ConsumeBool();
}

ifctl::ioctl_layer::Reach fuzz_reach() {
    using ifctl::ioctl_layer::Reach;
    return static_cast<Reach>(g_in->ConsumeIntegralInRange<int>(0, static_cast<int>(Reach::Managed)));
}

int fuzz_errno() {
    const int common[] = {0, EPERM, ENODEV, EINVAL, EEXIST, EADDRNOTAVAIL, EBUSY, ENOMEM, EIO, ERANGE};
    return g_in->ConsumeBool() ? common[g_in->ConsumeIntegralInRange<size_t>(0, 9)]
                               : g_in->ConsumeIntegralInRange<int>(0, 4096);
}

}  // namespace

// ---- what the translators ask of the daemon, answered from the input ------
namespace ifctl::ioctl_layer {

Lookup lookup(const client::InterfaceRef& t, bool /*with_addresses*/) {
    Lookup l;
    l.reach = fuzz_reach();
    if (l.reach == Reach::Managed || l.reach == Reach::Unmanaged) {
        fill_record(l.rec);
        // Usually the record of the interface asked about, as the daemon answers.
        if (g_in->ConsumeBool()) {
            if (t.index) l.rec.index = t.index;
            else l.rec.name = t.name;
        }
        l.rec.managed = l.reach == Reach::Managed;
    }
    return l;
}

bool list_all(std::span<const proto::Interface>& out, client::snapshot::Version* version) {
    if (version) *version = {};  // never the same state twice: every answer is built
    if (!g_in->ConsumeBool()) return false;
    // Mostly small lists; sometimes long ones, with more entries than the largest
    // SIOCGIFCONF buffer below holds (kMaxConf) in every personality, even when
    // no record has an address: 320 records are 320 entries of at least 32 bytes
    // for BSD and SVR4. Not more: 512 records (200 KB) went to ASan's mmap
    // allocator at every such input, whose fresh pages were a third of the time.
    const size_t n = g_in->ConsumeBool() ? g_in->ConsumeIntegralInRange<size_t>(0, 8)
                                         : g_in->ConsumeIntegralInRange<size_t>(0, kMaxList);
    // Made in place: growing the vector one record at a time moved every record
    // log2(n) times, which under ASan was most of this target's time.
    // A list of this thread's, as the real list_all's.
    thread_local std::vector<proto::Interface> list;
    list.clear();
    list.resize(n);
    for (proto::Interface& r : list) fill_record(r);
    out = list;
    return true;
}

// Where linux SIOCGIFCONF is answered from, and the published answer: whole
// entries of input bytes.
Conf kernel_conf(uint64_t, std::span<const uint8_t>& out) {
    const Conf where = static_cast<Conf>(g_in->ConsumeIntegralInRange<int>(0, 2));
    thread_local std::vector<uint8_t> answer;
    answer = g_in->ConsumeBytes<uint8_t>(g_in->ConsumeIntegralInRange<size_t>(0, 64) * sizeof(struct ifreq));
    answer.resize(answer.size() / sizeof(struct ifreq) * sizeof(struct ifreq));
    out = answer;
    return where;
}

void note_kernel_change() {}

// The request-building lambda is not run: it needs a live Connection, and the
// encoder it calls is fuzzed by the protocol target.
Sent change(const std::function<client::Result(client::Connection&)>&) {
    Sent s;
    s.reach = fuzz_reach();
    s.err = s.reach == Reach::Broken ? EIO : fuzz_errno();
    return s;
}

}  // namespace ifctl::ioctl_layer

namespace {

// The kernel: never reached. Answers as a kernel that knows no such device would.
int no_kernel(int, unsigned long, void*) {
    errno = g_in->ConsumeBool() ? ENODEV : ENOTTY;
    return -1;
}

// The SIOCGIFCONF layout a call asks for (compat.h's redirect with
// IFCTL_IFCONF_LAYOUT) and the process's: every one, and a value that is none.
int call(int fd, unsigned long request, void* arg) {
    (void)ifctl_set_ifconf_layout(static_cast<ifctl_ifconf_layout_t>(g_in->ConsumeIntegralInRange<int>(0, 4)));
    const auto layout = static_cast<ifctl_ifconf_layout_t>(g_in->ConsumeIntegralInRange<int>(0, 3));
    return ifctl::ioctl_layer::dispatch_ioctl(fd, request, arg, no_kernel, layout);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    g_fds[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_fds[1] = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_fds[2] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_fds[3] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    for (int fd : g_fds)
        if (fd < 0) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    g_in = &in;
    const int personality = in.ConsumeIntegralInRange<int>(0, 3);
    (void)ifctl_set_personality(static_cast<ifctl_personality_t>(personality));
    const int fd = g_fds[in.ConsumeIntegralInRange<size_t>(0, 3)];
    const unsigned long request = in.ConsumeBool() ? kRequests[in.ConsumeIntegralInRange<size_t>(0, std::size(kRequests) - 1)]
                                                   : in.ConsumeIntegral<unsigned long>();

    if (request == SIOCGIFCONF) {
        // A buffer of exactly ifc_len bytes (or none, which asks for the size). A
        // wild ifc_buf is the caller's bug, which only the kernel can catch (EFAULT).
        const int len = in.ConsumeIntegralInRange<int>(0, kMaxConf);
        std::vector<char> buf(static_cast<size_t>(len));
        struct ifconf ifc {};
        ifc.ifc_len = in.ConsumeBool() ? len : in.ConsumeIntegralInRange<int>(-64, len);
        ifc.ifc_buf = in.ConsumeBool() ? (buf.empty() ? nullptr : buf.data()) : nullptr;
        const int before = ifc.ifc_len;
        const int rc = call(fd, request, &ifc);
        if (rc == 0 && ifc.ifc_buf && before >= 0 && ifc.ifc_len > before) __builtin_trap();  // wrote past the buffer
        g_in = nullptr;
        return 0;
    }
    // Everything else takes one struct: as large as the request number says for
    // the BSD and SVR4 _IOW/_IOWR requests (the kernel copies _IOC_SIZE bytes;
    // FreeBSD's SIOCAIFADDR takes a 68-byte ifaliasreq), else one struct ifreq,
    // which is what Linux's SIOC* numbers (no size in them) read and write.
    const size_t arg_size = std::max<size_t>(sizeof(struct ifreq), _IOC_SIZE(request));
    auto bytes = in.ConsumeBytes<uint8_t>(arg_size);
    bytes.resize(arg_size);
    auto* arg = static_cast<struct ifreq*>(std::malloc(arg_size));
    std::memcpy(arg, bytes.data(), arg_size);
    // The BSD requests that carry a pointer in ifr_data (the new name of
    // SIOCSIFNAME, the if_data SIOCGIFDATA fills) get a real one or NULL, as
    // for SIOCGIFCONF: a wild pointer is the caller's bug, which only the kernel
    // catches (EFAULT); a library must trust it as the kernel's copyin does not.
    std::string new_name;
    std::vector<char> data_out;
    if (ifctl_get_personality() == IFCTL_PERSONALITY_BSD && (request == SIOCSIFNAME || request == SIOCGIFDATA)) {
        arg->ifr_data = nullptr;
        if (in.ConsumeBool()) {
            if (request == SIOCSIFNAME) {
                new_name = in.ConsumeRandomLengthString(24);  // NUL-terminated, any length
                arg->ifr_data = new_name.data();
            } else {
                data_out.resize(sizeof(struct if_data));  // exactly what FreeBSD copies out
                arg->ifr_data = data_out.data();
            }
        }
    }
    const int saved = errno;
    const int rc = call(fd, request, arg);
    if (rc != 0 && rc != -1) __builtin_trap();  // ioctl's shape: 0 or -1
    if (rc == -1 && errno == 0) __builtin_trap();
    errno = saved;
    std::free(arg);
    g_in = nullptr;
    return 0;
}
