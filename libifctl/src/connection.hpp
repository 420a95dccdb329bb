// A client connection to ifctld: protocol v1 over a SOCK_SEQPACKET Unix socket.
// Used by the C API, the ioctl layer and the ifctl command. Results are 0 or a
// negative errno; the daemon's explanation of the last failure is in message().
// A Connection is not thread-safe: callers serialise (the C API says so).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libifctl/protocol/event.hpp"
#include "libifctl/protocol/model.hpp"
#include "libifctl/protocol/schema.hpp"

namespace ifctl::client {

// Which interface a request is about.
struct Target {
    std::string name;    // used when index == 0
    uint32_t index = 0;

    static Target by_name(std::string n) { return {std::move(n), 0}; }
    static Target by_index(uint32_t i) { return {{}, i}; }
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
    const std::string& message() const { return message_; }
    // True if the last failure was about an interface the daemon does not manage.
    bool last_unmanaged() const { return unmanaged_; }
    // How many requests have left through this connection (send() succeeded).
    uint64_t requests_sent() const { return requests_sent_; }
    // True if the last send() failed because the daemon's end was already
    // closed (EPIPE, ECONNRESET, ENOTCONN): that request never reached a daemon.
    bool last_send_found_closed() const { return send_found_closed_; }

    int list(std::vector<proto::Interface>& out);
    // The daemon's current snapshot descriptor (after the one held moved), owned by the caller.
    int snapshot(int& fd);
    // brief: without addresses, statistics and multicast memberships (cheaper).
    int get(const Target& t, proto::Interface& out, bool brief = false);
    int create(const std::string& name_or_pattern, const CreateOptions& opts, proto::Interface& created);
    int destroy(const Target& t);
    // keep_inet6: a change that takes the interface down keeps its global IPv6
    // addresses, as BSD does (KeepInet6; docs/protocol.md).
    int set_flags(const Target& t, uint32_t flags, uint32_t mask, bool keep_inet6 = false);
    int set_mtu(const Target& t, uint32_t mtu);
    int set_metric(const Target& t, int32_t metric);
    int set_lladdr(const Target& t, const std::vector<uint8_t>& ll);
    int set_txqlen(const Target& t, uint32_t qlen);
    int addr_add(const Target& t, const proto::Address& a);
    int addr_del(const Target& t, const proto::Address& a);
    int addr_replace(const Target& t, const proto::Address& old_addr, const proto::Address& new_addr);
    // live: if the kernel refuses while the interface is up, down, rename, up.
    int rename(const Target& t, const std::string& new_name, bool live = false);
    int set_owner(const Target& t, uint32_t uid);
    int set_persistent(const Target& t, bool persistent);
    int move_netns(const Target& t, const NetnsTarget& where);
    // Brings a TAP moved away by move_netns back into the daemon's namespace.
    int move_home(const std::string& name);
    // Asks the daemon to re-read its configuration's [policy] (root only).
    int reload();
    // per_client: the membership is this connection's (EADDRINUSE when held,
    // ENOENT when not, dropped when the connection closes).
    int multi_add(const Target& t, const std::array<uint8_t, 6>& mac, bool per_client = false);
    int multi_del(const Target& t, const std::array<uint8_t, 6>& mac, bool per_client = false);
    // This connection's reference on IFF_PROMISC or IFF_ALLMULTI.
    int flag_ref(const Target& t, uint32_t flag, bool on);
    int set_caps(const Target& t, uint32_t tun_f);
    // The description (the kernel's ifalias); empty removes it.
    int set_description(const Target& t, const std::string& text);
    // Interface groups (FreeBSD's): join or leave one.
    int group_add(const Target& t, const std::string& group);
    int group_del(const Target& t, const std::string& group);
    // inet6 settings; an unset one stays as it is.
    int set_inet6(const Target& t, std::optional<bool> no_dad, std::optional<bool> auto_linklocal);
    // The interface leaves the system; its unique-id slot stays (detach), or a
    // detached slot is dropped (forget).
    int detach(const Target& t);
    int forget(uint64_t unique_id, const std::string& family);
    // On success *queue_fd is a new, close-on-exec queue descriptor of the TAP.
    int open_queue(const Target& t, int* queue_fd);

    // Events. subscribe() asks for the kinds in `kinds` (proto::EventKind bits)
    // about one interface (`t`) or all (null); *last_seq is the number of the
    // last event published before it. Then next_event() blocks for the next
    // one: -ENOBUFS when the daemon dropped this subscriber for reading too
    // slowly (message() says so), -ECONNRESET when the daemon went away.
    int subscribe(const Target* t, uint32_t kinds, uint64_t* last_seq = nullptr);
    int next_event(proto::Event& out);
    // Returns once the interface is up with carrier: -ETIMEDOUT after
    // timeout_ms (none: no limit), -ENODEV if it is deleted meanwhile.
    int wait_ready(const Target& t, std::optional<uint32_t> timeout_ms);

    // Batches. While recording, the change methods above do not send: each
    // appends its request frame to `steps` and succeeds (create reports the
    // name it was given). batch() then sends the steps as one transaction, in
    // as many Batch requests as their size needs: all apply or none. On a
    // failure *failed_step is the step's index in `steps`; on success *created
    // holds the records of the interfaces the creates made, in step order.
    void start_recording(std::vector<std::vector<uint8_t>>* steps) { recording_ = steps; }
    void stop_recording() { recording_ = nullptr; }
    int batch(const std::vector<std::vector<uint8_t>>& steps, std::optional<uint32_t>* failed_step = nullptr,
              std::vector<proto::Interface>* created = nullptr);

    // Lower level, for pipelining: send() queues a request and returns its id;
    // receive() waits for that id's reply (replies arrive in request order).
    struct Reply {
        int status = 0;  // 0 or positive errno
        std::string message;
        bool unmanaged = false;
        std::vector<proto::Interface> interfaces;
        // The descriptor passed with the reply (snapshot, open-queue): closed
        // with the Reply unless the caller takes it with std::exchange(fd, -1).
        int fd = -1;
        std::optional<uint32_t> step_index;  // a failed batch: the step that failed

        Reply() = default;
        Reply(const Reply&) = delete;
        Reply& operator=(const Reply&) = delete;
        Reply(Reply&& o) noexcept;
        Reply& operator=(Reply&& o) noexcept;
        ~Reply();
    };
    proto::Writer request(proto::Op op, const Target* t = nullptr);
    int send(proto::Writer& w, uint32_t& id);
    int receive(uint32_t id, Reply& out);
    int call(proto::Writer& w, Reply& out);

private:
    explicit Connection(int fd) : fd_(fd) {}
    int simple(proto::Writer& w);  // call + status to -errno + message
    int recv_frame(std::span<const uint8_t>& frame, int& passed_fd);

    int fd_ = -1;
    uint32_t next_id_ = 1;
    uint64_t requests_sent_ = 0;
    bool send_found_closed_ = false;
    std::string message_;
    bool unmanaged_ = false;
    std::unique_ptr<uint8_t[]> recv_buf_;
    std::vector<std::vector<uint8_t>>* recording_ = nullptr;
};

}  // namespace ifctl::client
