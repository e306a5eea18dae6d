#include "shared/store/hdf5.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe::h5 {
namespace {

// HDF5 prints its own error stack to stderr by default; we report through exceptions.
void silence_hdf5_errors() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

[[noreturn]] void fail(const File& file, std::string_view what, std::string_view object) {
  throw DataError(fmt::format("{}: cannot {} '{}' (HDF5); the file may be truncated or not a "
                              "snipe shard: delete it and collect again",
                              file.path(), what, object));
}

hid_t check(hid_t id, const File& file, std::string_view what, std::string_view object) {
  if (id < 0) fail(file, what, object);
  return id;
}

void check_status(herr_t status, const File& file, std::string_view what, std::string_view object) {
  if (status < 0) fail(file, what, object);
}

Handle dataspace(const std::vector<hsize_t>& dims) {
  return {H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose};
}

// Row-chunked creation properties: ~64 KiB per chunk, shuffle + deflate.
Handle compressed_properties(const std::vector<hsize_t>& dims, std::size_t element_size) {
  Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_obj_track_times(properties.get(), false);
  hsize_t row_bytes = element_size;
  for (std::size_t d = 1; d < dims.size(); ++d) row_bytes *= dims[d];
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::clamp<hsize_t>((64 * 1024) / row_bytes, 1, dims[0]);
  H5Pset_chunk(properties.get(), static_cast<int>(chunk.size()), chunk.data());
  H5Pset_shuffle(properties.get());
  H5Pset_deflate(properties.get(), 4);
  return properties;
}

Handle plain_properties() {
  Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_obj_track_times(properties.get(), false);
  return properties;
}

Handle variable_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

std::vector<const char*> c_strings(const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& v : values) pointers.push_back(v.c_str());
  return pointers;
}

// Reads variable-length strings from a dataset or attribute, then frees HDF5's copies.
template <class ReadFn>
std::vector<std::string> read_variable_strings(const File& file, std::string_view name, hid_t space,
                                               ReadFn read_into) {
  const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char*> raw(count, nullptr);
  Handle type = variable_string_type();
  if (read_into(type.get(), raw.data()) < 0) fail(file, "read strings of", name);
  std::vector<std::string> values(raw.begin(), raw.end());
  Handle memory_space = dataspace({count});
  H5Dvlen_reclaim(type.get(), memory_space.get(), H5P_DEFAULT, raw.data());
  return values;
}

Handle open_attribute(const File& file, const std::string& name) {
  silence_hdf5_errors();
  return {check(H5Aopen(file.id(), name.c_str(), H5P_DEFAULT), file, "open attribute", name),
          H5Aclose};
}

template <class T>
void write_scalar_attribute(const File& file, const std::string& name, const T& value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(check(H5Acreate2(file.id(), name.c_str(), native_type<T>(), space.get(),
                                    H5P_DEFAULT, H5P_DEFAULT),
                         file, "create attribute", name),
                   H5Aclose);
  check_status(H5Awrite(attribute.get(), native_type<T>(), &value), file, "write attribute", name);
}

template <class T>
T read_scalar_attribute(const File& file, const std::string& name) {
  Handle attribute = open_attribute(file, name);
  T value{};
  check_status(H5Aread(attribute.get(), native_type<T>(), &value), file, "read attribute", name);
  return value;
}

}  // namespace

template <> hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }
template <> hid_t native_type<std::uint32_t>() { return H5T_NATIVE_UINT32; }
template <> hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }

File File::create(const std::filesystem::path& path) {
  silence_hdf5_errors();
  Handle properties(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, properties.get(), H5P_DEFAULT);
  if (id < 0) throw IoError(fmt::format("cannot create HDF5 file {}", path.string()));
  return File(Handle(id, H5Fclose), path.string());
}

File File::open_read_only(const std::filesystem::path& path) {
  silence_hdf5_errors();
  if (!std::filesystem::exists(path)) {
    throw IoError(fmt::format("{} does not exist; run snipe collect to create the data set",
                              path.string()));
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    throw DataError(fmt::format("{} is not a readable HDF5 file (truncated or corrupt?); "
                                "delete it and collect again",
                                path.string()));
  }
  return File(Handle(id, H5Fclose), path.string());
}

void File::flush() const {
  if (H5Fflush(id(), H5F_SCOPE_GLOBAL) < 0) throw IoError(fmt::format("cannot flush {}", path_));
}

Handle create_group(const File& file, const std::string& name) {
  Handle properties(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  H5Pset_obj_track_times(properties.get(), false);
  return {check(H5Gcreate2(file.id(), name.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                file, "create group", name),
          H5Gclose};
}

template <class T>
void write(const File& file, const std::string& name, const std::vector<T>& data,
           const std::vector<hsize_t>& dims, bool compress) {
  Handle space = dataspace(dims);
  const bool chunked = compress && !dims.empty() && dims[0] > 0 && !data.empty();
  Handle properties = chunked ? compressed_properties(dims, sizeof(T)) : plain_properties();
  Handle dataset(check(H5Dcreate2(file.id(), name.c_str(), native_type<T>(), space.get(),
                                  H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                       file, "create dataset", name),
                 H5Dclose);
  if (data.empty()) return;
  check_status(H5Dwrite(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), file, "write dataset", name);
}

template <class T>
std::vector<T> read(const File& file, const std::string& name, std::vector<hsize_t>* dims) {
  silence_hdf5_errors();
  Handle dataset(check(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT), file, "open dataset", name),
                 H5Dclose);
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5Tget_class(native_type<T>()) ||
      H5Tget_size(type.get()) != sizeof(T)) {
    fail(file, "read (unexpected element type of)", name);
  }
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
  H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
  std::vector<T> data(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (!data.empty()) {
    check_status(H5Dread(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), file, "read dataset", name);
  }
  if (dims != nullptr) *dims = std::move(shape);
  return data;
}

#define SNIPE_H5_INSTANTIATE(T)                                                            \
  template void write<T>(const File&, const std::string&, const std::vector<T>&,           \
                         const std::vector<hsize_t>&, bool);                               \
  template std::vector<T> read<T>(const File&, const std::string&, std::vector<hsize_t>*);
SNIPE_H5_INSTANTIATE(std::int64_t)
SNIPE_H5_INSTANTIATE(std::uint64_t)
SNIPE_H5_INSTANTIATE(std::uint32_t)
SNIPE_H5_INSTANTIATE(std::uint8_t)
SNIPE_H5_INSTANTIATE(float)
SNIPE_H5_INSTANTIATE(double)
#undef SNIPE_H5_INSTANTIATE

void write_strings(const File& file, const std::string& name, const std::vector<std::string>& values) {
  Handle space = dataspace({values.size()});
  Handle type = variable_string_type();
  Handle properties = plain_properties();
  Handle dataset(check(H5Dcreate2(file.id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                  properties.get(), H5P_DEFAULT),
                       file, "create dataset", name),
                 H5Dclose);
  if (values.empty()) return;
  const auto pointers = c_strings(values);
  check_status(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), file, "write dataset", name);
}

std::vector<std::string> read_strings(const File& file, const std::string& name) {
  silence_hdf5_errors();
  Handle dataset(check(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT), file, "open dataset", name),
                 H5Dclose);
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) == 0) return {};
  return read_variable_strings(file, name, space.get(), [&](hid_t type, char** out) {
    return H5Dread(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
  });
}

void set_attribute(const File& file, const std::string& name, std::int64_t value) {
  write_scalar_attribute(file, name, value);
}
void set_attribute(const File& file, const std::string& name, double value) {
  write_scalar_attribute(file, name, value);
}

void set_attribute(const File& file, const std::string& name, const std::vector<std::string>& values) {
  Handle space = dataspace({values.size()});
  Handle type = variable_string_type();
  Handle attribute(check(H5Acreate2(file.id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                    H5P_DEFAULT),
                         file, "create attribute", name),
                   H5Aclose);
  const auto pointers = c_strings(values);
  check_status(H5Awrite(attribute.get(), type.get(), pointers.data()), file, "write attribute", name);
}

bool has_attribute(const File& file, const std::string& name) {
  return H5Aexists(file.id(), name.c_str()) > 0;
}

std::int64_t int_attribute(const File& file, const std::string& name) {
  return read_scalar_attribute<std::int64_t>(file, name);
}
double double_attribute(const File& file, const std::string& name) {
  return read_scalar_attribute<double>(file, name);
}

std::vector<std::string> strings_attribute(const File& file, const std::string& name) {
  Handle attribute = open_attribute(file, name);
  Handle space(H5Aget_space(attribute.get()), H5Sclose);
  return read_variable_strings(file, name, space.get(), [&](hid_t type, char** out) {
    return H5Aread(attribute.get(), type, out);
  });
}

}  // namespace snipe::h5
