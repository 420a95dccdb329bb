#include "store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <string_view>

#include "daemon/store/atomic_file.hpp"

namespace ifctl::daemon {

namespace {
// Below this much free space a change is refused up front: a record is a few
// KiB, and a change refused whole beats one acknowledged and never written.
constexpr unsigned long long kMinFreeBytes = 64 * 1024;

// "<id>.json", the id written as file_name() writes it (no sign, no leading
// zero, within 64 bits): any other spelling would name a file read_record()
// never opens.
bool record_file(std::string_view s, uint64_t& id) {
    constexpr std::string_view suffix = ".json";
    if (s.size() <= suffix.size() || !s.ends_with(suffix)) return false;
    const std::string_view digits = s.substr(0, s.size() - suffix.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    return ec == std::errc() && end == digits.data() + digits.size() && std::to_string(id) == digits;
}

size_t hash_of(std::string_view bytes) { return std::hash<std::string_view>{}(bytes); }

// "NAME.corrupt": set aside earlier; the id of a record's name stays taken.
constexpr std::string_view kAside = ".corrupt";

// Names the store writes besides records: the id counter, the batch journal
// (read by get_journal()), a record being
// written (".<id>.json.tmp", left by a crash).
bool own_file(std::string_view s) {
    return s == "ids.json" || s == "batch.json" || (s.starts_with(".") && s.ends_with(".tmp"));
}

std::string kind_of(mode_t m) {
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISDIR(m)) return "a directory";
    if (S_ISLNK(m)) return "a symbolic link";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    return "not a regular file";
}

}  // namespace

std::string Store::file_name(uint64_t unique_id) { return std::to_string(unique_id) + ".json"; }

int Store::open(const std::string& state_dir) {
    path_ = state_dir + "/interfaces";
    if (::mkdir(path_.c_str(), 0700) < 0 && errno != EEXIST) return -errno;
    // Not through a link (lock_state_dir() has said why, with the owner's name).
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return -errno;
    dir_ = std::move(fd);
    return 0;
}

Store::Loaded Store::load() {
    Loaded out;
    const int dup = ::dup(dir_.get());
    DIR* d = dup < 0 ? nullptr : ::fdopendir(dup);
    if (!d) {
        if (dup >= 0) ::close(dup);
        out.problems.push_back(path_ + ": cannot be listed: " + std::strerror(errno));
        return out;
    }
    ::rewinddir(d);
    std::vector<std::pair<uint64_t, std::string>> files;
    std::vector<std::pair<std::string, std::string>> aside;  // name, why
    while (const dirent* e = ::readdir(d)) {
        const std::string_view n = e->d_name;
        uint64_t id = 0;
        if (n == "." || n == ".." || own_file(n)) continue;
        if (n.ends_with(kAside)) {
            if (record_file(n.substr(0, n.size() - kAside.size()), id)) out.max_id = std::max(out.max_id, id);
            continue;
        }
        // Only regular files are read: a FIFO would block the start, a link lead elsewhere.
        struct stat st {};
        if (::fstatat(dir_.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;  // gone meanwhile
        const bool named = record_file(n, id);
        if (named) out.max_id = std::max(out.max_id, id);  // readable or not, its id stays taken
        if (!named) aside.emplace_back(n, "not a record's name (<unique id>.json)");
        else if (!S_ISREG(st.st_mode)) aside.emplace_back(n, kind_of(st.st_mode) + ", not a record");
        else files.emplace_back(id, n);
    }
    ::closedir(d);
    for (const auto& [name, why] : aside) {
        std::string line = path_ + "/" + name + ": " + why;
        const std::string to = name + std::string(kAside);
        line += ::renameat(dir_.get(), name.c_str(), dir_.get(), to.c_str()) == 0
                    ? "; kept as " + to
                    : "; could not be set aside: " + std::string(std::strerror(errno));
        out.problems.push_back(std::move(line));
    }
    std::sort(files.begin(), files.end());
    if (std::string bytes, why; read_whole_file(dir_.get(), "ids.json", bytes) == 0)
        if (decode_ids(bytes, out.next_id, why) < 0) out.problems.push_back(path_ + "/ids.json: " + why);
    for (const auto& [id, name] : files) {
        out.max_id = std::max(out.max_id, id);
        std::string why, bytes;
        StoredInterface r;
        const int rc = read_record(id, r, why, bytes);
        if (rc < 0) {
            std::string line = path_ + "/" + name + ": " + why;
            // A newer daemon's file is not ours to move; a damaged one is set aside.
            if (rc == -EBADMSG) {
                const std::string aside = name + std::string(kAside);
                if (::renameat(dir_.get(), name.c_str(), dir_.get(), aside.c_str()) == 0) line += "; kept as " + aside;
            }
            out.problems.push_back(line);
            continue;
        }
        on_disk_[id] = hash_of(bytes);
        out.records.push_back(std::move(r));
    }
    return out;
}

int Store::get(uint64_t unique_id, StoredInterface& out, std::string& why) const {
    std::string bytes;
    return read_record(unique_id, out, why, bytes);
}

int Store::read_record(uint64_t unique_id, StoredInterface& out, std::string& why, std::string& bytes) const {
    StoredInterface r;
    int rc = read_whole_file(dir_.get(), file_name(unique_id), bytes);
    if (rc < 0) {
        why = std::strerror(-rc);
        return rc;
    }
    if ((rc = decode_record(bytes, r, why)) < 0) return rc;
    if (r.unique_id != unique_id) {
        why = "holds unique id " + std::to_string(r.unique_id) + ", not " + std::to_string(unique_id);
        return -EBADMSG;
    }
    out = std::move(r);
    return 0;
}

bool Store::unchanged(uint64_t unique_id, size_t hash) const {
    auto it = on_disk_.find(unique_id);
    return it != on_disk_.end() && it->second == hash;
}

int Store::put(const StoredInterface& r, bool sync_dir) {
    const std::string bytes = encode_record(r);
    const size_t hash = hash_of(bytes);
    if (unchanged(r.unique_id, hash)) return 0;
    const int rc = write_file_atomic(dir_.get(), file_name(r.unique_id), bytes, sync_dir);
    if (rc == 0) on_disk_[r.unique_id] = hash;
    else on_disk_.erase(r.unique_id);
    return checked(rc);
}

int Store::put_next_id(uint64_t next) { return checked(write_file_atomic(dir_.get(), "ids.json", encode_ids(next), false)); }

int Store::sync() { return checked(fsync_dir(dir_.get())); }

int Store::put_many(const std::vector<StoredInterface>& records) {
    std::vector<std::string> names;
    std::vector<std::pair<uint64_t, size_t>> written;
    int rc = 0;
    for (const StoredInterface& r : records) {
        const std::string bytes = encode_record(r);
        const size_t hash = hash_of(bytes);
        if (unchanged(r.unique_id, hash)) continue;
        if ((rc = stage_file(dir_.get(), file_name(r.unique_id), bytes)) < 0) break;
        names.push_back(file_name(r.unique_id));
        written.emplace_back(r.unique_id, hash);
    }
    if (rc == 0) rc = daemon::commit_staged(dir_.get(), names);
    if (rc < 0) discard_staged(dir_.get(), names);
    for (const auto& [id, hash] : written)
        if (rc == 0) on_disk_[id] = hash;
        else on_disk_.erase(id);
    return checked(rc);
}

int Store::remove(uint64_t unique_id, bool sync_dir) {
    on_disk_.erase(unique_id);
    return checked(remove_file_durable(dir_.get(), file_name(unique_id), sync_dir));
}

int Store::write_file_atomic_here(const char* name, std::string_view bytes) {
    return checked(write_file_atomic(dir_.get(), name, bytes, true));
}

int Store::get_journal(std::string& bytes) const { return read_whole_file(dir_.get(), kJournal, bytes); }

int Store::remove_journal() { return checked(remove_file_durable(dir_.get(), kJournal, true)); }

void Store::set_journal_aside() {
    const std::string aside = std::string(kJournal) + std::string(kAside);
    ::renameat(dir_.get(), kJournal, dir_.get(), aside.c_str());
}

int Store::writable() const {
    // The mount and the free space are asked on every call: another process
    // may remount the file system or fill it at any moment, and a change
    // made after that must be refused, not made and then left unrecorded.
    struct statvfs s {};
    if (::fstatvfs(dir_.get(), &s) < 0) return access_now();
    if (s.f_flag & ST_RDONLY) return -EROFS;
    if (const int rc = access(); rc < 0) return rc;
    if (s.f_bfree * s.f_frsize < kMinFreeBytes || (s.f_files && !s.f_ffree)) return -ENOSPC;
    return 0;
}

// Whether this process may write the directory (root under the shipped unit
// has no CAP_DAC_OVERRIDE, so the answer is not in the mount flags). It
// changes only by chmod, chown or a change of the daemon's credentials, not
// by writing: an answer that allowed writing is kept for kAccessValid, or
// until a write here fails.
int Store::access() const {
    const auto now = std::chrono::steady_clock::now();
    if (access_allowed_until_ > now) return 0;
    const int rc = access_now();
    if (rc == 0) access_allowed_until_ = now + kAccessValid;
    return rc;
}

int Store::access_now() const { return ::faccessat(dir_.get(), ".", W_OK, AT_EACCESS) < 0 ? -errno : 0; }

int Store::checked(int rc) {
    if (rc < 0) access_allowed_until_ = {};
    return rc;
}

}  // namespace ifctl::daemon
