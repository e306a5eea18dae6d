#include "cli/config/config.h"

#include <optional>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "cli/config/config_fields.h"
#include "cli/config/section_reader.h"
#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"

namespace snipe {
namespace {

using config_detail::SectionReader;

// Fills a Config from the TOML tree, one SectionReader per [section].
class ConfigReader {
 public:
  ConfigReader(const toml::table& root, std::string_view origin) : root_(root), origin_(origin) {}

  void section(std::string_view name) {
    finish();
    sections_.emplace(name);
    reader_.emplace(root_, std::string(name), origin_);
  }
  template <class T>
  void operator()(std::string_view key, T& field) {
    reader_->read(key, field);
  }
  template <class T, class Parse, class Name>
  void enumerated(std::string_view key, T& field, Parse parse, Name /*name_of*/) {
    reader_->read_enum(key, field, parse);
  }
  // Rejects unknown keys of the last section and unknown sections.
  void finish() {
    if (reader_) reader_->finish();
  }
  void reject_unknown_sections() const {
    for (const auto& [key, node] : root_) {
      if (sections_.count(key.str()) == 0) {
        throw ConfigError(fmt::format("{}:{}: unknown section '{}'; known sections: {}", origin_,
                                      node.source().begin.line, key.str(),
                                      fmt::join(sections_, ", ")));
      }
    }
  }

 private:
  const toml::table& root_;
  std::string_view origin_;
  std::optional<SectionReader> reader_;
  std::set<std::string, std::less<>> sections_;
};

}  // namespace

Config parse_config(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  Config config;
  ConfigReader reader(root, origin);
  config_detail::config_fields(reader, config);
  reader.finish();
  reader.reject_unknown_sections();
  validate_config(config, origin);
  return config;
}
Config load_config(const std::filesystem::path& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const IoError& e) {
    throw ConfigError(fmt::format("{}; pass an existing file with --config", e.what()));
  }
  return parse_config(text, path.string());
}

collector::SourceConfig source_config(const Config& config) {
  collector::SourceConfig source{.source = config.source,
                                 .synthetic = config.synthetic,
                                 .birdeye = config.birdeye,
                                 .geckoterminal = config.geckoterminal,
                                 .http = config.http};
  source.synthetic.interval_s = config.validation.interval_s;  // bars at the data set's spacing
  return source;
}

}  // namespace snipe
