// The HTTP sources end to end: config -> make_source -> RateLimitedApiClient -> libcurl
// -> the loopback MockProvider (with injected faults) -> run_collect -> shard. Nothing
// leaves 127.0.0.1.

#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "collector/collect_job.h"
#include "collector/data_set_dir.h"
#include "collector/simulator/market_simulator.h"
#include "collector/source_factory.h"
#include "shared/comm/communicator.h"
#include "shared/core/atomic_file.h"
#include "shared/store/shard.h"
#include "tests/support/mock_provider.h"
#include "tests/support/temp_dir.h"

namespace snipe::collector {
namespace {

using json = nlohmann::json;

constexpr const char* kKeysEnv = "SNIPE_E2E_TEST_KEYS";
const std::string kSecrets[] = {"AAAAsecretkeyA111", "AAAAsecretkeyA222", "BBBBsecretkeyB333"};

// Captures every log line of the test in a string.
class CapturedLogs {
 public:
  CapturedLogs() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    spdlog::set_level(spdlog::level::trace);
  }
  ~CapturedLogs() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

class BirdeyeEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_.add_key("acct-a", kSecrets[0]);
    mock_.add_key("acct-a", kSecrets[1]);
    mock_.add_key("acct-b", kSecrets[2]);
    mock_.revoke_key(kSecrets[0]);  // a key its owner revoked: 403, must be disabled
    const simulator::SimulatorOptions market{.seed = 3, .tokens = 4, .min_candles = 200, .max_candles = 300};
    for (std::size_t i = 0; i < 4; ++i) {
      const std::string address = "Tok" + std::to_string(i) + "pump";
      const auto token = simulator::simulate_token(market, i);
      mock_.set_series(address, token.candles);
      series_[address] = token.candles;
      addresses_.push_back(address);
    }
    mock_.set_token_security(addresses_[0], {{"top10HolderPercent", 0.42}, {"ownerAddress", nullptr}});
    ::setenv(kKeysEnv, fmt::format("acct-a:{},acct-a:{},acct-b:{}", kSecrets[0], kSecrets[1], kSecrets[2]).c_str(), 1);

    config_.source.kind = SourceKind::kBirdeye;
    config_.birdeye.endpoint.base_url = mock_.base_url();
    config_.birdeye.endpoint.keys_env = kKeysEnv;
    config_.birdeye.endpoint.requests_per_second = 50;
    config_.birdeye.endpoint.requests_per_minute = 3000;
    config_.birdeye.source.tokens = addresses_;
    config_.birdeye.source.time_from = 1767225600;
    config_.http = {.timeout_ms = 1500, .max_attempts = 5, .backoff_base_ms = 5, .backoff_cap_ms = 50,
                    .malformed_retries = 2};
  }
  void TearDown() override { ::unsetenv(kKeysEnv); }

  CollectJobOptions job() const {
    return {.out_dir = dir_.path(), .validation = {.min_candles = 100},
            .labels = {.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5},
            .config_fingerprint = "e2e"};
  }

  testing::MockProvider mock_;
  testing::TempDir dir_;
  PosixEnv env_;
  SourceConfig config_;
  std::vector<std::string> addresses_;
  std::map<std::string, CandleSeries> series_;
};

TEST_F(BirdeyeEndToEnd, CollectsEveryTokenThroughFaultsAndNeverLogsAKey) {
  using Fault = testing::Fault;
  mock_.inject("/defi/ohlcv", Fault{.kind = Fault::Kind::kStatus, .status = 429, .retry_after_s = 1}, 1);
  mock_.inject("/defi/ohlcv", Fault{.kind = Fault::Kind::kStatus, .status = 503}, 2);
  mock_.inject("/defi/ohlcv", Fault{.kind = Fault::Kind::kMalformedJson}, 1);
  mock_.inject("/defi/ohlcv", Fault{.kind = Fault::Kind::kTruncatedBody}, 1);
  CapturedLogs logs;
  {
    const auto comm = make_solo_communicator();
    const auto source = make_source(config_, *comm, env_);
    const CollectTotals totals = run_collect(*source, *comm, job(), env_);
    EXPECT_EQ(totals.accepted, 4) << logs.text();
  }
  const Shard shard = read_shard(DataSetDir(dir_.path()).published_shards().at(0));
  ASSERT_EQ(shard.series.size(), 4u);
  for (const SeriesRecord& record : shard.series) {
    const CandleSeries& want = series_.at(record.token);
    ASSERT_EQ(record.candles.size(), want.size()) << record.token;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(record.candles[i].timestamp, want[i].timestamp);
      EXPECT_EQ(record.candles[i].close, want[i].close);
      EXPECT_DOUBLE_EQ(record.candles[i].volume, want[i].volume);  // via token units
    }
  }
  EXPECT_DOUBLE_EQ(*shard.series[0].context[ContextField::kTop10HolderShare], 0.42);
  EXPECT_GE(mock_.responses_with_status(429), 1u);
  EXPECT_GE(mock_.responses_with_status(503), 2u);

  const std::string text = logs.text();
  for (const std::string& secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "a key leaked into the logs";
    EXPECT_EQ(text.find(secret.substr(0, 12)), std::string::npos) << "a key prefix leaked";
  }
}

TEST_F(BirdeyeEndToEnd, ARevokedKeyIsDisabledNamedByItsLastFourAndNeverSentAgain) {
  CapturedLogs logs;
  {
    const auto comm = make_solo_communicator();
    const auto source = make_source(config_, *comm, env_);
    EXPECT_EQ(run_collect(*source, *comm, job(), env_).accepted, 4);
  }
  std::size_t revoked_uses = 0, keyed = 0;
  for (const auto& request : mock_.requests()) {
    keyed += !request.api_key.empty();
    revoked_uses += request.api_key == kSecrets[0];
  }
  EXPECT_EQ(keyed, mock_.request_count()) << "every Birdeye request carries a key";
  EXPECT_EQ(revoked_uses, 1u) << "used once, answered 403, disabled";
  EXPECT_EQ(mock_.responses_with_status(403), 1u);
  const std::string text = logs.text();
  EXPECT_NE(text.find("A111"), std::string::npos) << "the disabled key is named by its last 4: " << text;
  EXPECT_EQ(text.find(kSecrets[0]), std::string::npos);
}

TEST_F(BirdeyeEndToEnd, ATokenThatKeepsFailingIsRecordedWithItsReason) {
  using Fault = testing::Fault;
  mock_.inject("/defi/ohlcv", Fault{.kind = Fault::Kind::kStatus, .status = 500}, 1000);
  {
    const auto comm = make_solo_communicator();
    const auto source = make_source(config_, *comm, env_);
    const CollectTotals totals = run_collect(*source, *comm, job(), env_);
    EXPECT_EQ(totals.failed, 4);
  }
  const json quality = json::parse(read_file(dir_ / "quality.json"));
  EXPECT_EQ(quality["failures_by_reason"]["retries_exhausted"], 4) << quality.dump(2);
}

TEST_F(BirdeyeEndToEnd, NoKeyIsAClearConfigError) {
  ::unsetenv(kKeysEnv);
  const auto comm = make_solo_communicator();
  try {
    make_source(config_, *comm, env_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(kKeysEnv), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("synthetic"), std::string::npos) << e.what();
  }
}

TEST_F(BirdeyeEndToEnd, AnotherRankRestoresTheDiscoveryThroughTheFactoryBuiltSource) {
  // Rank 0 discovers new listings; another rank (or the rerun after a crash) must fetch
  // each token from its listing bar too, without asking discovery or creation-info again.
  std::vector<testing::MockListing> listings;
  for (const std::string& address : addresses_) {
    listings.push_back({.address = address, .liquidity_added_at = series_[address].front().timestamp + 30});
  }
  mock_.set_new_listings(listings);
  config_.birdeye.source.tokens.clear();
  config_.birdeye.source.time_from = 0;
  const auto comm = make_solo_communicator();
  const auto rank0 = make_source(config_, *comm, env_);
  const std::vector<std::string> tokens = rank0->list_tokens();
  ASSERT_EQ(tokens.size(), addresses_.size());

  const auto other = make_source(config_, *comm, env_);
  other->restore(rank0->snapshot());
  const std::size_t before = mock_.request_count();
  EXPECT_EQ(other->list_tokens(), tokens);
  const FetchedSeries fetched = other->fetch(tokens.front(), 0);
  ASSERT_FALSE(fetched.candles.empty());
  EXPECT_EQ(fetched.candles.front().timestamp, series_.at(tokens.front()).front().timestamp)
      << "starts at the listing bar rank 0 discovered";
  const auto requests = mock_.requests();
  for (std::size_t i = before; i < requests.size(); ++i) {
    EXPECT_NE(requests[i].path, "/defi/v2/tokens/new_listing");
    EXPECT_NE(requests[i].path, "/defi/token_creation_info");
  }
}

TEST(GeckoTerminalEndToEnd, CollectsPoolsWithoutAKey) {
  testing::MockProvider mock;
  const simulator::SimulatorOptions market{.seed = 9, .tokens = 2, .min_candles = 200, .max_candles = 250};
  SourceConfig config;
  config.source.kind = SourceKind::kGeckoTerminal;
  config.geckoterminal.endpoint.base_url = mock.base_url();
  config.geckoterminal.endpoint.requests_per_second = 50;
  config.geckoterminal.endpoint.requests_per_minute = 3000;
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string pool = "Pool" + std::to_string(i);
    mock.set_series(pool, simulator::simulate_token(market, i).candles);
    config.geckoterminal.source.pools.push_back(pool);
  }
  config.geckoterminal.source.limit = 100;  // several pages per pool
  testing::TempDir dir;
  PosixEnv env;
  const auto comm = make_solo_communicator();
  const auto source = make_source(config, *comm, env);
  const CollectTotals totals = run_collect(*source, *comm,
                                           {.out_dir = dir.path(), .validation = {.min_candles = 100},
                                            .labels = {.horizon = 12}, .config_fingerprint = "gecko"},
                                           env);
  EXPECT_EQ(totals.accepted, 2);
  const Shard shard = read_shard(DataSetDir(dir.path()).published_shards().at(0));
  EXPECT_EQ(shard.series[0].candles, simulator::simulate_token(market, 0).candles);
}

}  // namespace
}  // namespace snipe::collector
