// describe_config: the resolved settings as TOML that parses back to the same Config.

#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "shared/config/config.h"

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

void describe_endpoint(TomlWriter& w, const collector::EndpointOptions& e, bool keyed) {
  w.key("base_url", e.base_url);
  if (keyed) {
    w.key("keys_env", e.keys_env);
    w.key("key_file", e.key_file);
  }
  w.key("requests_per_second", e.requests_per_second);
  w.key("requests_per_minute", e.requests_per_minute);
}

}  // namespace

std::string describe_config(const Config& c) {
  TomlWriter w;
  const auto level = spdlog::level::to_string_view(c.run.log.level);
  w.section("run");
  w.key("log_level", std::string_view(level.data(), level.size()));
  w.key("log_format", log_format_name(c.run.log.format));
  w.section("source");
  w.key("kind", source_kind_name(c.source.kind));
  w.key("csv_dir", c.source.csv_dir.string());
  w.section("synthetic");
  w.key("seed", c.synthetic.seed);
  w.key("tokens", c.synthetic.tokens);
  w.key("min_candles", c.synthetic.min_candles);
  w.key("max_candles", c.synthetic.max_candles);
  w.key("start_timestamp", c.synthetic.start_timestamp);
  w.key("end_timestamp", c.synthetic.end_timestamp);
  w.section("birdeye");
  describe_endpoint(w, c.birdeye.endpoint, /*keyed=*/true);
  const auto& b = c.birdeye.source;
  w.key("chain", b.chain);
  w.key("tokens", b.tokens);
  w.key("discover_limit", b.discover_limit);
  w.key("discover_meme_platforms", b.discover_meme_platforms);
  w.key("time_from", b.time_from);
  w.key("time_to", b.time_to);
  w.key("fetch_context", b.fetch_context);
  w.key("overview_liquidity", b.overview_liquidity);
  w.section("geckoterminal");
  describe_endpoint(w, c.geckoterminal.endpoint, /*keyed=*/false);
  w.key("network", c.geckoterminal.source.network);
  w.key("pools", c.geckoterminal.source.pools);
  w.key("limit", c.geckoterminal.source.limit);
  w.section("http");
  w.key("timeout_ms", c.http.timeout_ms);
  w.key("max_attempts", c.http.max_attempts);
  w.key("backoff_base_ms", c.http.backoff_base_ms);
  w.key("backoff_cap_ms", c.http.backoff_cap_ms);
  w.key("malformed_retries", c.http.malformed_retries);
  w.section("validation");
  w.key("interval_s", c.validation.interval_s);
  w.key("min_candles", c.validation.min_candles);
  w.key("max_gap_intervals", c.validation.max_gap_intervals);
  w.key("spike_ratio", c.validation.spike_ratio);
  w.key("zero_volume_run", c.validation.zero_volume_run);
  w.key("stale_run", c.validation.stale_run);
  w.section("labels");
  w.key("horizon", c.labels.horizon);
  w.key("take_profit", c.labels.take_profit);
  w.key("stop_loss", c.labels.stop_loss);
  w.key("rug_drop", c.labels.rug_drop);
  w.section("output");
  w.key("dir", c.output.dir.string());
  return std::move(w).str();
}

}  // namespace snipe
