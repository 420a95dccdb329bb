// A client connection to ifctld: protocol v1 over a SOCK_SEQPACKET Unix socket.
// Used by the C API, the ioctl layer and the ifctl command. Every call returns a
// Result: 0 or a negative errno, with the daemon's explanation and whether the
// interface named is one it does not manage.
// A Connection is not thread-safe: callers serialise (the C API says so).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "libifctl/protocol/event.hpp"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/schema.hpp"

namespace ifctl::client {

// Which interface a request is about.
struct InterfaceRef {
    std::string name;    // used when index == 0
    uint32_t index = 0;

    static InterfaceRef by_name(std::string n) { return {std::move(n), 0}; }
    static InterfaceRef by_index(uint32_t i) { return {{}, i}; }
};

struct CreateOptions {
    uint32_t queues = 0;  // 0: daemon default (1)
    int64_t owner = -1;   // uid; -1: the caller
    int64_t group = -1;   // gid whose members may attach; -1: none
    bool vnet_hdr = false;
    bool persistent = false;  // outlives daemon stops and reboots
    uint64_t unique_id = 0;     // 0: none; else with unique_family, reuses a detached slot of that id
    std::string unique_family{};  // e.g. "ether"
};

// Where MoveNetns sends a TAP: a process's network namespace or a namespace file.
struct NetnsTarget {
    uint32_t pid = 0;  // used when path is empty
    std::string path{};  // /run/netns/NAME, /proc/PID/ns/net, ...
};

// What one call came to. It reads as its errno (0 or negative), so
// `if (c.set_mtu(t, m) < 0)` needs nothing more; the rest is there to be read.
struct Result {
    int error = 0;         // 0 or a negative errno
    std::string message;   // the daemon's explanation (of a failure, or of what it did), or the transport's
    bool unmanaged = false;  // the interface named is one ifctld does not manage

    Result() = default;
    Result(int err, std::string why, bool not_managed = false)
        : error(err), message(std::move(why)), unmanaged(not_managed) {}
    bool ok() const { return error == 0; }
    operator int() const { return error; }  // NOLINT(google-explicit-constructor): reads as the errno
};

// One reply as read from the daemon: its status and everything it carried.
struct DecodedReply {
    int status = 0;  // 0 or positive errno
    std::string message;
    bool unmanaged = false;
    std::vector<proto::Interface> interfaces;
    // The descriptor passed with the reply (snapshot, open-queue): closed
    // with the reply unless the caller takes it with std::exchange(fd, -1).
    int fd = -1;
    std::optional<uint32_t> step_index;  // a failed batch: the step that failed

    DecodedReply() = default;
    DecodedReply(const DecodedReply&) = delete;
    DecodedReply& operator=(const DecodedReply&) = delete;
    DecodedReply(DecodedReply&& o) noexcept;
    DecodedReply& operator=(DecodedReply&& o) noexcept;
    ~DecodedReply();

    // The reply as a call's result: -status, its message and unmanaged mark.
    Result result() const { return {-status, message, unmanaged}; }
};

// The socket a client uses: $IFCTL_SOCKET, else the default path.
std::string default_socket_path();

class Connection {
public:
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Connects and exchanges versions. On failure returns -errno and sets `why`
    // to a sentence a person can act on (e.g. how to start the daemon).
    // timeout_ms > 0 bounds connecting and every later send and receive on the
    // connection: past it they fail with -ETIMEDOUT (the ioctl layer uses this
    // so that a stuck daemon never hangs the program); 0 waits as long as it takes.
    // With `snapshot_fd`, hello asks for the daemon's read-only snapshot
    // (docs/snapshot.md): its descriptor, owned by the caller, or -1 if none came.
    static int open(const std::string& path, std::unique_ptr<Connection>& out, std::string& why,
                    const std::string& software = "libifctl", int timeout_ms = 0, int* snapshot_fd = nullptr);

    int fd() const { return fd_; }
    // Forgets the descriptor without closing it: for a process that closed it
    // behind our back, whose number may now be one of its own files.
    void abandon() { fd_ = -1; }
    // How many requests have left through this connection (send() succeeded).
    uint64_t requests_sent() const { return requests_sent_; }
    // True if the last send() failed because the daemon's end was already
    // closed (EPIPE, ECONNRESET, ENOTCONN): that request never reached a daemon.
    bool last_send_found_closed() const { return send_found_closed_; }

    Result list(std::vector<proto::Interface>& out);
    // The daemon's current snapshot descriptor (after the one held moved), owned by the caller.
    Result snapshot(int& fd);
    // brief: without addresses, statistics and multicast memberships (cheaper).
    Result get(const InterfaceRef& t, proto::Interface& out, bool brief = false);
    Result create(const std::string& name_or_pattern, const CreateOptions& opts, proto::Interface& created);
    Result destroy(const InterfaceRef& t);
    // keep_inet6: a change that takes the interface down keeps its global IPv6
    // addresses, as BSD does (KeepInet6; docs/protocol.md).
    Result set_flags(const InterfaceRef& t, uint32_t flags, uint32_t mask, bool keep_inet6 = false);
    Result set_mtu(const InterfaceRef& t, uint32_t mtu);
    Result set_metric(const InterfaceRef& t, int32_t metric);
    Result set_lladdr(const InterfaceRef& t, const std::vector<uint8_t>& ll);
    Result set_txqlen(const InterfaceRef& t, uint32_t qlen);
    Result addr_add(const InterfaceRef& t, const proto::Address& a);
    // cascade: deleting a primary inet address takes the secondaries of its
    // subnet with it, as devinet_ioctl does (Cascade; docs/protocol.md).
    Result addr_del(const InterfaceRef& t, const proto::Address& a, bool cascade = false);
    Result addr_replace(const InterfaceRef& t, const proto::Address& old_addr, const proto::Address& new_addr,
                        bool cascade = false);
    // live: if the kernel refuses while the interface is up, down, rename, up.
    Result rename(const InterfaceRef& t, const std::string& new_name, bool live = false);
    Result set_owner(const InterfaceRef& t, uint32_t uid);
    Result set_persistent(const InterfaceRef& t, bool persistent);
    Result move_netns(const InterfaceRef& t, const NetnsTarget& where);
    // Brings a TAP moved away by move_netns back into the daemon's namespace.
    Result move_home(const std::string& name);
    // Asks the daemon to re-read its configuration's [policy] (root only).
    Result reload();
    // per_client: the membership is this connection's (EADDRINUSE when held,
    // ENOENT when not, dropped when the connection closes).
    Result multi_add(const InterfaceRef& t, const std::array<uint8_t, 6>& mac, bool per_client = false);
    Result multi_del(const InterfaceRef& t, const std::array<uint8_t, 6>& mac, bool per_client = false);
    // This connection's reference on IFF_PROMISC or IFF_ALLMULTI.
    Result flag_ref(const InterfaceRef& t, uint32_t flag, bool on);
    Result set_caps(const InterfaceRef& t, uint32_t tun_f);
    // The description (the kernel's ifalias); empty removes it.
    Result set_description(const InterfaceRef& t, const std::string& text);
    // Interface groups (FreeBSD's): join or leave one.
    Result group_add(const InterfaceRef& t, const std::string& group);
    Result group_del(const InterfaceRef& t, const std::string& group);
    // inet6 settings; an unset one stays as it is.
    Result set_inet6(const InterfaceRef& t, std::optional<bool> no_dad, std::optional<bool> auto_linklocal);
    // The interface leaves the system; its unique-id slot stays (detach), or a
    // detached slot is dropped (forget).
    Result detach(const InterfaceRef& t);
    Result forget(uint64_t unique_id, const std::string& family);
    // On success *queue_fd is a new, close-on-exec queue descriptor of the TAP.
    Result open_queue(const InterfaceRef& t, int* queue_fd);

    // Events. subscribe() asks for the kinds in `kinds` (proto::EventKind bits)
    // about one interface (`t`) or all (null); *last_seq is the number of the
    // last event published before it. Then next_event() blocks for the next
    // one: -ENOBUFS when the daemon dropped this subscriber for reading too
    // slowly (the result's message says so), -ECONNRESET when the daemon went away.
    Result subscribe(const InterfaceRef* t, uint32_t kinds, uint64_t* last_seq = nullptr);
    Result next_event(proto::Event& out);
    // Returns once the interface is up with carrier: -ETIMEDOUT after
    // timeout_ms (none: no limit), -ENODEV if it is deleted meanwhile.
    Result wait_ready(const InterfaceRef& t, std::optional<uint32_t> timeout_ms);

    // Batches. While recording, the change methods above do not send: each
    // appends its request frame to `steps` and succeeds (create reports the
    // name it was given). batch() then sends the steps as one transaction, in
    // as many Batch requests as their size needs: all apply or none. On a
    // failure *failed_step is the step's index in `steps`; on success *created
    // holds the records of the interfaces the creates made, in step order.
    void start_recording(std::vector<std::vector<uint8_t>>* steps) { recording_ = steps; }
    void stop_recording() { recording_ = nullptr; }
    Result batch(const std::vector<std::vector<uint8_t>>& steps, std::optional<uint32_t>* failed_step = nullptr,
                 std::vector<proto::Interface>* created = nullptr);

    // Lower level, for pipelining: send() queues a request and returns its id;
    // receive() waits for that id's reply (replies arrive in request order).
    // Their result is about the exchange (a failure: no reply was had); the
    // daemon's answer is in `out`.
    proto::Writer request(proto::Op op, const InterfaceRef* t = nullptr);
    Result send(proto::Writer& w, uint32_t& id);
    Result receive(uint32_t id, DecodedReply& out);
    Result call(proto::Writer& w, DecodedReply& out);
    // Why the last exchange failed on the way (sending, receiving, decoding):
    // for a caller that drops a broken connection and says why.
    const std::string& transport_error() const { return transport_error_; }

private:
    explicit Connection(int fd) : fd_(fd) {}
    Result simple(proto::Writer& w);  // call, then the reply's result
    Result recv_frame(std::span<const uint8_t>& frame, int& passed_fd);
    Result transport_failure(int error, std::string why);  // also kept as transport_error()

    int fd_ = -1;
    uint32_t next_id_ = 1;
    uint64_t requests_sent_ = 0;
    bool send_found_closed_ = false;
    std::string transport_error_;
    std::unique_ptr<uint8_t[]> recv_buf_;
    std::vector<std::vector<uint8_t>>* recording_ = nullptr;
};

}  // namespace ifctl::client
