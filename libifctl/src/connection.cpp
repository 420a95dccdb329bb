#include "connection.hpp"

#include "daemon_trust.hpp"
#include "environment.hpp"
#include "libifctl/protocol/passed_fds.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace ifctl::client {

using proto::AttrType;
using proto::Op;

namespace {
constexpr const char* kDefaultSocket = "/run/ifctl/ifctld.sock";

// The group that owns the socket (ifctld's socket_group), as a phrase for the
// "permission denied" advice; its parent directory may not let us look.
std::string socket_group_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) return "the group that owns it";
    // getgrgid_r: a program may connect from several threads.
    struct group gr {};
    struct group* g = nullptr;
    std::vector<char> buf(16384);
    if (::getgrgid_r(st.st_gid, &gr, buf.data(), buf.size(), &g) == 0 && g)
        return "group " + std::string(g->gr_name) + ", which owns it";
    return "group " + std::to_string(st.st_gid) + ", which owns it";
}


void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// SO_SNDTIMEO also bounds connect() on a Unix socket whose listener's backlog is full.
void set_timeouts(int fd, int timeout_ms) {
    if (timeout_ms <= 0) return;
    const timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// A socket timeout shows as EAGAIN; callers are told what it means.
int timed_out(int e) { return e == EAGAIN || e == EWOULDBLOCK ? ETIMEDOUT : e; }
}  // namespace

std::string default_socket_path() {
    const char* env = ifctl_env("IFCTL_SOCKET");
    return env && *env ? env : kDefaultSocket;
}

Connection::~Connection() { close_fd(fd_); }

// A reply's descriptor is closed with it unless a caller took it (std::exchange(r.fd, -1)):
// whatever a daemon passes with a reply that asked for none never stays open.
DecodedReply::~DecodedReply() { close_fd(fd); }

DecodedReply::DecodedReply(DecodedReply&& o) noexcept
    : status(o.status),
      message(std::move(o.message)),
      unmanaged(o.unmanaged),
      interfaces(std::move(o.interfaces)),
      fd(std::exchange(o.fd, -1)),
      step_index(o.step_index) {}

DecodedReply& DecodedReply::operator=(DecodedReply&& o) noexcept {
    if (this == &o) return *this;
    close_fd(fd);
    status = o.status;
    message = std::move(o.message);
    unmanaged = o.unmanaged;
    interfaces = std::move(o.interfaces);
    fd = std::exchange(o.fd, -1);
    step_index = o.step_index;
    return *this;
}

int Connection::open(const std::string& path, std::unique_ptr<Connection>& out, std::string& why,
                     const std::string& software, int timeout_ms, int* snapshot_fd) {
    if (snapshot_fd) *snapshot_fd = -1;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path) {
        why = "socket path \"" + path + "\" is empty or too long";
        return -ENAMETOOLONG;
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = std::string("socket: ") + std::strerror(errno);
        return -errno;
    }
    set_timeouts(fd, timeout_ms);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
        const int e = timed_out(errno);
        ::close(fd);
        if (e == ENOENT || e == ECONNREFUSED)
            why = "ifctld is not running (nothing listens on " + path +
                  "); start it with \"systemctl start ifctld\" or \"ifctld --socket " + path + "\"";
        else if (e == EACCES || e == EPERM)
            why = "permission denied on " + path + "; ask an administrator to add you to " + socket_group_of(path);
        else
            why = "cannot connect to " + path + ": " + std::strerror(e);
        return -e;
    }
    // Before the first request: a listener of another user is no daemon of ours.
    if (int rc = check_daemon_trust(fd, path, why); rc < 0) {
        ::close(fd);
        return rc;
    }
    std::unique_ptr<Connection> c(new Connection(fd));
    proto::Writer w = c->request(Op::Hello);
    w.u32(wire_type(AttrType::Version), proto::kVersion).str(wire_type(AttrType::Software), software);
    if (snapshot_fd) w.u8(wire_type(AttrType::Snapshot), 1);
    DecodedReply r;
    Result sent = c->call(w, r);
    // A connection refused at accept (too many of this user's, or descriptors
    // kept for root) is answered at once with one frame of id 0 and closed:
    // the hello may find it gone, and the refusal waits to be read.
    for (int tries = 0; tries < 2 && (sent.error == -EPIPE || sent.error == -ECONNRESET); ++tries)
        sent = c->receive(0, r);
    if (!sent.ok()) {
        why = "version exchange with ifctld failed: " + (sent.message.empty() ? std::strerror(-sent.error) : sent.message);
        return sent.error;
    }
    if (r.status) {
        // A version mismatch, or a limit such as too many connections for this user.
        why = "ifctld refused the connection: " + r.message;
        return -r.status;
    }
    if (snapshot_fd) *snapshot_fd = std::exchange(r.fd, -1);
    close_fd(r.fd);
    out = std::move(c);
    return 0;
}

Result Connection::snapshot(int& fd) {
    fd = -1;
    proto::Writer w = request(Op::Snapshot);
    DecodedReply r;
    if (Result sent = call(w, r); !sent.ok()) return sent;
    if (r.status) {
        close_fd(r.fd);
        return r.result();
    }
    if (r.fd < 0) return {-EBADMSG, "snapshot reply without a descriptor"};
    fd = std::exchange(r.fd, -1);
    return {};
}

proto::Writer Connection::request(Op op, const InterfaceRef* target) {
    proto::Writer w(static_cast<uint16_t>(op), 0, 0);
    if (target) {
        if (target->index) w.u32(wire_type(AttrType::Index), target->index);
        else w.str(wire_type(AttrType::Name), target->name);
    }
    return w;
}

Result Connection::transport_failure(int error, std::string why) {
    transport_error_ = why;
    return {error, std::move(why)};
}

Result Connection::send(proto::Writer& w, uint32_t& id) {
    send_found_closed_ = false;
    std::vector<uint8_t> frame;
    try {
        frame = w.finish();
    } catch (const std::exception& e) {
        return transport_failure(-EMSGSIZE, e.what());
    }
    id = next_id_++;
    if (next_id_ == 0) next_id_ = 1;
    proto::set_frame_id(frame, id);
    for (;;) {
        ssize_t n = ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            ++requests_sent_;
            return {};
        }
        if (errno == EINTR) continue;
        const int e = timed_out(errno);
        // A datagram is queued whole or not at all: with the peer gone it was not.
        send_found_closed_ = e == EPIPE || e == ECONNRESET || e == ENOTCONN;
        return transport_failure(-e, std::string("sending to ifctld: ") + std::strerror(e));
    }
}

Result Connection::recv_frame(std::span<const uint8_t>& frame, int& passed_fd) {
    // One buffer for the connection's life: no allocation or clearing per reply.
    if (!recv_buf_) recv_buf_ = std::make_unique_for_overwrite<uint8_t[]>(proto::kMaxFrame);
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * 4)];
    iovec iov{recv_buf_.get(), proto::kMaxFrame};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    ssize_t n;
    do n = ::recvmsg(fd_, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        const int e = timed_out(errno);
        return transport_failure(-e, e == ETIMEDOUT ? std::string("ifctld did not answer in time")
                                                    : std::string("receiving from ifctld: ") + std::strerror(e));
    }
    proto::for_each_passed_fd(mh, [&](int fd) {
        if (passed_fd < 0) passed_fd = fd;
        else ::close(fd);  // never more than one is expected
    });
    if (n == 0) {
        close_fd(passed_fd);
        return transport_failure(-ECONNRESET, "ifctld closed the connection");
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        close_fd(passed_fd);
        return transport_failure(-EMSGSIZE, "reply from ifctld was truncated");
    }
    frame = std::span<const uint8_t>(recv_buf_.get(), static_cast<size_t>(n));
    return {};
}

Result Connection::receive(uint32_t id, DecodedReply& out) {
    out = DecodedReply{};
    // A malformed reply: what was passed with it goes too.
    const auto malformed = [&](std::string why) {
        close_fd(out.fd);
        return transport_failure(-EBADMSG, std::move(why));
    };
    std::span<const uint8_t> buf;
    for (;;) {
        int passed = -1;
        if (Result got = recv_frame(buf, passed); !got.ok()) {
            close_fd(out.fd);
            return got;
        }
        if (passed >= 0) {
            close_fd(out.fd);
            out.fd = passed;
        }
        proto::Header h;
        if (proto::Error e = proto::parse_header(buf, h, true))
            return malformed("malformed reply from ifctld: " + e.message);
        if (h.flags & proto::kFlagEvent) continue;  // events are not for this caller
        // Id 0 is never a request's: it is the daemon refusing the connection.
        if (h.id != id && h.id != 0)
            return malformed("reply for request " + std::to_string(h.id) + " while waiting for " + std::to_string(id));
        out.status = h.status;
        proto::AttrIter it(buf.subspan(proto::kHeaderSize));
        proto::Attr a;
        while (it.next(a)) {
            if (!proto::attr_spec(a.type)) continue;  // a newer daemon's attribute (protocol.md §3)
            if (proto::Error e = proto::check_attr(a)) return malformed("malformed reply from ifctld: " + e.message);
            switch (static_cast<AttrType>(a.type)) {
                case AttrType::Message: out.message = a.as_str(); break;
                case AttrType::Unmanaged: out.unmanaged = a.as_u8(); break;
                case AttrType::StepIndex: out.step_index = a.as_u32(); break;
                case AttrType::Interface: {
                    proto::Interface i;
                    if (proto::Error e = proto::decode_interface(a, i))
                        return malformed("malformed interface in reply: " + e.message);
                    out.interfaces.push_back(std::move(i));
                    break;
                }
                default: break;  // attributes this client does not use
            }
        }
        if (it.error()) return malformed("malformed reply from ifctld: " + it.error().message);
        if (!(h.flags & proto::kFlagMore)) return {};
    }
}

Result Connection::call(proto::Writer& w, DecodedReply& out) {
    if (recording_) {  // a batch step: kept, sent later by batch()
        out = DecodedReply{};
        try {
            recording_->push_back(w.finish());
        } catch (const std::exception& e) {
            return {-EMSGSIZE, e.what()};
        }
        return {};
    }
    uint32_t id;
    if (Result sent = send(w, id); !sent.ok()) return sent;
    return receive(id, out);
}

Result Connection::simple(proto::Writer& w) {
    DecodedReply r;
    if (Result sent = call(w, r); !sent.ok()) return sent;
    close_fd(r.fd);
    return r.result();
}

Result Connection::list(std::vector<proto::Interface>& out) {
    proto::Writer w = request(Op::List);
    DecodedReply r;
    if (Result sent = call(w, r); !sent.ok()) return sent;
    if (r.status) return r.result();
    out = std::move(r.interfaces);
    return {};
}

Result Connection::get(const InterfaceRef& tg, proto::Interface& out, bool brief) {
    proto::Writer w = request(Op::Get, &tg);
    if (brief) w.u8(wire_type(AttrType::Brief), 1);
    DecodedReply r;
    if (Result sent = call(w, r); !sent.ok()) return sent;
    if (r.status) return r.result();
    if (r.interfaces.size() != 1) return {-EBADMSG, "get reply without exactly one interface"};
    out = std::move(r.interfaces.front());
    return {};
}

Result Connection::create(const std::string& name, const CreateOptions& o, proto::Interface& created) {
    proto::Writer w = request(Op::Create);
    w.str(wire_type(AttrType::NewName), name);
    if (o.queues) w.u32(wire_type(AttrType::Queues), o.queues);
    if (o.owner >= 0) w.u32(wire_type(AttrType::Owner), static_cast<uint32_t>(o.owner));
    if (o.group >= 0) w.u32(wire_type(AttrType::Group), static_cast<uint32_t>(o.group));
    if (o.vnet_hdr) w.u8(wire_type(AttrType::VnetHdr), 1);
    if (o.persistent) w.u8(wire_type(AttrType::Persistent), 1);
    if (o.unique_id) w.u64(wire_type(AttrType::UniqueId), o.unique_id).str(wire_type(AttrType::UniqueFamily), o.unique_family);
    DecodedReply r;
    if (Result sent = call(w, r); !sent.ok()) return sent;
    if (recording_) {  // not made yet: what is known is the name asked for
        created = proto::Interface{};
        created.name = name;
        return {};
    }
    if (r.status) return r.result();
    if (r.interfaces.size() != 1) return {-EBADMSG, "create reply without the new interface"};
    created = std::move(r.interfaces.front());
    return {};
}

Result Connection::destroy(const InterfaceRef& tg) {
    proto::Writer w = request(Op::Destroy, &tg);
    return simple(w);
}

Result Connection::set_flags(const InterfaceRef& tg, uint32_t flags, uint32_t mask, bool keep_inet6) {
    proto::Writer w = request(Op::SetFlags, &tg);
    w.u32(wire_type(AttrType::Flags), flags).u32(wire_type(AttrType::FlagsMask), mask);
    if (keep_inet6) w.u8(wire_type(AttrType::KeepInet6), 1);
    return simple(w);
}

Result Connection::set_mtu(const InterfaceRef& tg, uint32_t mtu) {
    proto::Writer w = request(Op::SetMtu, &tg);
    w.u32(wire_type(AttrType::Mtu), mtu);
    return simple(w);
}

Result Connection::set_metric(const InterfaceRef& tg, int32_t metric) {
    proto::Writer w = request(Op::SetMetric, &tg);
    w.s32(wire_type(AttrType::Metric), metric);
    return simple(w);
}

Result Connection::set_lladdr(const InterfaceRef& tg, const std::vector<uint8_t>& ll) {
    proto::Writer w = request(Op::SetLladdr, &tg);
    w.bytes(wire_type(AttrType::Lladdr), ll);
    return simple(w);
}

Result Connection::set_txqlen(const InterfaceRef& tg, uint32_t qlen) {
    proto::Writer w = request(Op::SetTxqlen, &tg);
    w.u32(wire_type(AttrType::Txqlen), qlen);
    return simple(w);
}

Result Connection::addr_add(const InterfaceRef& tg, const proto::Address& a) {
    proto::Writer w = request(Op::AddrAdd, &tg);
    proto::encode_address(w, AttrType::Address, a);
    return simple(w);
}

Result Connection::addr_del(const InterfaceRef& tg, const proto::Address& a, bool cascade) {
    proto::Writer w = request(Op::AddrDel, &tg);
    proto::encode_address(w, AttrType::Address, a);
    if (cascade) w.u8(wire_type(AttrType::Cascade), 1);
    return simple(w);
}

Result Connection::addr_replace(const InterfaceRef& tg, const proto::Address& old_addr, const proto::Address& new_addr,
                                bool cascade) {
    proto::Writer w = request(Op::AddrReplace, &tg);
    proto::encode_address(w, AttrType::OldAddress, old_addr);
    proto::encode_address(w, AttrType::Address, new_addr);
    if (cascade) w.u8(wire_type(AttrType::Cascade), 1);
    return simple(w);
}

Result Connection::rename(const InterfaceRef& tg, const std::string& new_name, bool live) {
    proto::Writer w = request(Op::Rename, &tg);
    w.str(wire_type(AttrType::NewName), new_name);
    if (live) w.u8(wire_type(AttrType::LiveRename), 1);
    return simple(w);
}

Result Connection::set_owner(const InterfaceRef& tg, uint32_t uid) {
    proto::Writer w = request(Op::SetOwner, &tg);
    w.u32(wire_type(AttrType::Owner), uid);
    return simple(w);
}

Result Connection::set_persistent(const InterfaceRef& tg, bool persistent) {
    proto::Writer w = request(Op::SetPersistent, &tg);
    w.u8(wire_type(AttrType::Persistent), persistent);
    return simple(w);
}

Result Connection::move_netns(const InterfaceRef& tg, const NetnsTarget& where) {
    proto::Writer w = request(Op::MoveNetns, &tg);
    if (where.path.empty()) w.u32(wire_type(AttrType::NetnsPid), where.pid);
    else w.str(wire_type(AttrType::NetnsPath), where.path);
    return simple(w);
}

Result Connection::move_home(const std::string& name) {
    proto::Writer w = request(Op::MoveHome);
    w.str(wire_type(AttrType::Name), name);
    return simple(w);
}

Result Connection::reload() {
    proto::Writer w = request(Op::Reload);
    return simple(w);
}

Result Connection::multi_add(const InterfaceRef& tg, const std::array<uint8_t, 6>& mac, bool per_client) {
    proto::Writer w = request(Op::MultiAdd, &tg);
    w.raw(wire_type(AttrType::Lladdr), mac.data(), mac.size());
    if (per_client) w.u8(wire_type(AttrType::PerClient), 1);
    return simple(w);
}

Result Connection::multi_del(const InterfaceRef& tg, const std::array<uint8_t, 6>& mac, bool per_client) {
    proto::Writer w = request(Op::MultiDel, &tg);
    w.raw(wire_type(AttrType::Lladdr), mac.data(), mac.size());
    if (per_client) w.u8(wire_type(AttrType::PerClient), 1);
    return simple(w);
}

Result Connection::flag_ref(const InterfaceRef& tg, uint32_t flag, bool on) {
    proto::Writer w = request(Op::FlagRef, &tg);
    w.u32(wire_type(AttrType::RefFlag), flag).u8(wire_type(AttrType::RefOn), on ? 1 : 0);
    return simple(w);
}

Result Connection::set_caps(const InterfaceRef& tg, uint32_t tun_f) {
    proto::Writer w = request(Op::SetCaps, &tg);
    w.u32(wire_type(AttrType::CapsEnabled), tun_f);
    return simple(w);
}

Result Connection::set_description(const InterfaceRef& tg, const std::string& text) {
    proto::Writer w = request(Op::SetDescription, &tg);
    w.str(wire_type(AttrType::Description), text);
    return simple(w);
}

Result Connection::group_add(const InterfaceRef& tg, const std::string& group) {
    proto::Writer w = request(Op::GroupAdd, &tg);
    w.str(wire_type(AttrType::IfGroup), group);
    return simple(w);
}

Result Connection::group_del(const InterfaceRef& tg, const std::string& group) {
    proto::Writer w = request(Op::GroupDel, &tg);
    w.str(wire_type(AttrType::IfGroup), group);
    return simple(w);
}

Result Connection::set_inet6(const InterfaceRef& tg, std::optional<bool> no_dad, std::optional<bool> auto_linklocal) {
    proto::Writer w = request(Op::SetInet6, &tg);
    if (no_dad) w.u8(wire_type(AttrType::NoDad), *no_dad);
    if (auto_linklocal) w.u8(wire_type(AttrType::AutoLinklocal), *auto_linklocal);
    return simple(w);
}

Result Connection::detach(const InterfaceRef& tg) {
    proto::Writer w = request(Op::Detach, &tg);
    return simple(w);
}

Result Connection::forget(uint64_t unique_id, const std::string& family) {
    proto::Writer w = request(Op::Forget);
    w.u64(wire_type(AttrType::UniqueId), unique_id).str(wire_type(AttrType::UniqueFamily), family);
    return simple(w);
}

Result Connection::open_queue(const InterfaceRef& tg, int* queue_fd) {
    proto::Writer w = request(Op::OpenQueue, &tg);
    DecodedReply r;
    if (Result sent = call(w, r); !sent.ok()) return sent;
    if (r.status) {
        close_fd(r.fd);
        return r.result();
    }
    if (r.fd < 0) return {-EBADMSG, "open-queue reply carried no descriptor"};
    *queue_fd = std::exchange(r.fd, -1);
    return {};
}

Result Connection::subscribe(const InterfaceRef* tg, uint32_t kinds, uint64_t* last_seq) {
    proto::Writer w = request(Op::Subscribe, tg);
    w.u32(wire_type(AttrType::EventKinds), kinds);  // named: a daemon sends newer kinds only to those who ask
    uint32_t id;
    if (Result sent = send(w, id); !sent.ok()) return sent;
    // The reply's event-seq is read here; receive() keeps only what every reply has.
    std::span<const uint8_t> buf;
    int passed = -1;
    if (Result got = recv_frame(buf, passed); !got.ok()) return got;
    close_fd(passed);
    proto::Header h;
    if (proto::Error e = proto::parse_header(buf, h, true); e || h.id != id || !(h.flags & proto::kFlagReply))
        return transport_failure(-EBADMSG, "malformed reply to subscribe");
    Result out{-h.status, {}};
    proto::AttrIter it(buf.subspan(proto::kHeaderSize));
    proto::Attr a;
    while (it.next(a)) {
        if (proto::check_attr(a)) return transport_failure(-EBADMSG, "malformed reply to subscribe");
        if (a.type == wire_type(AttrType::Message) && h.status) out.message = a.as_str();
        if (a.type == wire_type(AttrType::EventSeq) && last_seq) *last_seq = a.as_u64();
    }
    return out;
}

Result Connection::next_event(proto::Event& out) {
    std::span<const uint8_t> buf;
    int passed = -1;
    if (Result got = recv_frame(buf, passed); !got.ok()) return got;
    close_fd(passed);
    proto::Header h;
    if (proto::Error e = proto::parse_header(buf, h, true))
        return transport_failure(-EBADMSG, "malformed event from ifctld: " + e.message);
    if (!(h.flags & proto::kFlagEvent)) return transport_failure(-EBADMSG, "a reply while waiting for an event");
    if (h.status) {  // the last frame of a dropped subscription says why
        Result dropped{-h.status, {}};
        proto::AttrIter it(buf.subspan(proto::kHeaderSize));
        proto::Attr a;
        while (it.next(a))
            if (a.type == wire_type(AttrType::Message) && !proto::check_attr(a)) dropped.message = a.as_str();
        return dropped;
    }
    if (proto::Error e = proto::decode_event(buf.subspan(proto::kHeaderSize), out))
        return transport_failure(-EBADMSG, "malformed event from ifctld: " + e.message);
    return {};
}

Result Connection::batch(const std::vector<std::vector<uint8_t>>& steps, std::optional<uint32_t>* failed_step,
                      std::vector<proto::Interface>* created) {
    // Steps go into Batch requests as they fit; all but the last say batch-continues.
    // The requests are sent back to back and the replies read afterwards.
    constexpr size_t kRoom = proto::kMaxFrame - 64;
    std::vector<uint32_t> ids;
    size_t i = 0;
    do {
        proto::Writer w = request(Op::Batch);
        const size_t first = i;
        while (i < steps.size() && w.size() + proto::align4(proto::kAttrHeaderSize + steps[i].size()) <= kRoom)
            w.bytes(wire_type(AttrType::Step), steps[i++]);
        if (i == first && i < steps.size())
            return {-EMSGSIZE, "batch step " + std::to_string(i) + " is larger than a frame"};
        if (i < steps.size()) w.u8(wire_type(AttrType::BatchContinues), 1);
        uint32_t id;
        if (Result sent = send(w, id); !sent.ok()) return sent;
        ids.push_back(id);
    } while (i < steps.size());
    Result result;
    for (uint32_t id : ids) {
        DecodedReply r;
        if (Result got = receive(id, r); !got.ok()) return got;
        close_fd(r.fd);
        if (r.status && result.ok()) {
            result = r.result();
            if (failed_step) *failed_step = r.step_index;
        }
        if (created) created->insert(created->end(), r.interfaces.begin(), r.interfaces.end());
    }
    return result;
}

Result Connection::wait_ready(const InterfaceRef& tg, std::optional<uint32_t> timeout_ms) {
    proto::Writer w = request(Op::WaitReady, &tg);
    if (timeout_ms) w.u32(wire_type(AttrType::TimeoutMs), *timeout_ms);
    return simple(w);
}

}  // namespace ifctl::client
