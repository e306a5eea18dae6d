#pragma once
// A thin RAII layer over the HDF5 C API: owned handles, typed 1-D/2-D datasets
// (chunked, shuffled and deflated when asked), string-array attributes and datasets.
// Every failure throws snipe::DataError naming the file and the object.
// HDF5 (serial build) is not thread-safe: use one thread per process for HDF5 calls.

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snipe::h5 {

// Owns one hid_t and closes it with the matching H5*close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  void reset() {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// An open file plus its path, for error messages.
class File {
 public:
  // Truncates or creates. Object modification times are not recorded, so the same data
  // always gives the same bytes.
  static File create(const std::filesystem::path& path);
  static File open_read_only(const std::filesystem::path& path);

  hid_t id() const { return handle_.get(); }
  const std::string& path() const { return path_; }
  void flush() const;

 private:
  File(Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  Handle handle_;
  std::string path_;
};

// Element types a dataset may hold.
template <class T>
hid_t native_type();

Handle create_group(const File& file, const std::string& name);

// Writes `data` with shape `dims` ([rows] or [rows, cols], rows * cols == data.size()).
// `compress`: chunked along rows (~64 KiB chunks), byte shuffle + deflate level 4.
template <class T>
void write(const File& file, const std::string& name, const std::vector<T>& data,
           const std::vector<hsize_t>& dims, bool compress = true);

// Reads a whole dataset; `dims` receives its shape. Throws when the element type's class
// or size does not match T.
template <class T>
std::vector<T> read(const File& file, const std::string& name, std::vector<hsize_t>* dims = nullptr);

void write_strings(const File& file, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(const File& file, const std::string& name);

// Attributes on the file's root group.
void set_attribute(const File& file, const std::string& name, std::int64_t value);
void set_attribute(const File& file, const std::string& name, double value);
void set_attribute(const File& file, const std::string& name, const std::vector<std::string>& values);
bool has_attribute(const File& file, const std::string& name);
std::int64_t int_attribute(const File& file, const std::string& name);
double double_attribute(const File& file, const std::string& name);
std::vector<std::string> strings_attribute(const File& file, const std::string& name);

}  // namespace snipe::h5
