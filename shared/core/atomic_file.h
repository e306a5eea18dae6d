#pragma once
// Crash-safe file replacement: readers see either the old file or the complete new one,
// never a prefix. Bytes go to a temp file beside the target; commit() flushes, fsyncs,
// renames over the target and fsyncs the directory. Destroying an uncommitted writer
// (an exception mid-write) removes the temp file and leaves the target untouched.
//
// Not thread-safe: one writer per thread.

#include <filesystem>
#include <string>
#include <string_view>

namespace snipe {

class AtomicFile {
 public:
  // Creates `<target>.tmp-<pid>` (the parent directory must exist). Throws IoError.
  explicit AtomicFile(std::filesystem::path target);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // Buffers `bytes`; writes through to the temp file in large blocks. Throws IoError.
  void append(std::string_view bytes);

  // REQUIRES: not yet committed. Makes the new content durable and visible. Throws IoError.
  void commit();

  const std::filesystem::path& target() const { return target_; }

 private:
  void flush_buffer();
  void discard() noexcept;

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::string buffer_;
  bool committed_ = false;
};

// "<target>.tmp-<pid>": where AtomicFile stages the new content of `target`. A file of this
// name beside a target is the leftover of a write that never committed.
std::filesystem::path atomic_temp_path(const std::filesystem::path& target);

// Convenience: replaces `target` with `content` atomically.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

// Flushes a file's or a directory's contents (a directory: its entries, e.g. after a
// rename) to stable storage. Throws IoError naming the path.
void fsync_file(const std::filesystem::path& path);
void fsync_directory(const std::filesystem::path& dir);

// Reads a whole file; throws IoError naming the file when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace snipe
