#include "collector/sources/birdeye_source.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace snipe::collector {
namespace {

constexpr std::int64_t kWindowBars = 1000;  // /defi/ohlcv answers at most 1000 bars
constexpr std::int64_t kWindowSeconds = kWindowBars * kBarSeconds;
constexpr std::size_t kListingPageSize = 10;  // /defi/v2/tokens/new_listing takes limit 1..10

// The one place Birdeye request paths are built: endpoint plus encoded query.
std::string birdeye_path(std::string_view endpoint, const QueryParams& params) {
  return std::string(endpoint) + query_string(params);
}

void validate(const BirdeyeOptions& o) {
  if (o.chain.empty()) throw ConfigError("birdeye: chain is empty; set it (e.g. \"solana\")");
  if (o.tokens.empty() && o.discover_limit == 0) {
    throw ConfigError(
        "birdeye: no tokens listed and discover_limit is 0; list tokens or "
        "set discover_limit > 0");
  }
  if (o.time_from < 0 || o.time_to < 0) {
    throw ConfigError("birdeye: time_from and time_to are Unix seconds and must be >= 0");
  }
  if (o.time_to > 0 && o.time_from > o.time_to) {
    throw ConfigError(
        fmt::format("birdeye: time_from {} is after time_to {}", o.time_from, o.time_to));
  }
}

// Open time of the last bar to fetch: complete at `now` and not after `time_to`.
std::int64_t last_bar_open(std::int64_t time_to, std::int64_t now) {
  const std::int64_t last_complete = floor_to_bar(now) - kBarSeconds;
  return time_to > 0 ? std::min(floor_to_bar(time_to), last_complete) : last_complete;
}

std::vector<std::string> unique_in_order(const std::vector<std::string>& tokens) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& token : tokens) {
    if (seen.insert(token).second) out.push_back(token);
  }
  return out;
}

// The `limit` newest of `found` (ties: smaller address first), oldest first; their
// listing times go to `listed_at`.
std::vector<std::string> newest_oldest_first(const std::map<std::string, std::int64_t>& found,
                                             std::size_t limit,
                                             std::map<std::string, std::int64_t>& listed_at) {
  std::vector<std::pair<std::int64_t, std::string>> order;  // (listed_at, address)
  for (const auto& [address, time] : found) order.emplace_back(time, address);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (order.size() > limit) order.resize(limit);
  std::sort(order.begin(), order.end());
  std::vector<std::string> tokens;
  for (auto& [time, address] : order) {
    listed_at[address] = time;
    tokens.push_back(std::move(address));
  }
  return tokens;
}

void apply_security(const TokenSecurity& security, const CandleSeries& bars,
                    TokenContext& context) {
  context[ContextField::kTop10HolderShare] = security.top10_holder_share;
  if (security.mint_authority_revoked) {
    context[ContextField::kMintAuthorityRevoked] = *security.mint_authority_revoked ? 1.0 : 0.0;
  }
  // Age at the first collected bar. The bar holding the creation opens up to one bar
  // earlier (age 0); a first bar further before creation is inconsistent: left missing.
  if (security.created_at && !bars.empty()) {
    const std::int64_t age_s = bars.front().timestamp - *security.created_at;
    if (age_s > -kBarSeconds) {
      context[ContextField::kAgeHours] =
          static_cast<double>(std::max<std::int64_t>(age_s, 0)) / 3600.0;
    }
  }
}

void warn_context_failure(std::string_view endpoint, const std::string& token,
                          const SourceError& error) {
  spdlog::warn("birdeye: {} for token {} failed [{}]: {}; its context fields stay missing",
               endpoint, token, error.reason(), error.what());
}

}  // namespace

BirdeyeSource::BirdeyeSource(ApiClient& api, BirdeyeOptions options, std::int64_t now)
    : api_(api), options_(std::move(options)) {
  validate(options_);
  end_ = last_bar_open(options_.time_to, now);
}

std::vector<std::string> BirdeyeSource::list_tokens() {
  if (!listed_) listed_ = options_.tokens.empty() ? discover() : unique_in_order(options_.tokens);
  return *listed_;
}

// Pages new_listing backwards from the cut-off (the end of the last bar) with time_to =
// the oldest listing seen so far (inclusive, so ties at a page boundary are not lost;
// repeats are dropped), until discover_limit tokens, a short page or a page with no new
// token (more than a page of listings in one second ends discovery there). The newest
// discover_limit tokens are kept, whatever order the answers list them in.
std::vector<std::string> BirdeyeSource::discover() {
  std::map<std::string, std::int64_t> found;  // [address] -> liquidityAddedAt
  std::int64_t cursor = end_ + kBarSeconds - 1;
  while (found.size() < options_.discover_limit) {
    QueryParams params = {{"time_to", std::to_string(cursor)},
                          {"limit", std::to_string(kListingPageSize)}};
    if (options_.discover_meme_platforms) params.emplace_back("meme_platform_enabled", "true");
    const auto page =
        parse_birdeye_new_listing(get(birdeye_path("/defi/v2/tokens/new_listing", params)));
    std::size_t added = 0;
    for (const auto& listing : page) {
      if (found.emplace(listing.address, listing.listed_at).second) ++added;
      cursor = std::min(cursor, listing.listed_at);
    }
    if (page.size() < kListingPageSize || added == 0) break;
  }
  return newest_oldest_first(found, options_.discover_limit, listed_at_);
}

// Earliest bar open time wanted (before rounding up to a bar).
std::int64_t BirdeyeSource::first_bar_time(const std::string& token, std::int64_t after) {
  if (options_.time_from > 0) return std::max(after + 1, options_.time_from);
  if (after > 0) return after + 1;
  if (const auto it = listed_at_.find(token); it != listed_at_.end()) {
    return floor_to_bar(it->second);
  }
  const auto created = parse_birdeye_creation_time(
      get(birdeye_path("/defi/token_creation_info", {{"address", token}})));
  if (!created) {
    throw SourceError("no_start_time",
                      fmt::format("birdeye: token {} has no listing or creation time (not "
                                  "discovered, token_creation_info has no blockUnixTime); "
                                  "set time_from",
                                  token));
  }
  return floor_to_bar(*created);
}

CandleSeries BirdeyeSource::fetch_bars(const std::string& token, std::int64_t after) {
  const std::int64_t first = first_bar_time(token, after);
  CandleSeries bars;
  for (std::int64_t from = ceil_to_bar(first); from <= end_; from += kWindowSeconds) {
    // The window ends just before the next bar after `end_`, whether Birdeye treats
    // time_to as inclusive or not; bars past `end_` are dropped below.
    const std::int64_t to = std::min(from + kWindowSeconds, end_ + kBarSeconds) - 1;
    const QueryParams params = {{"address", token},
                                {"type", "5m"},
                                {"time_from", std::to_string(from)},
                                {"time_to", std::to_string(to)}};
    const CandleSeries page = parse_birdeye_ohlcv(get(birdeye_path("/defi/ohlcv", params)));
    if (page.empty()) break;
    bars.insert(bars.end(), page.begin(), page.end());
  }
  sort_unique_bars(bars);
  keep_bars_between(bars, first, end_);
  return bars;
}

TokenContext BirdeyeSource::fetch_context(const std::string& token, const CandleSeries& bars) {
  TokenContext context;
  try {
    const TokenSecurity security = parse_birdeye_token_security(
        get(birdeye_path("/defi/token_security", {{"address", token}})));
    apply_security(security, bars, context);
  } catch (const SourceError& error) {
    warn_context_failure("token_security", token, error);
  }
  if (!options_.overview_liquidity) return context;
  try {
    const TokenOverview overview = parse_birdeye_token_overview(
        get(birdeye_path("/defi/token_overview", {{"address", token}})));
    context[ContextField::kInitialLiquidityUsd] = overview.liquidity_usd;
  } catch (const SourceError& error) {
    warn_context_failure("token_overview", token, error);
  }
  return context;
}

FetchedSeries BirdeyeSource::fetch(const std::string& token, std::int64_t after) {
  FetchedSeries fetched;
  try {
    fetched.candles = fetch_bars(token, after);
  } catch (const SourceError& error) {
    throw SourceError(error.reason(), fmt::format("birdeye token {}: {}", token, error.what()));
  }
  if (options_.fetch_context) fetched.context = fetch_context(token, fetched.candles);
  return fetched;
}

nlohmann::json BirdeyeSource::get(const std::string& path_and_query) {
  return api_.get_json(path_and_query, Headers{{"x-chain", options_.chain}});
}

std::string BirdeyeSource::snapshot() const {
  nlohmann::json state = {{"end", end_}, {"listed", nullptr}, {"listed_at", listed_at_}};
  if (listed_) state["listed"] = *listed_;
  return state.dump();
}

void BirdeyeSource::restore(const std::string& snapshot) {
  const nlohmann::json state = nlohmann::json::parse(snapshot);
  end_ = state.at("end").get<std::int64_t>();
  listed_at_ = state.at("listed_at").get<std::map<std::string, std::int64_t>>();
  if (state.at("listed").is_null()) {
    listed_.reset();
  } else {
    listed_ = state.at("listed").get<std::vector<std::string>>();
  }
}

}  // namespace snipe::collector
