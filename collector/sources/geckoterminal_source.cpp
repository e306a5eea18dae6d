#include "collector/sources/geckoterminal_source.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace snipe::collector {
namespace {

// The one place GeckoTerminal request paths are built.
std::string ohlcv_path(const GeckoTerminalOptions& options, const std::string& pool,
                       std::int64_t before) {
  return "/api/v2/networks/" + percent_encode(options.network) + "/pools/" + percent_encode(pool) +
         "/ohlcv/minute" +
         query_string({{"aggregate", "5"},
                       {"before_timestamp", std::to_string(before)},
                       {"limit", std::to_string(options.limit)}});
}

void validate(const GeckoTerminalOptions& o) {
  if (o.network.empty()) {
    throw ConfigError("geckoterminal: network is empty; set it (e.g. \"solana\")");
  }
  if (o.pools.empty()) {
    throw ConfigError("geckoterminal: pools is empty; list the pool addresses to collect");
  }
  if (o.limit < 1 || o.limit > 1000) {
    throw ConfigError(fmt::format("geckoterminal: limit {} is outside 1..1000", o.limit));
  }
}

std::int64_t oldest_timestamp(const CandleSeries& rows) {
  return std::min_element(
             rows.begin(), rows.end(),
             [](const Candle& a, const Candle& b) { return a.timestamp < b.timestamp; })
      ->timestamp;
}

}  // namespace

GeckoTerminalSource::GeckoTerminalSource(ApiClient& api, GeckoTerminalOptions options,
                                         std::int64_t now)
    : api_(api), options_(std::move(options)), open_bar_(floor_to_bar(now)) {
  validate(options_);
}

std::vector<std::string> GeckoTerminalSource::list_tokens() {
  std::set<std::string> seen;
  std::vector<std::string> pools;
  for (const auto& pool : options_.pools) {
    if (seen.insert(pool).second) pools.push_back(pool);
  }
  return pools;
}

CandleSeries GeckoTerminalSource::fetch_bars(const std::string& pool, std::int64_t after) {
  CandleSeries bars;
  std::int64_t before = open_bar_;
  while (true) {
    const CandleSeries page =
        parse_geckoterminal_ohlcv(api_.get_json(ohlcv_path(options_, pool, before), {}));
    bars.insert(bars.end(), page.begin(), page.end());
    if (page.size() < static_cast<std::size_t>(options_.limit)) break;  // empty or short
    const std::int64_t oldest = oldest_timestamp(page);
    if (oldest <= after || oldest >= before) break;  // reached `after`, or no progress
    before = oldest;
  }
  sort_unique_bars(bars);
  keep_bars_between(bars, after + 1, open_bar_ - kBarSeconds);
  return bars;
}

FetchedSeries GeckoTerminalSource::fetch(const std::string& pool, std::int64_t after) {
  FetchedSeries fetched;
  try {
    fetched.candles = fetch_bars(pool, after);
  } catch (const SourceError& error) {
    throw SourceError(error.reason(), fmt::format("geckoterminal pool {}: {}", pool, error.what()));
  }
  return fetched;
}

std::string GeckoTerminalSource::snapshot() const {
  return nlohmann::json{{"open_bar", open_bar_}}.dump();
}

void GeckoTerminalSource::restore(const std::string& snapshot) {
  open_bar_ = nlohmann::json::parse(snapshot).at("open_bar").get<std::int64_t>();
}

}  // namespace snipe::collector
