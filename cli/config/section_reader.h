#pragma once
// Internal to cli/config: reads one TOML [section] into typed fields, remembering
// which keys it consumed so finish() can reject the rest as unknown (a typo must not
// silently fall back to a default).

#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "shared/core/errors.h"

namespace snipe::config_detail {

class SectionReader {
 public:
  SectionReader(const toml::table& root, std::string name, std::string_view origin)
      : name_(std::move(name)), origin_(origin) {
    if (const toml::node* node = root.get(name_)) {
      table_ = node->as_table();
      if (table_ == nullptr) throw error(name_, "must be a table ([" + name_ + "])");
    }
  }

  void read(std::string_view key, std::int64_t& out) {
    if (const toml::node* node = find(key)) {
      if (!node->is_integer()) throw type_error(key, "an integer");
      out = *node->value<std::int64_t>();
    }
  }
  void read(std::string_view key, std::uint64_t& out) {  // also std::size_t
    static_assert(std::is_same_v<std::size_t, std::uint64_t>);
    std::int64_t value = static_cast<std::int64_t>(out);
    read(key, value);
    if (value < 0) throw error(path(key), fmt::format("= {} must not be negative", value));
    out = static_cast<std::uint64_t>(value);
  }
  void read(std::string_view key, int& out) {
    std::int64_t value = out;
    read(key, value);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      throw error(path(key), fmt::format("= {} is out of range", value));
    }
    out = static_cast<int>(value);
  }
  void read(std::string_view key, double& out) {
    if (const toml::node* node = find(key)) {
      if (!node->is_number()) throw type_error(key, "a number");
      out = *node->value<double>();
    }
  }
  void read(std::string_view key, bool& out) {
    if (const toml::node* node = find(key)) {
      if (!node->is_boolean()) throw type_error(key, "true or false");
      out = *node->value<bool>();
    }
  }
  void read(std::string_view key, std::string& out) {
    if (const toml::node* node = find(key)) {
      if (!node->is_string()) throw type_error(key, "a string");
      out = *node->value<std::string>();
    }
  }
  void read(std::string_view key, std::filesystem::path& out) {
    std::string text = out.string();
    read(key, text);
    out = text;
  }
  void read(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = find(key);
    if (node == nullptr) return;
    const toml::array* array = node->as_array();
    if (array == nullptr) throw type_error(key, "an array of strings");
    out.clear();
    for (const toml::node& element : *array) {
      if (!element.is_string()) throw type_error(key, "an array of strings");
      out.push_back(*element.value<std::string>());
    }
  }
  // Applies `parse` (which throws ConfigError) to a string key, prefixing the field name.
  template <class T, class Parse>
  void read_enum(std::string_view key, T& out, Parse parse) {
    if (!find(key)) return;
    std::string text;
    read(key, text);
    try {
      out = parse(text);
    } catch (const ConfigError& e) {
      throw error(path(key), e.what());
    }
  }

  void finish() const {
    if (table_ == nullptr) return;
    for (const auto& [key, node] : *table_) {
      if (consumed_.count(std::string(key.str())) == 0) {
        throw ConfigError(fmt::format("{}:{}: unknown key '{}' in [{}]; known keys: {}", origin_,
                                      node.source().begin.line, key.str(), name_,
                                      fmt::join(consumed_, ", ")));
      }
    }
  }

 private:
  const toml::node* find(std::string_view key) {
    consumed_.emplace(key);
    return table_ == nullptr ? nullptr : table_->get(key);
  }
  std::string path(std::string_view key) const { return fmt::format("{}.{}", name_, key); }
  ConfigError error(std::string_view field, std::string_view problem) const {
    return ConfigError(fmt::format("{}: {} {}", origin_, field, problem));
  }
  ConfigError type_error(std::string_view key, std::string_view expected) const {
    const toml::node* node = table_->get(key);
    return ConfigError(fmt::format("{}:{}: {} must be {}", origin_, node->source().begin.line,
                                   path(key), expected));
  }

  std::string name_;
  std::string_view origin_;
  const toml::table* table_ = nullptr;
  std::set<std::string, std::less<>> consumed_;
};

}  // namespace snipe::config_detail
