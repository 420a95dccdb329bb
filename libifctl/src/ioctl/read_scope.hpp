// Whether the ioctl request being answered on this thread only reads: its
// lookups may then be answered from the daemon's snapshot (snapshot_link.hpp).
// Requests that change something look their interface up with the daemon, so
// that what they check (who may change it) is the daemon's answer for them.
#pragma once

namespace ifctl::ioctl_layer {

inline thread_local bool t_request_reads_only = false;

// Set for the duration of one request's handler.
class ReadScope {
public:
    explicit ReadScope(bool reads_only) : saved_(t_request_reads_only) { t_request_reads_only = reads_only; }
    ~ReadScope() { t_request_reads_only = saved_; }
    ReadScope(const ReadScope&) = delete;
    ReadScope& operator=(const ReadScope&) = delete;

private:
    bool saved_;
};

}  // namespace ifctl::ioctl_layer
