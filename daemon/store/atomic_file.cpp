#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "daemon/kernel/unique_fd.hpp"

namespace ifctl::daemon {

int fsync_dir(int dir_fd) { return ::fsync(dir_fd) < 0 ? -errno : 0; }

namespace {

// One writer per state directory (the lock file), so a fixed temporary name is
// safe; a leftover from a crash is simply overwritten.
std::string temp_name(const std::string& name) { return "." + name + ".tmp"; }

// Writes the temporary file of `name`, fsync'd when `sync` says so. 0 or
// -errno; on failure no temporary file is left.
int write_temp(int dir_fd, const std::string& name, std::string_view data, bool sync) {
    const std::string tmp = temp_name(name);
    // O_NOFOLLOW: a link planted under that name must not make us write elsewhere.
    UniqueFd fd(::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return -errno;
    auto fail = [&](int err) {
        ::unlinkat(dir_fd, tmp.c_str(), 0);
        return -err;
    };
    for (size_t done = 0; done < data.size();) {
        const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errno);
        }
        done += static_cast<size_t>(n);
    }
    if (sync && ::fsync(fd.get()) < 0) return fail(errno);
    return 0;
}

}  // namespace

int write_file_atomic(int dir_fd, const std::string& name, std::string_view data, bool sync_dir) {
    if (int rc = write_temp(dir_fd, name, data, true); rc < 0) return rc;
    if (::renameat(dir_fd, temp_name(name).c_str(), dir_fd, name.c_str()) < 0) {
        const int err = errno;
        ::unlinkat(dir_fd, temp_name(name).c_str(), 0);
        return -err;
    }
    return sync_dir ? fsync_dir(dir_fd) : 0;
}

int stage_file(int dir_fd, const std::string& name, std::string_view data) {
    return write_temp(dir_fd, name, data, false);
}

int commit_staged(int dir_fd, const std::vector<std::string>& names) {
    if (names.empty()) return 0;
    // Every staged file's data on disk at once, before any of them replaces its
    // old file: a crash leaves each name wholly old or wholly new.
    if (::syncfs(dir_fd) < 0) return -errno;
    for (const std::string& name : names)
        if (::renameat(dir_fd, temp_name(name).c_str(), dir_fd, name.c_str()) < 0) return -errno;
    return fsync_dir(dir_fd);
}

void discard_staged(int dir_fd, const std::vector<std::string>& names) {
    for (const std::string& name : names) ::unlinkat(dir_fd, temp_name(name).c_str(), 0);
}

int remove_file_durable(int dir_fd, const std::string& name, bool sync_dir) {
    if (::unlinkat(dir_fd, name.c_str(), 0) < 0 && errno != ENOENT) return -errno;
    return sync_dir ? fsync_dir(dir_fd) : 0;
}

int read_whole_file(int dir_fd, const std::string& name, std::string& out) {
    // Neither a link nor a FIFO (which would block the open or the read) is read.
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) return -errno;
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) return -errno;
    if (!S_ISREG(st.st_mode)) return -EINVAL;
    out.clear();
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) return 0;
        out.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace ifctl::daemon
