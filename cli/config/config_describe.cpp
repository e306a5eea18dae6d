// describe_config: the resolved settings as TOML that parses back to the same Config.

#include <filesystem>
#include <type_traits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/config/config.h"
#include "cli/config/config_fields.h"

namespace snipe {
namespace {

// Appends `key = value` lines. fmt's "{}" prints the shortest text that reads back as the
// same double; strings are JSON-escaped, which TOML basic strings accept.
class TomlWriter {
 public:
  void section(std::string_view name) { out_ += fmt::format("{}[{}]\n", out_.empty() ? "" : "\n", name); }
  void key(std::string_view name, std::int64_t value) { line(name, fmt::format("{}", value)); }
  void key(std::string_view name, std::uint64_t value) { line(name, fmt::format("{}", value)); }
  void key(std::string_view name, int value) { line(name, fmt::format("{}", value)); }
  void key(std::string_view name, double value) { line(name, fmt::format("{}", value)); }
  void key(std::string_view name, bool value) { line(name, value ? "true" : "false"); }
  void key(std::string_view name, std::string_view value) { line(name, quoted(value)); }
  void key(std::string_view name, const char* value) { key(name, std::string_view(value)); }
  void key(std::string_view name, const std::vector<std::string>& values) {
    std::vector<std::string> items;
    for (const auto& v : values) items.push_back(quoted(v));
    line(name, fmt::format("[{}]", fmt::join(items, ", ")));
  }
  std::string str() && { return std::move(out_); }

 private:
  static std::string quoted(std::string_view text) { return nlohmann::json(text).dump(); }
  void line(std::string_view name, std::string_view value) { out_ += fmt::format("{} = {}\n", name, value); }
  std::string out_;
};

// Prints every field config_fields() lists.
class ConfigWriter {
 public:
  void section(std::string_view name) { toml_.section(name); }
  template <class T>
  void operator()(std::string_view key, const T& field) {
    if constexpr (std::is_same_v<T, std::filesystem::path>) {
      toml_.key(key, field.string());
    } else if constexpr (std::is_same_v<T, std::string>) {
      toml_.key(key, std::string_view(field));
    } else {
      toml_.key(key, field);
    }
  }
  template <class T, class Parse, class Name>
  void enumerated(std::string_view key, const T& field, Parse /*parse*/, Name name_of) {
    toml_.key(key, name_of(field));
  }
  std::string str() && { return std::move(toml_).str(); }

 private:
  TomlWriter toml_;
};

}  // namespace

std::string describe_config(const Config& config) {
  Config fields = config;  // config_fields() takes mutable references to read into
  ConfigWriter writer;
  config_detail::config_fields(writer, fields);
  return std::move(writer).str();
}

}  // namespace snipe
