#pragma once
// 64-bit FNV-1a: content fingerprints of data sets, shards and settings. Fast, stable
// across platforms of the same endianness, not cryptographic.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace snipe {

class Fnv1a {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) hash_ = (hash_ ^ p[i]) * 0x100000001b3ull;
  }
  template <class T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
  // The element count, then the elements' bytes (T must be trivially copyable).
  template <class T>
  void values(const std::vector<T>& v) {
    value(v.size());
    bytes(v.data(), v.size() * sizeof(T));
  }
  std::uint64_t digest() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

inline std::uint64_t fnv1a(std::string_view text) {
  Fnv1a h;
  h.bytes(text.data(), text.size());
  return h.digest();
}

// 16 lower-case hex digits, as manifests print hashes.
inline std::string hex64(std::uint64_t value) { return fmt::format("{:016x}", value); }

}  // namespace snipe
