#include "shared/config/config.h"

#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "shared/config/section_reader.h"
#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"

namespace snipe {
namespace {

using config_detail::SectionReader;

void read_run(SectionReader section, RunOptions& run) {
  section.read_enum("log_level", run.log.level, parse_log_level);
  section.read_enum("log_format", run.log.format, parse_log_format);
  section.finish();
}

void read_source(SectionReader section, SourceOptions& source) {
  section.read_enum("kind", source.kind, parse_source_kind);
  section.read("csv_dir", source.csv_dir);
  section.finish();
}

void read_synthetic(SectionReader section, collector::simulator::SimulatorOptions& s) {
  section.read("seed", s.seed);
  section.read("tokens", s.tokens);
  section.read("min_candles", s.min_candles);
  section.read("max_candles", s.max_candles);
  section.read("start_timestamp", s.start_timestamp);
  section.read("end_timestamp", s.end_timestamp);
  section.finish();
}

void read_endpoint(SectionReader& section, collector::EndpointOptions& e, bool keyed) {
  section.read("base_url", e.base_url);
  if (keyed) {
    section.read("keys_env", e.keys_env);
    section.read("key_file", e.key_file);
  }
  section.read("requests_per_second", e.requests_per_second);
  section.read("requests_per_minute", e.requests_per_minute);
}

void read_birdeye(SectionReader section, BirdeyeConfig& b) {
  read_endpoint(section, b.endpoint, /*keyed=*/true);
  section.read("chain", b.source.chain);
  section.read("tokens", b.source.tokens);
  section.read("discover_limit", b.source.discover_limit);
  section.read("discover_meme_platforms", b.source.discover_meme_platforms);
  section.read("time_from", b.source.time_from);
  section.read("time_to", b.source.time_to);
  section.read("fetch_context", b.source.fetch_context);
  section.read("overview_liquidity", b.source.overview_liquidity);
  section.finish();
}

void read_geckoterminal(SectionReader section, GeckoTerminalConfig& g) {
  read_endpoint(section, g.endpoint, /*keyed=*/false);
  section.read("network", g.source.network);
  section.read("pools", g.source.pools);
  section.read("limit", g.source.limit);
  section.finish();
}

void read_http(SectionReader section, collector::RetryOptions& http) {
  section.read("timeout_ms", http.timeout_ms);
  section.read("max_attempts", http.max_attempts);
  section.read("backoff_base_ms", http.backoff_base_ms);
  section.read("backoff_cap_ms", http.backoff_cap_ms);
  section.read("malformed_retries", http.malformed_retries);
  section.finish();
}

void read_validation(SectionReader section, ValidationOptions& v) {
  section.read("interval_s", v.interval_s);
  section.read("min_candles", v.min_candles);
  section.read("max_gap_intervals", v.max_gap_intervals);
  section.read("spike_ratio", v.spike_ratio);
  section.read("zero_volume_run", v.zero_volume_run);
  section.read("stale_run", v.stale_run);
  section.finish();
}

void read_labels(SectionReader section, LabelOptions& labels) {
  section.read("horizon", labels.horizon);
  section.read("take_profit", labels.take_profit);
  section.read("stop_loss", labels.stop_loss);
  section.read("rug_drop", labels.rug_drop);
  section.finish();
}

void read_output(SectionReader section, OutputOptions& output) {
  section.read("dir", output.dir);
  section.finish();
}

const std::set<std::string, std::less<>> kSections = {
    "run", "source", "synthetic", "birdeye", "geckoterminal", "http", "validation", "labels", "output"};

void reject_unknown_sections(const toml::table& root, std::string_view origin) {
  for (const auto& [key, node] : root) {
    if (kSections.count(key.str()) == 0) {
      throw ConfigError(fmt::format("{}:{}: unknown section '{}'; known sections: {}", origin,
                                    node.source().begin.line, key.str(),
                                    fmt::join(kSections, ", ")));
    }
  }
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
  const auto section = [&](const char* name) { return SectionReader(root, name, origin); };
  read_run(section("run"), config.run);
  read_source(section("source"), config.source);
  read_synthetic(section("synthetic"), config.synthetic);
  read_birdeye(section("birdeye"), config.birdeye);
  read_geckoterminal(section("geckoterminal"), config.geckoterminal);
  read_http(section("http"), config.http);
  read_validation(section("validation"), config.validation);
  read_labels(section("labels"), config.labels);
  read_output(section("output"), config.output);
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

SourceKind parse_source_kind(std::string_view name) {
  for (const SourceKind kind : {SourceKind::kSynthetic, SourceKind::kBirdeye,
                                SourceKind::kGeckoTerminal, SourceKind::kCsv}) {
    if (name == source_kind_name(kind)) return kind;
  }
  throw ConfigError(fmt::format("= '{}' is not a known source; use synthetic, birdeye, "
                                "geckoterminal or csv",
                                name));
}

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kSynthetic:
      return "synthetic";
    case SourceKind::kBirdeye:
      return "birdeye";
    case SourceKind::kGeckoTerminal:
      return "geckoterminal";
    case SourceKind::kCsv:
      return "csv";
  }
  return "unknown";
}

}  // namespace snipe
