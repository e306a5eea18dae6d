#include "collector/source_options.h"

#include <fmt/format.h>

#include "shared/core/option_rule.h"

namespace snipe::collector {
namespace {

void validate_endpoint(const EndpointOptions& e, std::string_view section, std::string_view origin) {
  const auto field = [&](std::string_view key) { return fmt::format("{}.{}", section, key); };
  const std::string url = fmt::format("\"{}\"", e.base_url);
  require_option(e.base_url.starts_with("http://") || e.base_url.starts_with("https://"), origin,
                 field("base_url"), url, "an http:// or https:// URL");
  require_option(!e.base_url.ends_with('/'), origin, field("base_url"), url, "without a trailing slash");
  require_option(e.requests_per_second > 0, origin, field("requests_per_second"), e.requests_per_second,
                 "> 0 (per account)");
  require_option(e.requests_per_minute > 0, origin, field("requests_per_minute"), e.requests_per_minute,
                 "> 0 (per account)");
}

void validate_retry(const RetryOptions& h, std::string_view origin) {
  require_option(h.timeout_ms > 0, origin, "http.timeout_ms", h.timeout_ms, "> 0");
  require_option(h.max_attempts >= 1, origin, "http.max_attempts", h.max_attempts, ">= 1");
  require_option(h.backoff_base_ms >= 0, origin, "http.backoff_base_ms", h.backoff_base_ms, ">= 0");
  require_option(h.backoff_cap_ms >= h.backoff_base_ms, origin, "http.backoff_cap_ms", h.backoff_cap_ms,
                 ">= http.backoff_base_ms");
  require_option(h.malformed_retries >= 0, origin, "http.malformed_retries", h.malformed_retries, ">= 0");
}

void validate_providers(const SourceConfig& c, std::string_view origin) {
  validate_endpoint(c.birdeye.endpoint, "birdeye", origin);
  validate_endpoint(c.geckoterminal.endpoint, "geckoterminal", origin);
  const BirdeyeOptions& b = c.birdeye.source;
  require_option(!b.tokens.empty() || b.discover_limit >= 1, origin, "birdeye.discover_limit", b.discover_limit,
                 ">= 1 when birdeye.tokens is empty");
  require_option(b.time_to == 0 || b.time_to >= b.time_from, origin, "birdeye.time_to", b.time_to,
                 "0 (now) or >= birdeye.time_from");
  const int limit = c.geckoterminal.source.limit;
  require_option(limit >= 1 && limit <= 1000, origin, "geckoterminal.limit", limit, "in 1..1000");
  validate_retry(c.http, origin);
}

void validate_selected_source(const SourceConfig& c, std::string_view origin) {
  if (c.source.kind == SourceKind::kCsv) {
    require_option(!c.source.csv_dir.empty(), origin, "source.csv_dir", "\"\"",
                   "a directory of <token>.csv files when source.kind = \"csv\" (or pass --csv-dir)");
  }
  if (c.source.kind == SourceKind::kGeckoTerminal) {
    require_option(!c.geckoterminal.source.pools.empty(), origin, "geckoterminal.pools", "[]",
                   "a list of pool addresses when source.kind = \"geckoterminal\"");
  }
}

}  // namespace

void validate_options(const SourceConfig& c, std::string_view origin) {
  validate_selected_source(c, origin);
  simulator::validate_options(c.synthetic, origin);
  validate_providers(c, origin);
}

SourceKind parse_source_kind(std::string_view name) {
  for (const SourceKind kind :
       {SourceKind::kSynthetic, SourceKind::kBirdeye, SourceKind::kGeckoTerminal, SourceKind::kCsv}) {
    if (name == source_kind_name(kind)) return kind;
  }
  throw ConfigError(fmt::format("= '{}' is not a known source; use synthetic, birdeye, geckoterminal or csv", name));
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

}  // namespace snipe::collector
