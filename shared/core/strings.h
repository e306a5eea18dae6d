#pragma once
// Owned copies of a table of names (the feature library's constexpr name lists), for the
// files that record them: shard attributes, manifest.json, metadata.json.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snipe {

inline std::vector<std::string> to_strings(std::span<const std::string_view> names) {
  return {names.begin(), names.end()};
}

}  // namespace snipe
