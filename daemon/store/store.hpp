// The state directory's interface records: one file per managed interface,
// `interfaces/<unique id>.json`, each replaced atomically (atomic_file.hpp).
// One file per interface keeps every synchronous write small (a create writes
// one record, not the whole daemon's state) and confines damage: a corrupt
// file costs its own interface, never the others.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/kernel/unique_fd.hpp"
#include "daemon/store/record.hpp"

namespace ifctl::daemon {

class Store {
public:
    // Opens (creating if needed) `state_dir`/interfaces. 0 or -errno.
    int open(const std::string& state_dir);
    bool is_open() const { return static_cast<bool>(dir_); }

    struct Loaded {
        std::vector<StoredInterface> records;
        // One line per file that could not be read ("interfaces/7.json: checksum mismatch ...").
        // Such files are renamed to *.corrupt (kept for inspection, not read again).
        std::vector<std::string> problems;
        uint64_t max_id = 0;  // the largest id a file is named by, readable or not
        uint64_t next_id = 1;  // from ids.json (1 if absent or unreadable)
    };
    Loaded load();

    // Reads one record, checked as load() checks it. 0, -ENOENT, -EBADMSG,
    // -EPROTONOSUPPORT or another -errno; `why` says what.
    int get(uint64_t unique_id, StoredInterface& out, std::string& why) const;
    // Writes one record durably (file and directory fsync'd). 0 or -errno.
    // A record whose file already holds the same bytes (written or loaded by
    // this store) is not written again: also for put_many.
    int put(const StoredInterface& r) { return put(r, true); }
    // The same without the directory fsync; sync() afterwards (group commit).
    int put(const StoredInterface& r, bool sync_dir);
    int sync();
    // Many records durably with one disk flush for all of them (the group
    // commit, re-adoption): each is written beside its file, one syncfs, then
    // every rename and one directory fsync. A failure leaves each record
    // wholly old or wholly new. 0 or -errno.
    int put_many(const std::vector<StoredInterface>& records);
    // Removes a record durably. 0 or -errno.
    int remove(uint64_t unique_id) { return remove(unique_id, true); }
    // The same without the directory fsync; sync() afterwards (many at once).
    int remove(uint64_t unique_id, bool sync_dir);
    // Writes ids.json (the next unique id), without the directory fsync.
    int put_next_id(uint64_t next);

    // The batch journal (batch.json, record.hpp's BatchIntent), written and
    // removed durably. 0 or -errno; get_journal: -ENOENT when there is none.
    int put_journal(std::string_view bytes) { return write_file_atomic_here(kJournal, bytes); }
    int get_journal(std::string& bytes) const;
    int remove_journal();
    // Sets it aside (batch.json.corrupt) when it cannot be read.
    void set_journal_aside();

    // Whether a change could be recorded now: 0, -EROFS (read-only), -ENOSPC
    // (almost full), -EACCES. Checked before a change is applied, so that a
    // change the daemon could not record is refused rather than half-made.
    // One system call (fstatvfs): the permission to write is asked again only
    // after kAccessValid or a failed write (access()).
    int writable() const;
    static constexpr std::chrono::seconds kAccessValid{1};

    const std::string& path() const { return path_; }

private:
    static constexpr const char* kJournal = "batch.json";
    int write_file_atomic_here(const char* name, std::string_view bytes);
    int access() const;
    int access_now() const;
    // A write's result; a failure makes the next writable() ask access_now().
    int checked(int rc);
    mutable std::chrono::steady_clock::time_point access_allowed_until_{};
    static std::string file_name(uint64_t unique_id);
    // get(), also giving the file's bytes.
    int read_record(uint64_t unique_id, StoredInterface& out, std::string& why, std::string& bytes) const;
    std::string path_;
    UniqueFd dir_;
    // A hash of the bytes each record's file holds, where this store wrote or
    // read them. Kernel events that change nothing recorded (carrier coming
    // back as a restarted daemon attaches its queues, the whole kernel view
    // re-read after an event overrun) would otherwise rewrite every record.
    std::unordered_map<uint64_t, size_t> on_disk_;
    bool unchanged(uint64_t unique_id, size_t hash) const;
};

}  // namespace ifctl::daemon
