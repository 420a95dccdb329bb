// Files that are either wholly old or wholly new after a crash: write a
// temporary file, fsync it, rename it over the old one, fsync the directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ifctl::daemon {

// Replaces `name` in the directory `dir_fd` by `data`. With sync_dir false the
// directory is not fsync'd (the caller does it once for several files).
// Returns 0 or -errno; on failure the old file is untouched and no temporary
// file is left behind.
int write_file_atomic(int dir_fd, const std::string& name, std::string_view data, bool sync_dir = true);

// The same for many files with one disk flush instead of one per file: each is
// staged (its temporary file written, not fsync'd), then commit_staged()
// flushes the filesystem once (syncfs), renames every one over its name and
// fsyncs the directory. Atomic per file, as above. 0 or -errno.
int stage_file(int dir_fd, const std::string& name, std::string_view data);
int commit_staged(int dir_fd, const std::vector<std::string>& names);
// Removes staged files that will not be committed.
void discard_staged(int dir_fd, const std::vector<std::string>& names);

// Removes `name` (absent is fine) and, with sync_dir, makes that durable.
int remove_file_durable(int dir_fd, const std::string& name, bool sync_dir = true);

int fsync_dir(int dir_fd);

// Reads a whole regular file; 0 or -errno (-ELOOP for a symbolic link,
// -EINVAL for anything else that is not a regular file).
int read_whole_file(int dir_fd, const std::string& name, std::string& out);

}  // namespace ifctl::daemon
