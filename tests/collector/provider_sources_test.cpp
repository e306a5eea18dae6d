// Birdeye and GeckoTerminal sources against a fake ApiClient: parsing of hand-written
// provider answers, paging, incremental fetches, headers, context mapping, errors and
// token-list determinism. No network.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "collector/sources/birdeye_source.h"
#include "collector/sources/geckoterminal_source.h"
#include "collector/sources/provider_json.h"
#include "tests/support/series.h"

namespace snipe::collector {
namespace {

using nlohmann::json;

// Records every request and answers with `respond(path_and_query)`, which may throw.
class FakeApiClient final : public ApiClient {
 public:
  struct Call {
    std::string path_and_query;
    Headers headers;
  };
  using Responder = std::function<json(const std::string& path_and_query)>;

  explicit FakeApiClient(Responder respond) : respond_(std::move(respond)) {}

  json get_json(const std::string& path_and_query, const Headers& headers) override {
    calls.push_back({path_and_query, headers});
    return respond_(path_and_query);
  }

  std::vector<Call> calls;

 private:
  Responder respond_;
};

std::string path_of(const std::string& path_and_query) {
  return path_and_query.substr(0, path_and_query.find('?'));
}

// The raw (still encoded) value of `key` in the query; "" when absent.
std::string query_value(const std::string& path_and_query, const std::string& key) {
  const auto q = path_and_query.find('?');
  if (q == std::string::npos) return "";
  std::size_t pos = q + 1;
  while (pos <= path_and_query.size()) {
    const auto amp = std::min(path_and_query.find('&', pos), path_and_query.size());
    const std::string pair = path_and_query.substr(pos, amp - pos);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string::npos ? "" : pair.substr(eq + 1);
    pos = amp + 1;
  }
  return "";
}

std::int64_t query_int(const std::string& path_and_query, const std::string& key) {
  return std::stoll(query_value(path_and_query, key));
}

// Dispatches on the path (before '?'); an unexpected path throws and fails the test.
FakeApiClient::Responder route(std::map<std::string, FakeApiClient::Responder> routes) {
  return [routes = std::move(routes)](const std::string& pq) -> json {
    const auto it = routes.find(path_of(pq));
    if (it == routes.end()) throw std::logic_error("unexpected request " + pq);
    return it->second(pq);
  };
}

FakeApiClient::Responder answer(json body) {
  return [body = std::move(body)](const std::string&) { return body; };
}

FakeApiClient::Responder fail_with(std::string reason) {
  return [reason = std::move(reason)](const std::string& pq) -> json {
    throw SourceError(reason, "GET " + pq + " failed");
  };
}

constexpr std::int64_t kT0 = 1'699'999'800;  // = 300 * 5'666'666, a bar open time

std::int64_t bar_time(std::size_t i) { return kT0 + 300 * static_cast<std::int64_t>(i); }

CandleSeries slice(const CandleSeries& bars, std::size_t begin, std::size_t end) {
  return CandleSeries(bars.begin() + static_cast<std::ptrdiff_t>(begin),
                      bars.begin() + static_cast<std::ptrdiff_t>(end));
}

// Birdeye sends token units and the parser returns v * close (USD), so volumes may differ
// from the fake's in the last bit; everything else must match exactly.
void expect_same_bars(const CandleSeries& actual, const CandleSeries& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].timestamp, expected[i].timestamp) << i;
    EXPECT_EQ(actual[i].open, expected[i].open) << i;
    EXPECT_EQ(actual[i].high, expected[i].high) << i;
    EXPECT_EQ(actual[i].low, expected[i].low) << i;
    EXPECT_EQ(actual[i].close, expected[i].close) << i;
    EXPECT_DOUBLE_EQ(actual[i].volume, expected[i].volume) << i;
  }
}

json birdeye_ohlcv_body(const CandleSeries& bars) {
  json items = json::array();
  for (const auto& c : bars) {
    items.push_back({{"o", c.open},
                     {"h", c.high},
                     {"l", c.low},
                     {"c", c.close},
                     {"v", c.volume / c.close},  // Birdeye reports token units
                     {"unixTime", c.timestamp},
                     {"address", "TOKEN"},
                     {"type", "5m"}});
  }
  return {{"success", true}, {"data", {{"items", items}}}};
}

// A /defi/ohlcv server over `bars`: answers the bars in [time_from, time_to], plus the bar
// just before time_from (pages overlap by one bar) so the source must deduplicate.
// With `ignore_time_to` it answers everything from time_from on (a sloppy server).
FakeApiClient::Responder birdeye_ohlcv_server(CandleSeries bars, bool ignore_time_to = false) {
  return [bars = std::move(bars), ignore_time_to](const std::string& pq) {
    const std::int64_t from = query_int(pq, "time_from");
    const std::int64_t to = ignore_time_to ? INT64_MAX : query_int(pq, "time_to");
    CandleSeries page;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const bool overlap = i + 1 < bars.size() && bars[i + 1].timestamp == from;
      if ((bars[i].timestamp >= from && bars[i].timestamp <= to) || overlap)
        page.push_back(bars[i]);
    }
    return birdeye_ohlcv_body(page);
  };
}

json gecko_body(const CandleSeries& newest_first) {
  json rows = json::array();
  for (const auto& c : newest_first) {
    rows.push_back({c.timestamp, c.open, c.high, c.low, c.close, c.volume});
  }
  return {
      {"data",
       {{"id", "req"}, {"type", "ohlcv_request_response"}, {"attributes", {{"ohlcv_list", rows}}}}},
      {"meta", {{"base", {{"symbol", "NEW"}}}, {"quote", {{"symbol", "SOL"}}}}}};
}

// A GeckoTerminal server over `bars`: rows with timestamp <= before_timestamp (inclusive,
// so consecutive pages overlap by one row), newest first, at most `limit`.
FakeApiClient::Responder gecko_server(CandleSeries bars) {
  return [bars = std::move(bars)](const std::string& pq) {
    const std::int64_t before = query_int(pq, "before_timestamp");
    const auto limit = static_cast<std::size_t>(query_int(pq, "limit"));
    CandleSeries page;
    for (auto it = bars.rbegin(); it != bars.rend() && page.size() < limit; ++it) {
      if (it->timestamp <= before) page.push_back(*it);
    }
    return gecko_body(page);
  };
}

void expect_strictly_ascending(const CandleSeries& bars) {
  for (std::size_t i = 1; i < bars.size(); ++i) {
    ASSERT_LT(bars[i - 1].timestamp, bars[i].timestamp) << "at row " << i;
  }
}

// Runs `f`, expects a SourceError with `reason` whose message contains every `parts`.
template <class F>
void expect_source_error(F&& f, const std::string& reason, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no SourceError thrown; expected " << reason;
  } catch (const SourceError& e) {
    EXPECT_EQ(e.reason(), reason) << e.what();
    for (const auto& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << e.what();
    }
  }
}

// ---------------------------------------------------------------- pure parsers

TEST(ProviderJsonTest, ParsesBirdeyeOhlcvSample) {
  const json body = json::parse(R"({
    "success": true,
    "data": {"items": [
      {"address": "7i8BvxErtapzc4Cf6vTC9uUri8pAFprXhNdiAMs1pump", "c": 0.0000149,
       "h": 0.0000150, "l": 0.0000120, "o": 0.0000123, "type": "5m",
       "unixTime": 1720061700, "v": 1523400.5},
      {"address": "7i8BvxErtapzc4Cf6vTC9uUri8pAFprXhNdiAMs1pump", "c": 0.0000140,
       "h": 0.0000161, "l": 0.0000139, "o": 0.0000149, "type": "5m",
       "unixTime": 1720062000, "v": 98000}
    ]}})");
  const CandleSeries bars = parse_birdeye_ohlcv(body);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].timestamp, 1720061700);
  EXPECT_DOUBLE_EQ(bars[0].open, 0.0000123);
  EXPECT_DOUBLE_EQ(bars[0].high, 0.0000150);
  EXPECT_DOUBLE_EQ(bars[0].low, 0.0000120);
  EXPECT_DOUBLE_EQ(bars[0].close, 0.0000149);
  EXPECT_DOUBLE_EQ(bars[0].volume, 1523400.5 * 0.0000149);  // token units x close = USD
  EXPECT_EQ(bars[1].timestamp, 1720062000);
  EXPECT_DOUBLE_EQ(bars[1].high, 0.0000161);
  EXPECT_DOUBLE_EQ(bars[1].volume, 98000.0 * 0.0000140);
}

TEST(ProviderJsonTest, ParsesEmptyBirdeyeOhlcv) {
  EXPECT_TRUE(parse_birdeye_ohlcv(json::parse(R"({"success":true,"data":{"items":[]}})")).empty());
}

TEST(ProviderJsonTest, ParsesGeckoTerminalSampleInResponseOrder) {
  const json body = json::parse(R"({
    "data": {"id": "bc786a99-7205-4c80-aaa1-b9634d97c926", "type": "ohlcv_request_response",
      "attributes": {"ohlcv_list": [
        [1712534700, 3454.61, 3660.85, 3417.91, 3660.85, 306823.28],
        [1712534400, 3362.6, 3455.28, 3352.95, 3454.61, 242144.86]
      ]}},
    "meta": {"base": {"address": "0xc02a", "name": "Wrapped Ether", "symbol": "WETH"},
             "quote": {"address": "0xa0b8", "name": "USD Coin", "symbol": "USDC"}}})");
  const CandleSeries bars = parse_geckoterminal_ohlcv(body);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].timestamp, 1712534700);  // newest first, as the API sends it
  EXPECT_DOUBLE_EQ(bars[0].open, 3454.61);
  EXPECT_DOUBLE_EQ(bars[0].high, 3660.85);
  EXPECT_DOUBLE_EQ(bars[0].low, 3417.91);
  EXPECT_DOUBLE_EQ(bars[0].close, 3660.85);
  EXPECT_DOUBLE_EQ(bars[0].volume, 306823.28);
  EXPECT_EQ(bars[1].timestamp, 1712534400);
  EXPECT_DOUBLE_EQ(bars[1].low, 3352.95);
}

TEST(ProviderJsonTest, ParsesNewListingWithUnixAndIsoTimes) {
  const json body = json::parse(R"({"success": true, "data": {"items": [
    {"address": "7i8BvxErtapzc4Cf6vTC9uUri8pAFprXhNdiAMs1pump", "symbol": "villy",
     "name": "villy ", "decimals": 6, "liquidityAddedAt": 1720061749, "liquidity": 772.24},
    {"address": "6Wbxo93YJ3EbdfV3r2VL6t2PGLh5dK3ZKkDaQEzEpump", "symbol": "cooper",
     "decimals": 6, "liquidityAddedAt": "2024-07-04T02:55:49", "liquidity": 3485.87},
    {"address": "BkQfwVktcbWmxePJN5weHWJZgReWbiz8gzTdFa2w7Uds",
     "liquidityAddedAt": "2024-07-04T02:55:49.250Z"}]}})");
  const auto listings = parse_birdeye_new_listing(body);
  ASSERT_EQ(listings.size(), 3u);
  EXPECT_EQ(listings[0].address, "7i8BvxErtapzc4Cf6vTC9uUri8pAFprXhNdiAMs1pump");
  EXPECT_EQ(listings[0].listed_at, 1720061749);
  EXPECT_EQ(listings[1].address, "6Wbxo93YJ3EbdfV3r2VL6t2PGLh5dK3ZKkDaQEzEpump");
  EXPECT_EQ(listings[1].listed_at, 1720061749);  // 2024-07-04 02:55:49 UTC
  EXPECT_EQ(listings[2].listed_at, 1720061749);
}

TEST(ProviderJsonTest, ParsesTokenSecurityOfARevokedToken) {
  // Birdeye's documented example (BONK): authorities null, no creator information.
  const json body = json::parse(R"({"data": {
    "creatorAddress": null, "ownerAddress": null, "creationTx": null, "creationTime": null,
    "mintTx": null, "metaplexUpdateAuthority": "9AhKqLR67hwapvG8SA2JFXaCshXc9nALJjpKaHZrsbkw",
    "mutableMetadata": true, "top10HolderBalance": 32621589429360.246,
    "top10HolderPercent": 0.3484451168096428, "totalSupply": 93620452276797.36,
    "preMarketHolder": [], "lockInfo": null, "freezeable": null, "freezeAuthority": null,
    "isToken2022": false}, "success": true, "statusCode": 200})");
  const TokenSecurity s = parse_birdeye_token_security(body);
  ASSERT_TRUE(s.top10_holder_share);
  EXPECT_DOUBLE_EQ(*s.top10_holder_share, 0.3484451168096428);
  EXPECT_EQ(s.mint_authority_revoked, std::optional<bool>(true));
  EXPECT_EQ(s.freeze_authority_revoked, std::optional<bool>(true));
  EXPECT_FALSE(s.creator_address);
  EXPECT_FALSE(s.created_at);
}

TEST(ProviderJsonTest, ParsesTokenSecurityOfAMintableToken) {
  const json body = json::parse(R"({"success": true, "data": {
    "creatorAddress": "CrEaToR1111111111111111111111111111111111111",
    "ownerAddress": "OwNeR11111111111111111111111111111111111111",
    "creationTime": 1720061000, "top10HolderPercent": 0.62,
    "freezeAuthority": "FrEeZe1111111111111111111111111111111111111"}})");
  const TokenSecurity s = parse_birdeye_token_security(body);
  EXPECT_EQ(s.top10_holder_share, std::optional<double>(0.62));
  EXPECT_EQ(s.mint_authority_revoked, std::optional<bool>(false));
  EXPECT_EQ(s.freeze_authority_revoked, std::optional<bool>(false));
  EXPECT_EQ(s.creator_address,
            std::optional<std::string>("CrEaToR1111111111111111111111111111111111111"));
  EXPECT_EQ(s.created_at, std::optional<std::int64_t>(1720061000));
}

TEST(ProviderJsonTest, TokenSecurityFieldsAbsentStayMissing) {
  const TokenSecurity s =
      parse_birdeye_token_security(json::parse(R"({"success":true,"data":{}})"));
  EXPECT_FALSE(s.top10_holder_share);
  EXPECT_FALSE(s.mint_authority_revoked);  // absent is unknown, not "revoked"
  EXPECT_FALSE(s.freeze_authority_revoked);
  EXPECT_FALSE(s.creator_address);
  EXPECT_FALSE(s.created_at);
}

TEST(ProviderJsonTest, ParsesTokenOverviewLiquidity) {
  const json body = json::parse(R"({"success": true, "data": {
    "address": "So11111111111111111111111111111111111111112", "decimals": 9, "symbol": "SOL",
    "extensions": {"coingeckoId": "solana", "telegram": null},
    "liquidity": 286160837.0927743, "price": 100.73038300653013}})");
  EXPECT_EQ(parse_birdeye_token_overview(body).liquidity_usd,
            std::optional<double>(286160837.0927743));
  EXPECT_FALSE(
      parse_birdeye_token_overview(json::parse(R"({"success":true,"data":{"liquidity":null}})"))
          .liquidity_usd);
  EXPECT_FALSE(parse_birdeye_token_overview(json::parse(R"({"success":true,"data":{"price":1}})"))
                   .liquidity_usd);
}

TEST(ProviderJsonTest, ParsesTokenCreationTime) {
  const json body = json::parse(R"({"success": true, "data": {
    "txHash": "48HrbnXRSJKLu5Xh9WyR4FEfsvyKSXzNm1jmg4xXkX2F", "slot": 275489904,
    "tokenAddress": "9a9RqHn6YjmhX4Z9cEZ7qLjtfhy4JtC4SVCoaap49A1R", "decimals": 6,
    "owner": "Gy3FSu2aeTpVz8XHzTS8be6EhUQcZmh8bS5F6HdQ8GiU", "blockUnixTime": 1720032070,
    "blockHumanTime": "2024-07-03T18:41:10.000Z"}})");
  EXPECT_EQ(parse_birdeye_creation_time(body), std::optional<std::int64_t>(1720032070));
  EXPECT_FALSE(parse_birdeye_creation_time(json::parse(R"({"success":true,"data":{"slot":1}})")));
}

struct MalformedCase {
  std::string name;
  std::function<void(const json&)> parse;
  std::string body;
  std::vector<std::string> message_parts;  // endpoint and field named in the message
};

TEST(ProviderJsonTest, MalformedAnswersThrowMalformedResponse) {
  const auto ohlcv = [](const json& b) { parse_birdeye_ohlcv(b); };
  const auto gecko = [](const json& b) { parse_geckoterminal_ohlcv(b); };
  const auto listing = [](const json& b) { parse_birdeye_new_listing(b); };
  const auto security = [](const json& b) { parse_birdeye_token_security(b); };
  const auto overview = [](const json& b) { parse_birdeye_token_overview(b); };
  const auto creation = [](const json& b) { parse_birdeye_creation_time(b); };
  const std::vector<MalformedCase> cases = {
      {"success false",
       ohlcv,
       R"({"success":false,"message":"Unauthorized"})",
       {"/defi/ohlcv", "success", "Unauthorized"}},
      {"success not bool",
       ohlcv,
       R"({"success":"true","data":{"items":[]}})",
       {"/defi/ohlcv", "success"}},
      {"body is array", ohlcv, R"([1,2])", {"/defi/ohlcv", "(body)"}},
      {"body is null", ohlcv, R"(null)", {"/defi/ohlcv", "(body)"}},
      {"no data", ohlcv, R"({"success":true})", {"/defi/ohlcv", "data", "missing"}},
      {"items null", ohlcv, R"({"success":true,"data":{"items":null}})", {"data.items", "array"}},
      {"item not object", ohlcv, R"({"success":true,"data":{"items":[3]}})", {"data.items[0]"}},
      {"close missing",
       ohlcv,
       R"({"success":true,"data":{"items":[{"o":1,"h":1,"l":1,"v":1,"unixTime":1720061700}]}})",
       {"/defi/ohlcv", "data.items[0].c", "missing"}},
      {"time as string",
       ohlcv,
       R"({"success":true,"data":{"items":[{"o":1,"h":1,"l":1,"c":1,"v":1,"unixTime":"1720061700"}]}})",
       {"data.items[0].unixTime", "string"}},
      {"fractional time",
       ohlcv,
       R"({"success":true,"data":{"items":[{"o":1,"h":1,"l":1,"c":1,"v":1,"unixTime":1720061700.5}]}})",
       {"data.items[0].unixTime"}},
      {"price null",
       ohlcv,
       R"({"success":true,"data":{"items":[{"o":null,"h":1,"l":1,"c":1,"v":1,"unixTime":1}]}})",
       {"data.items[0].o", "null"}},
      {"gecko no attributes",
       gecko,
       R"({"data":{"id":"x"}})",
       {"geckoterminal", "data.attributes"}},
      {"gecko list missing",
       gecko,
       R"({"data":{"attributes":{}}})",
       {"data.attributes.ohlcv_list"}},
      {"gecko short row",
       gecko,
       R"({"data":{"attributes":{"ohlcv_list":[[1712534700,1,2,0.5,1]]}}})",
       {"data.attributes.ohlcv_list[0]", "5 values"}},
      {"gecko string price",
       gecko,
       R"({"data":{"attributes":{"ohlcv_list":[[1712534700,1,2,0.5,1,9],[1712534400,1,"2",0.5,1,9]]}}})",
       {"data.attributes.ohlcv_list[1][2]", "string"}},
      {"gecko errors body",
       gecko,
       R"({"errors":[{"status":"404","title":"Not Found"}]})",
       {"geckoterminal", "data", "missing"}},
      {"listing address number",
       listing,
       R"({"success":true,"data":{"items":[{"address":5,"liquidityAddedAt":1}]}})",
       {"/defi/v2/tokens/new_listing", "data.items[0].address"}},
      {"listing bad time",
       listing,
       R"({"success":true,"data":{"items":[{"address":"A","liquidityAddedAt":"yesterday"}]}})",
       {"data.items[0].liquidityAddedAt", "ISO-8601"}},
      {"listing no time",
       listing,
       R"({"success":true,"data":{"items":[{"address":"A"}]}})",
       {"data.items[0].liquidityAddedAt", "missing"}},
      {"security share as string",
       security,
       R"({"success":true,"data":{"top10HolderPercent":"0.3"}})",
       {"/defi/token_security", "data.top10HolderPercent"}},
      {"security share as percent",
       security,
       R"({"success":true,"data":{"top10HolderPercent":34.8}})",
       {"data.top10HolderPercent", "0..1"}},
      {"security owner number",
       security,
       R"({"success":true,"data":{"ownerAddress":5}})",
       {"data.ownerAddress"}},
      {"security data null",
       security,
       R"({"success":true,"data":null})",
       {"/defi/token_security", "data"}},
      {"overview liquidity string",
       overview,
       R"({"success":true,"data":{"liquidity":"a lot"}})",
       {"/defi/token_overview", "data.liquidity"}},
      {"overview success false",
       overview,
       R"({"success":false})",
       {"/defi/token_overview", "success"}},
      {"creation time fraction",
       creation,
       R"({"success":true,"data":{"blockUnixTime":1.5}})",
       {"/defi/token_creation_info", "data.blockUnixTime"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const json body = json::parse(c.body);
    expect_source_error([&] { c.parse(body); }, "malformed_response", c.message_parts);
  }
}

TEST(ProviderJsonTest, PercentEncodesQueryValues) {
  EXPECT_EQ(percent_encode("So1 1/+&=\xC3\xA9~._-"), "So1%201%2F%2B%26%3D%C3%A9~._-");
  EXPECT_EQ(query_string({{"address", "a b"}, {"type", "5m"}}), "?address=a%20b&type=5m");
  EXPECT_EQ(query_string({}), "");
}

TEST(ProviderJsonTest, RoundsToBars) {
  EXPECT_EQ(floor_to_bar(1'699'999'999), 1'699'999'800);
  EXPECT_EQ(floor_to_bar(1'699'999'800), 1'699'999'800);
  EXPECT_EQ(ceil_to_bar(1'699'999'801), 1'700'000'100);
  EXPECT_EQ(ceil_to_bar(1'699'999'800), 1'699'999'800);
}

// ---------------------------------------------------------------- Birdeye source

BirdeyeOptions explicit_tokens(std::vector<std::string> tokens) {
  BirdeyeOptions options;
  options.tokens = std::move(tokens);
  options.time_from = kT0;
  options.fetch_context = false;
  return options;
}

TEST(ProviderBirdeyeTest, PagesTwentyFiveHundredBarsInThreeWindows) {
  const CandleSeries truth = testing::random_walk(2500, 7, 1e-5, kT0);
  FakeApiClient api(route({{"/defi/ohlcv", birdeye_ohlcv_server(truth)}}));
  // The last bar (open kT0 + 749700) is complete at kT0 + 750000.
  BirdeyeSource source(api, explicit_tokens({"TOKEN"}), kT0 + 750'017);

  const FetchedSeries fetched = source.fetch("TOKEN", 0);

  ASSERT_EQ(api.calls.size(), 3u);
  const std::vector<std::pair<std::int64_t, std::int64_t>> windows = {
      {kT0, kT0 + 299'999}, {kT0 + 300'000, kT0 + 599'999}, {kT0 + 600'000, kT0 + 749'999}};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string& pq = api.calls[i].path_and_query;
    EXPECT_EQ(path_of(pq), "/defi/ohlcv");
    EXPECT_EQ(query_value(pq, "address"), "TOKEN");
    EXPECT_EQ(query_value(pq, "type"), "5m");
    EXPECT_EQ(query_int(pq, "time_from"), windows[i].first) << "request " << i;
    EXPECT_EQ(query_int(pq, "time_to"), windows[i].second) << "request " << i;
  }
  ASSERT_EQ(fetched.candles.size(), 2500u);
  expect_strictly_ascending(fetched.candles);
  expect_same_bars(fetched.candles, truth);
  EXPECT_EQ(fetched.context, TokenContext{});
  EXPECT_FALSE(fetched.truth);
  EXPECT_FALSE(fetched.liquidity_removed);
}

TEST(ProviderBirdeyeTest, AfterReturnsOnlyNewerBars) {
  const CandleSeries truth = testing::random_walk(2500, 8, 1e-5, kT0);
  FakeApiClient api(route({{"/defi/ohlcv", birdeye_ohlcv_server(truth)}}));
  BirdeyeSource source(api, explicit_tokens({"TOKEN"}), kT0 + 750'017);

  const FetchedSeries fetched = source.fetch("TOKEN", bar_time(1999));

  ASSERT_EQ(api.calls.size(), 1u);
  EXPECT_EQ(query_int(api.calls[0].path_and_query, "time_from"), bar_time(2000));
  EXPECT_EQ(query_int(api.calls[0].path_and_query, "time_to"), kT0 + 749'999);
  expect_same_bars(fetched.candles, slice(truth, 2000, 2500));  // the overlapping bar 1999 dropped
}

TEST(ProviderBirdeyeTest, NothingNewMeansNoRequest) {
  FakeApiClient api(route({}));
  BirdeyeSource source(api, explicit_tokens({"TOKEN"}), kT0 + 750'017);
  EXPECT_TRUE(source.fetch("TOKEN", kT0 + 749'700).candles.empty());
  EXPECT_TRUE(api.calls.empty());
}

TEST(ProviderBirdeyeTest, DropsTheBarStillOpenAtNow) {
  const CandleSeries truth = testing::random_walk(10, 9, 1e-5, kT0);
  FakeApiClient api(route({{"/defi/ohlcv", birdeye_ohlcv_server(truth, /*ignore_time_to=*/true)}}));
  BirdeyeSource source(api, explicit_tokens({"TOKEN"}), bar_time(9) + 120);  // bar 9 in progress

  const FetchedSeries fetched = source.fetch("TOKEN", 0);

  ASSERT_EQ(api.calls.size(), 1u);
  EXPECT_EQ(query_int(api.calls[0].path_and_query, "time_to"), bar_time(9) - 1);
  expect_same_bars(fetched.candles, slice(truth, 0, 9));
}

TEST(ProviderBirdeyeTest, StopsOnAnEmptyWindow) {
  const CandleSeries truth = testing::random_walk(1200, 10, 1e-5, kT0);
  FakeApiClient api(route({{"/defi/ohlcv", birdeye_ohlcv_server(truth)}}));
  BirdeyeSource source(api, explicit_tokens({"TOKEN"}), kT0 + 10'000'000);

  const FetchedSeries fetched = source.fetch("TOKEN", 0);

  ASSERT_EQ(api.calls.size(), 3u);  // 1000 bars, 200 bars, empty
  EXPECT_EQ(query_int(api.calls[2].path_and_query, "time_from"), kT0 + 600'000);
  expect_same_bars(fetched.candles, truth);
}

TEST(ProviderBirdeyeTest, SendsXChainHeaderAndEncodesTheAddress) {
  FakeApiClient api(route({{"/defi/ohlcv", answer(birdeye_ohlcv_body({}))}}));
  BirdeyeOptions options = explicit_tokens({"0xAbC+/ d"});
  options.chain = "base";
  BirdeyeSource source(api, options, kT0 + 3000);

  source.fetch("0xAbC+/ d", 0);

  ASSERT_EQ(api.calls.size(), 1u);
  EXPECT_EQ(api.calls[0].headers, (Headers{{"x-chain", "base"}}));  // key added by ApiClient
  EXPECT_EQ(query_value(api.calls[0].path_and_query, "address"), "0xAbC%2B%2F%20d");
}

json security_body(const std::string& data) {
  return json::parse(R"({"success":true,"data":)" + data + "}");
}

TEST(ProviderBirdeyeTest, MapsContextFromSecurityAndOverview) {
  const CandleSeries truth = testing::random_walk(4, 11, 1e-5, kT0);
  FakeApiClient api(route({
      {"/defi/ohlcv", birdeye_ohlcv_server(truth)},
      {"/defi/token_security",
       answer(security_body(R"({"ownerAddress": null, "freezeAuthority": "FrZ",
          "creatorAddress": "CrT", "creationTime": )" +
                            std::to_string(kT0 - 5400) + R"(, "top10HolderPercent": 0.62})"))},
      {"/defi/token_overview", answer(security_body(R"({"liquidity": 12345.5, "price": 1e-5})"))},
  }));
  BirdeyeOptions options = explicit_tokens({"TokA"});
  options.fetch_context = true;
  options.overview_liquidity = true;
  BirdeyeSource source(api, options, kT0 + 1200 + 1);

  const FetchedSeries fetched = source.fetch("TokA", 0);

  expect_same_bars(fetched.candles, truth);
  const TokenContext& c = fetched.context;
  EXPECT_EQ(c[ContextField::kInitialLiquidityUsd], std::optional<double>(12345.5));
  EXPECT_EQ(c[ContextField::kTop10HolderShare], std::optional<double>(0.62));
  EXPECT_EQ(c[ContextField::kMintAuthorityRevoked], std::optional<double>(1.0));
  EXPECT_FALSE(c[ContextField::kLpBurned]);                           // not reported by Birdeye
  EXPECT_FALSE(c[ContextField::kCreatorPreviousLaunches]);            // an address is not a count
  EXPECT_EQ(c[ContextField::kAgeHours], std::optional<double>(1.5));  // 5400 s before bar 0
  EXPECT_FALSE(fetched.liquidity_removed);
  ASSERT_EQ(api.calls.size(), 3u);
  EXPECT_EQ(api.calls[1].path_and_query, "/defi/token_security?address=TokA");
  EXPECT_EQ(api.calls[2].path_and_query, "/defi/token_overview?address=TokA");
  for (const auto& call : api.calls) EXPECT_EQ(call.headers, (Headers{{"x-chain", "solana"}}));
}

TEST(ProviderBirdeyeTest, ContextFieldsTheApiLacksStayMissing) {
  const CandleSeries truth = testing::random_walk(2, 12, 1e-5, kT0);
  FakeApiClient api(
      route({{"/defi/ohlcv", birdeye_ohlcv_server(truth)},
             {"/defi/token_security",
              answer(security_body(R"({"top10HolderPercent": null, "ownerAddress": "Own"})"))}}));
  BirdeyeOptions options = explicit_tokens({"TokA"});
  options.fetch_context = true;  // overview_liquidity stays off: no token_overview call
  BirdeyeSource source(api, options, kT0 + 601);

  const FetchedSeries fetched = source.fetch("TokA", 0);

  TokenContext expected;
  expected[ContextField::kMintAuthorityRevoked] = 0.0;
  EXPECT_EQ(fetched.context, expected);
  EXPECT_EQ(api.calls.size(), 2u);
}

TEST(ProviderBirdeyeTest, ContextFailureLeavesContextMissingButKeepsTheToken) {
  const CandleSeries truth = testing::random_walk(3, 13, 1e-5, kT0);
  for (const auto& security :
       {fail_with("http_500"), answer(json::parse(R"({"success":false})"))}) {
    FakeApiClient api(route({{"/defi/ohlcv", birdeye_ohlcv_server(truth)},
                             {"/defi/token_security", security},
                             {"/defi/token_overview", fail_with("retries_exhausted")}}));
    BirdeyeOptions options = explicit_tokens({"TokA"});
    options.fetch_context = true;
    options.overview_liquidity = true;
    BirdeyeSource source(api, options, kT0 + 901);

    const FetchedSeries fetched = source.fetch("TokA", 0);

    expect_same_bars(fetched.candles, truth);
    EXPECT_EQ(fetched.context, TokenContext{});
  }
}

TEST(ProviderBirdeyeTest, ApiClientErrorPropagatesWithItsReason) {
  FakeApiClient api(route({{"/defi/ohlcv", fail_with("http_404")}}));
  BirdeyeSource source(api, explicit_tokens({"TokA"}), kT0 + 901);
  expect_source_error([&] { source.fetch("TokA", 0); }, "http_404", {"birdeye", "TokA"});
}

TEST(ProviderBirdeyeTest, MalformedOhlcvFailsTheToken) {
  FakeApiClient api(
      route({{"/defi/ohlcv", answer(json::parse(R"({"success":false,"message":"bad"})"))}}));
  BirdeyeSource source(api, explicit_tokens({"TokA"}), kT0 + 901);
  expect_source_error([&] { source.fetch("TokA", 0); }, "malformed_response",
                      {"TokA", "/defi/ohlcv", "success"});
}

TEST(ProviderBirdeyeTest, ExplicitTokensKeepConfigOrderWithoutRequests) {
  FakeApiClient api(route({}));
  BirdeyeSource source(api, explicit_tokens({"b", "a", "b", "c"}), kT0);
  EXPECT_EQ(source.list_tokens(), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(source.kind(), "birdeye");
  EXPECT_TRUE(api.calls.empty());
}

// 16 listings, newest first, one minute apart; #9 and #10 share a second.
struct Listing {
  std::string address;
  std::int64_t listed_at;
};
std::vector<Listing> sample_listings() {
  const std::vector<std::string> names = {
      "Kilo0",  "Echo1", "Lima2",   "Bravo3",  "Mike4", "Golf5",     "Juliet6",    "Hotel7",
      "Delta8", "Zeta9", "Alpha10", "India11", "Fox12", "Charlie13", "November14", "Oscar15"};
  std::vector<Listing> listings;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const std::int64_t minute = k == 10 ? 9 : static_cast<std::int64_t>(k);
    listings.push_back({names[k], 1'720'061'900 - 60 * minute});
  }
  return listings;
}

// new_listing: items listed at or before time_to, newest first (or oldest first when
// `reversed`, to prove the result does not depend on the answer's order), at most `limit`.
FakeApiClient::Responder listing_server(bool reversed = false) {
  return [reversed](const std::string& pq) {
    const std::int64_t time_to = query_int(pq, "time_to");
    const auto limit = static_cast<std::size_t>(query_int(pq, "limit"));
    json items = json::array();
    for (const auto& l : sample_listings()) {
      if (l.listed_at <= time_to && items.size() < limit) {
        items.push_back({{"address", l.address},
                         {"liquidityAddedAt", l.listed_at},
                         {"symbol", "X"},
                         {"decimals", 6},
                         {"liquidity", 1000.0}});
      }
    }
    if (reversed) std::reverse(items.begin(), items.end());
    return json{{"success", true}, {"data", {{"items", items}}}};
  };
}

BirdeyeOptions discovery_options() {
  BirdeyeOptions options;
  options.discover_limit = 13;
  options.fetch_context = false;
  return options;
}

constexpr std::int64_t kDiscoveryNow = 1'720'062'017;  // bar 1720062000 in progress

TEST(ProviderBirdeyeTest, DiscoveryIsSortedByListingTimeAndDeterministic) {
  FakeApiClient api(route({{"/defi/v2/tokens/new_listing", listing_server()}}));
  BirdeyeSource source(api, discovery_options(), kDiscoveryNow);

  const std::vector<std::string> tokens = source.list_tokens();

  // The 13 newest (#0..#12), oldest first; #9 and #10 tie and are ordered by address.
  const std::vector<std::string> expected = {"Fox12",  "India11", "Alpha10", "Zeta9", "Delta8",
                                             "Hotel7", "Juliet6", "Golf5",   "Mike4", "Bravo3",
                                             "Lima2",  "Echo1",   "Kilo0"};
  EXPECT_EQ(tokens, expected);
  ASSERT_EQ(api.calls.size(), 2u);
  // Cut-off: the end of the last complete bar (1720061700 .. 1720061999).
  EXPECT_EQ(api.calls[0].path_and_query,
            "/defi/v2/tokens/new_listing?time_to=1720061999&limit=10&meme_platform_enabled=true");
  // Page 2 starts at the oldest listing of page 1 (#9, 1720061900 - 540), inclusive.
  EXPECT_EQ(query_int(api.calls[1].path_and_query, "time_to"), 1'720'061'360);
  EXPECT_EQ(api.calls[0].headers, (Headers{{"x-chain", "solana"}}));

  EXPECT_EQ(source.list_tokens(), expected);  // cached: no new request
  EXPECT_EQ(api.calls.size(), 2u);

  FakeApiClient other_api(route({{"/defi/v2/tokens/new_listing", listing_server(true)}}));
  BirdeyeSource other_rank(other_api, discovery_options(), kDiscoveryNow + 100);
  EXPECT_EQ(other_rank.list_tokens(), expected);
}

TEST(ProviderBirdeyeTest, DiscoveredTokenStartsAtItsListingBar) {
  FakeApiClient api(route({{"/defi/v2/tokens/new_listing", listing_server()},
                           {"/defi/ohlcv", answer(birdeye_ohlcv_body({}))}}));
  BirdeyeSource source(api, discovery_options(), kDiscoveryNow);
  source.list_tokens();

  source.fetch("Alpha10", 0);

  // Listed at 1720061360, inside the bar opening at 1720061100.
  EXPECT_EQ(query_int(api.calls.back().path_and_query, "time_from"), 1'720'061'100);
  EXPECT_EQ(query_int(api.calls.back().path_and_query, "time_to"), 1'720'061'999);
}

TEST(ProviderBirdeyeTest, ARestoredSnapshotServesTheSameTokensAndRangeWithoutDiscovery) {
  // Rank 0 discovers; another rank (or the rerun after a crash, hours later) restores
  // rank 0's snapshot and must fetch exactly the same bars: same list, same listing bar,
  // same end, and no discovery call of its own.
  FakeApiClient api(route({{"/defi/v2/tokens/new_listing", listing_server()}}));
  BirdeyeSource rank0(api, discovery_options(), kDiscoveryNow);
  const std::vector<std::string> tokens = rank0.list_tokens();

  FakeApiClient other_api(route({{"/defi/ohlcv", answer(birdeye_ohlcv_body({}))}}));
  BirdeyeSource other(other_api, discovery_options(), kDiscoveryNow + 7200);  // a later clock
  other.restore(rank0.snapshot());
  EXPECT_EQ(other.list_tokens(), tokens);
  other.fetch("Alpha10", 0);
  ASSERT_EQ(other_api.calls.size(), 1u) << "no discovery and no creation-info lookup";
  EXPECT_EQ(query_int(other_api.calls[0].path_and_query, "time_from"), 1'720'061'100);
  EXPECT_EQ(query_int(other_api.calls[0].path_and_query, "time_to"), 1'720'061'999)
      << "the end comes from rank 0's clock, not this instance's";
}

TEST(ProviderBirdeyeTest, ExplicitTokenStartsAtItsCreationBar) {
  FakeApiClient api(route(
      {{"/defi/token_creation_info", answer(security_body(R"({"blockUnixTime": 1720032070})"))},
       {"/defi/ohlcv", answer(birdeye_ohlcv_body({}))}}));
  BirdeyeOptions options = explicit_tokens({"TokA"});
  options.time_from = 0;
  BirdeyeSource source(api, options, 1'720'035'005);

  source.fetch("TokA", 0);

  ASSERT_EQ(api.calls.size(), 2u);
  EXPECT_EQ(api.calls[0].path_and_query, "/defi/token_creation_info?address=TokA");
  EXPECT_EQ(query_int(api.calls[1].path_and_query, "time_from"), 1'720'032'000);
  EXPECT_EQ(query_int(api.calls[1].path_and_query, "time_to"), 1'720'034'999);
}

TEST(ProviderBirdeyeTest, UnknownStartTimeIsASourceError) {
  FakeApiClient api(route({{"/defi/token_creation_info", answer(security_body("{}"))}}));
  BirdeyeOptions options = explicit_tokens({"TokA"});
  options.time_from = 0;
  BirdeyeSource source(api, options, 1'720'035'005);
  expect_source_error([&] { source.fetch("TokA", 0); }, "no_start_time", {"TokA", "time_from"});
}

TEST(ProviderBirdeyeTest, RejectsInvalidOptions) {
  FakeApiClient api(route({}));
  BirdeyeOptions no_chain = explicit_tokens({"a"});
  no_chain.chain = "";
  EXPECT_THROW(BirdeyeSource(api, no_chain, kT0), ConfigError);
  BirdeyeOptions backwards = explicit_tokens({"a"});
  backwards.time_to = kT0 - 300;
  EXPECT_THROW(BirdeyeSource(api, backwards, kT0), ConfigError);
  BirdeyeOptions nothing = discovery_options();
  nothing.discover_limit = 0;
  EXPECT_THROW(BirdeyeSource(api, nothing, kT0), ConfigError);
}

// ---------------------------------------------------------------- GeckoTerminal source

GeckoTerminalOptions pools(std::vector<std::string> addresses) {
  GeckoTerminalOptions options;
  options.pools = std::move(addresses);
  return options;
}

TEST(ProviderGeckoTerminalTest, PagesBackwardsAndReturnsAscendingBars) {
  const CandleSeries truth = testing::random_walk(2300, 21, 2e-4, kT0);
  CandleSeries served = truth;
  served.push_back({bar_time(2300), 1, 1, 1, 1, 1});  // still open at `now`: must be dropped
  FakeApiClient api(gecko_server(served));
  GeckoTerminalSource source(api, pools({"PoolA"}), bar_time(2300) + 42);

  const FetchedSeries fetched = source.fetch("PoolA", 0);

  ASSERT_EQ(api.calls.size(), 3u);  // rows 2300..1301, 1301..302, 302..0 (short)
  const std::vector<std::int64_t> befores = {bar_time(2300), bar_time(1301), bar_time(302)};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string& pq = api.calls[i].path_and_query;
    EXPECT_EQ(path_of(pq), "/api/v2/networks/solana/pools/PoolA/ohlcv/minute");
    EXPECT_EQ(query_value(pq, "aggregate"), "5");
    EXPECT_EQ(query_value(pq, "limit"), "1000");
    EXPECT_EQ(query_int(pq, "before_timestamp"), befores[i]) << "request " << i;
    EXPECT_TRUE(api.calls[i].headers.empty());
  }
  expect_strictly_ascending(fetched.candles);
  EXPECT_EQ(fetched.candles, truth);
  EXPECT_EQ(fetched.context, TokenContext{});
  EXPECT_FALSE(fetched.liquidity_removed);
}

TEST(ProviderGeckoTerminalTest, StopsOnceAPageReachesAfter) {
  const CandleSeries truth = testing::random_walk(2300, 22, 2e-4, kT0);
  FakeApiClient api(gecko_server(truth));
  GeckoTerminalSource source(api, pools({"PoolA"}), bar_time(2300) + 42);

  const FetchedSeries fetched = source.fetch("PoolA", bar_time(2000));

  EXPECT_EQ(api.calls.size(), 1u);  // page 1 reaches back to bar 1300 <= after
  EXPECT_EQ(fetched.candles, slice(truth, 2001, 2300));
}

TEST(ProviderGeckoTerminalTest, StopsOnAnEmptyPage) {
  FakeApiClient api(answer(gecko_body({})));
  GeckoTerminalSource source(api, pools({"PoolA"}), kT0);
  EXPECT_TRUE(source.fetch("PoolA", 0).candles.empty());
  EXPECT_EQ(api.calls.size(), 1u);
}

TEST(ProviderGeckoTerminalTest, StopsWhenTheApiIgnoresBeforeTimestamp) {
  const CandleSeries truth = testing::random_walk(1000, 23, 2e-4, kT0);
  const json same_page = gecko_body(CandleSeries(truth.rbegin(), truth.rend()));
  FakeApiClient api(answer(same_page));
  GeckoTerminalSource source(api, pools({"PoolA"}), bar_time(1000) + 1);

  const FetchedSeries fetched = source.fetch("PoolA", 0);

  EXPECT_EQ(api.calls.size(), 2u);
  EXPECT_EQ(fetched.candles, truth);
}

TEST(ProviderGeckoTerminalTest, EncodesNetworkAndPoolInThePath) {
  FakeApiClient api(answer(gecko_body({})));
  GeckoTerminalOptions options = pools({"a/b c"});
  options.network = "eth";
  options.limit = 100;
  GeckoTerminalSource source(api, options, kT0);
  source.fetch("a/b c", 0);
  ASSERT_EQ(api.calls.size(), 1u);
  EXPECT_EQ(api.calls[0].path_and_query,
            "/api/v2/networks/eth/pools/a%2Fb%20c/ohlcv/minute?aggregate=5&before_timestamp=" +
                std::to_string(kT0) + "&limit=100");
}

TEST(ProviderGeckoTerminalTest, ListsPoolsInConfigOrder) {
  FakeApiClient api(answer(gecko_body({})));
  GeckoTerminalSource source(api, pools({"P2", "P1", "P2", "P3"}), kT0);
  EXPECT_EQ(source.list_tokens(), (std::vector<std::string>{"P2", "P1", "P3"}));
  EXPECT_EQ(source.kind(), "geckoterminal");
  EXPECT_TRUE(api.calls.empty());
}

TEST(ProviderGeckoTerminalTest, ErrorsCarryTheirReason) {
  FakeApiClient failing(fail_with("retries_exhausted"));
  GeckoTerminalSource source(failing, pools({"PoolA"}), kT0);
  expect_source_error([&] { source.fetch("PoolA", 0); }, "retries_exhausted", {"PoolA"});

  FakeApiClient malformed(answer(json::parse(R"({"data":{"attributes":{"ohlcv_list":[[1,2]]}}})")));
  GeckoTerminalSource bad(malformed, pools({"PoolA"}), kT0);
  expect_source_error([&] { bad.fetch("PoolA", 0); }, "malformed_response",
                      {"PoolA", "ohlcv_list[0]"});
}

TEST(ProviderGeckoTerminalTest, RejectsInvalidOptions) {
  FakeApiClient api(answer(gecko_body({})));
  EXPECT_THROW(GeckoTerminalSource(api, pools({}), kT0), ConfigError);
  GeckoTerminalOptions too_many = pools({"P"});
  too_many.limit = 1001;
  EXPECT_THROW(GeckoTerminalSource(api, too_many, kT0), ConfigError);
}

}  // namespace
}  // namespace snipe::collector
