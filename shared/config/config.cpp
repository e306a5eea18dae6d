#include "shared/config/config.h"

#include <cmath>
#include <limits>
#include <set>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/features/model_features.h"

namespace snipe {
namespace {

// Reads one [section] into typed fields and remembers which keys it consumed, so that
// finish() can reject the rest as unknown.
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
      const auto value = node->value<std::int64_t>();
      if (!node->is_integer() || !value) throw type_error(key, "an integer");
      out = *value;
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

SourceKind parse_source_kind(std::string_view name) {
  if (name == "csv") return SourceKind::kCsv;
  throw ConfigError(fmt::format("= '{}' is not a known source; use csv", name));
}

void read_run(const toml::table& root, std::string_view origin, RunOptions& run) {
  SectionReader section(root, "run", origin);
  section.read_enum("log_level", run.log.level, parse_log_level);
  section.read_enum("log_format", run.log.format, parse_log_format);
  section.finish();
}

void read_source(const toml::table& root, std::string_view origin, SourceOptions& source) {
  SectionReader section(root, "source", origin);
  section.read_enum("kind", source.kind, parse_source_kind);
  section.read("csv_dir", source.csv_dir);
  section.finish();
}

void read_validation(const toml::table& root, std::string_view origin, ValidationOptions& v) {
  SectionReader section(root, "validation", origin);
  section.read("interval_s", v.interval_s);
  section.read("min_candles", v.min_candles);
  section.read("max_gap_intervals", v.max_gap_intervals);
  section.read("spike_ratio", v.spike_ratio);
  section.read("zero_volume_run", v.zero_volume_run);
  section.read("stale_run", v.stale_run);
  section.finish();
}

void read_labels(const toml::table& root, std::string_view origin, LabelOptions& labels) {
  SectionReader section(root, "labels", origin);
  section.read("horizon", labels.horizon);
  section.read("take_profit", labels.take_profit);
  section.read("stop_loss", labels.stop_loss);
  section.read("rug_drop", labels.rug_drop);
  section.finish();
}

void read_output(const toml::table& root, std::string_view origin, OutputOptions& output) {
  SectionReader section(root, "output", origin);
  section.read("dir", output.dir);
  section.finish();
}

void reject_unknown_sections(const toml::table& root, std::string_view origin) {
  static const std::set<std::string, std::less<>> kSections = {"run", "source", "validation",
                                                               "labels", "output"};
  for (const auto& [key, node] : root) {
    if (kSections.count(key.str()) == 0) {
      throw ConfigError(fmt::format("{}:{}: unknown section '{}'; known sections: {}", origin,
                                    node.source().begin.line, key.str(),
                                    fmt::join(kSections, ", ")));
    }
  }
}

// Throws "origin: field = value must be <rule>" unless `ok`.
template <class T>
void require(bool ok, std::string_view origin, std::string_view field, const T& value,
             std::string_view rule) {
  if (!ok) throw ConfigError(fmt::format("{}: {} = {} must be {}", origin, field, value, rule));
}

}  // namespace

Config parse_config(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  reject_unknown_sections(root, origin);
  Config config;
  read_run(root, origin, config.run);
  read_source(root, origin, config.source);
  read_validation(root, origin, config.validation);
  read_labels(root, origin, config.labels);
  read_output(root, origin, config.output);
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

void validate_config(const Config& c, std::string_view origin) {
  const ValidationOptions& v = c.validation;
  require(v.interval_s > 0, origin, "validation.interval_s", v.interval_s, "> 0 (seconds)");
  require(v.min_candles >= 1, origin, "validation.min_candles", v.min_candles, ">= 1");
  require(v.max_gap_intervals >= 1.0, origin, "validation.max_gap_intervals",
          v.max_gap_intervals, ">= 1 (a gap is a step wider than this many intervals)");
  require(v.spike_ratio > 0.0, origin, "validation.spike_ratio", v.spike_ratio,
          "> 0 (10 flags a close more than +1000% over the previous one)");
  require(v.zero_volume_run >= 1, origin, "validation.zero_volume_run", v.zero_volume_run, ">= 1");
  require(v.stale_run >= 2, origin, "validation.stale_run", v.stale_run, ">= 2");
  const LabelOptions& l = c.labels;
  require(l.horizon >= 1, origin, "labels.horizon", l.horizon, ">= 1 (candles)");
  require(l.take_profit > 0.0, origin, "labels.take_profit", l.take_profit,
          "> 0 (a fraction above the entry)");
  require(l.stop_loss > 0.0 && l.stop_loss < 1.0, origin, "labels.stop_loss", l.stop_loss,
          "in (0, 1) (a fraction below the entry)");
  require(l.rug_drop > 0.0 && l.rug_drop < 1.0, origin, "labels.rug_drop", l.rug_drop,
          "in (0, 1) (0.8 = a fall of 80%)");
  require(l.rug_drop >= l.stop_loss, origin, "labels.rug_drop", l.rug_drop,
          fmt::format(">= labels.stop_loss ({}): a rug is at least as deep as a stop-loss",
                      l.stop_loss));
  require(!c.output.dir.empty(), origin, "output.dir", "\"\"", "a directory path");
  const std::size_t shortest_useful = kModelFeatureWarmup + l.horizon + 1;
  require(v.min_candles >= shortest_useful, origin, "validation.min_candles", v.min_candles,
          fmt::format(">= {} (feature warm-up {} + labels.horizon {} + 1), or an accepted "
                      "series could yield no example",
                      shortest_useful, kModelFeatureWarmup, l.horizon));
}

std::string describe_config(const Config& c) {
  // fmt's "{}" prints the shortest text that reads back as the same double, so the
  // description parses back to exactly these settings. Strings are JSON-escaped, which
  // TOML basic strings accept.
  const auto quoted = [](std::string_view text) { return nlohmann::json(text).dump(); };
  const auto level = spdlog::level::to_string_view(c.run.log.level);
  const ValidationOptions& v = c.validation;
  const LabelOptions& l = c.labels;
  return fmt::format(
      "[run]\nlog_level = {}\nlog_format = {}\n\n"
      "[source]\nkind = {}\ncsv_dir = {}\n\n"
      "[validation]\ninterval_s = {}\nmin_candles = {}\nmax_gap_intervals = {}\n"
      "spike_ratio = {}\nzero_volume_run = {}\nstale_run = {}\n\n"
      "[labels]\nhorizon = {}\ntake_profit = {}\nstop_loss = {}\nrug_drop = {}\n\n"
      "[output]\ndir = {}\n",
      quoted(std::string_view(level.data(), level.size())),
      quoted(log_format_name(c.run.log.format)), quoted(source_kind_name(c.source.kind)),
      quoted(c.source.csv_dir.string()), v.interval_s, v.min_candles, v.max_gap_intervals,
      v.spike_ratio, v.zero_volume_run, v.stale_run, l.horizon, l.take_profit, l.stop_loss,
      l.rug_drop, quoted(c.output.dir.string()));
}

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kCsv:
      return "csv";
  }
  return "unknown";
}

}  // namespace snipe
