#include "shared/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/std.h>

#include "shared/core/errors.h"

namespace snipe {
namespace {

constexpr std::size_t kWriteBlock = 1 << 20;  // bytes buffered before a write(2)

[[noreturn]] void throw_errno(std::string_view action, const std::filesystem::path& path) {
  throw IoError(fmt::format("cannot {} {}: {}", action, path, std::strerror(errno)));
}

void fsync_opened(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.empty() ? "." : path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw_errno("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw_errno("fsync", path);
}

}  // namespace

void fsync_file(const std::filesystem::path& path) { fsync_opened(path, O_RDONLY); }

void fsync_directory(const std::filesystem::path& dir) {
  fsync_opened(dir, O_RDONLY | O_DIRECTORY);
}

std::filesystem::path atomic_temp_path(const std::filesystem::path& target) {
  std::filesystem::path temp = target;
  temp += fmt::format(".tmp-{}", ::getpid());
  return temp;
}

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  temp_ = atomic_temp_path(target_);
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_errno("create", temp_);
  buffer_.reserve(kWriteBlock);
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::append(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() >= kWriteBlock) flush_buffer();
}

void AtomicFile::flush_buffer() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write", temp_);
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicFile::commit() {
  flush_buffer();
  if (::fsync(fd_) != 0) throw_errno("fsync", temp_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw_errno("close", temp_);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) throw_errno("rename temp file onto", target_);
  committed_ = true;
  fsync_directory(target_.parent_path());
}

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  AtomicFile file(target);
  file.append(content);
  file.commit();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw IoError(fmt::format("cannot read {}", path));
  return std::move(content).str();
}

}  // namespace snipe
