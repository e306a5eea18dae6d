// The collector's network layer: key loading and masking, the split of keys across ranks,
// token buckets on a fake clock, the libcurl client, and the rate-limited API client
// against the loopback mock provider with injected faults (429, 5xx, timeouts, 401/403,
// malformed and truncated bodies). Backoff is asserted through the FakeClock's recorded
// sleeps, so no test waits for a backoff. Nothing leaves 127.0.0.1.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "collector/net/http_client.h"
#include "collector/net/keys.h"
#include "collector/net/rate_limited_api_client.h"
#include "collector/net/token_bucket.h"
#include "collector/source.h"
#include "shared/core/errors.h"
#include "tests/support/fake_clock.h"
#include "tests/support/mock_provider.h"
#include "tests/support/series.h"

namespace snipe::collector {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;
using testing::Fault;
using testing::MockProvider;

// ---------------------------------------------------------------- keys

TEST(NetworkKeys, MaskKeepsOnlyTheLastFourCharacters) {
  EXPECT_EQ(mask_key("abcdef123456"), "********3456");
  EXPECT_EQ(mask_key("abcde"), "*bcde");
  EXPECT_EQ(mask_key("abcd"), "****");
  EXPECT_EQ(mask_key("ab"), "**");
  EXPECT_EQ(mask_key(""), "");
}

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

// A private (0600) file in the temp directory, unique per process (several builds may run
// the tests at once), removed at the end of the scope.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path_) << text;
    std::filesystem::permissions(
        path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(NetworkKeys, LoadsAccountKeyPairsAndBareKeysFromTheEnvironment) {
  ScopedEnv env("SNIPE_NET_TEST_KEYS", " alpha:key-aaaa1111 ,beta:key-bbbb2222,,key-cccc3333 ");
  const auto keys = load_keys("SNIPE_NET_TEST_KEYS", "");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], (ApiKey{"alpha", "key-aaaa1111"}));
  EXPECT_EQ(keys[1], (ApiKey{"beta", "key-bbbb2222"}));
  EXPECT_EQ(keys[2].secret, "key-cccc3333");
  // A bare key is its own account, named without revealing the key.
  EXPECT_TRUE(keys[2].account.starts_with("key-"));
  EXPECT_EQ(keys[2].account.find("cccc3333"), std::string::npos);
  EXPECT_NE(keys[2].account, keys[0].account);
}

TEST(NetworkKeys, LoadsAKeyFileSkippingCommentsAndBlankLinesAfterTheEnvironment) {
  ScopedEnv env("SNIPE_NET_TEST_KEYS", "alpha:env-key-0001");
  const TempFile file("snipe_net_keys_ok.txt",
                      "# provider keys\n\nalpha:file-key-0002\r\n  beta:file-key-0003  \n"
                      "   # indented comment\nbare-file-key-0004\n");
  const auto keys = load_keys("SNIPE_NET_TEST_KEYS", file.path());
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[0], (ApiKey{"alpha", "env-key-0001"}));
  EXPECT_EQ(keys[1], (ApiKey{"alpha", "file-key-0002"}));
  EXPECT_EQ(keys[2], (ApiKey{"beta", "file-key-0003"}));
  EXPECT_EQ(keys[3].secret, "bare-file-key-0004");
}

TEST(NetworkKeys, NoSourcesMeansNoKeys) {
  ::unsetenv("SNIPE_NET_TEST_UNSET");
  EXPECT_TRUE(load_keys("SNIPE_NET_TEST_UNSET", "").empty());
  EXPECT_TRUE(load_keys("", "").empty());
}

// The error for a bad entry must say where it is and must not quote the key.
void expect_bad_line(const std::string& line, const std::string& secret_part) {
  const TempFile file("snipe_net_keys_bad.txt", "# keys\nalpha:good-key-0001\n" + line + "\n");
  try {
    load_keys("", file.path());
    FAIL() << "accepted a bad key line";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.path().string() + ":3"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_part), std::string::npos) << message;
  }
}

TEST(NetworkKeys, BadLineNamesFileAndLineButNotTheKey) {
  expect_bad_line("bad account!:SECRETVALUE123", "SECRETVALUE123");
  expect_bad_line("alpha:SECRET VALUE456", "SECRET");
  expect_bad_line("alpha:", "alpha:");
  expect_bad_line("SECRET\tTABBED789", "TABBED789");
}

TEST(NetworkKeys, TheSameKeyTwiceIsAnErrorNamingBothPlaces) {
  ScopedEnv env("SNIPE_NET_TEST_KEYS", "alpha:dup-key-77777777");
  const TempFile file("snipe_net_keys_dup.txt", "beta:dup-key-77777777\n");
  try {
    load_keys("SNIPE_NET_TEST_KEYS", file.path());
    FAIL() << "accepted a duplicate key";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.path().string() + ":1"), std::string::npos) << message;
    EXPECT_NE(message.find("SNIPE_NET_TEST_KEYS entry 1"), std::string::npos) << message;
    EXPECT_EQ(message.find("77777777"), std::string::npos) << message;
  }
}

TEST(NetworkKeys, MissingKeyFileIsAConfigError) {
  EXPECT_THROW(load_keys("", "/nonexistent/snipe/keys.txt"), ConfigError);
}

// ---------------------------------------------------------------- share_keys

std::vector<ApiKey> layout(const std::vector<int>& keys_per_account) {
  std::vector<ApiKey> keys;
  for (std::size_t a = 0; a < keys_per_account.size(); ++a) {
    for (int k = 0; k < keys_per_account[a]; ++k) {
      keys.push_back(
          {"acct" + std::to_string(a), "secret-" + std::to_string(a) + "-" + std::to_string(k)});
    }
  }
  return keys;
}

void expect_share_invariants(const std::vector<ApiKey>& keys, int size) {
  SCOPED_TRACE(::testing::Message() << keys.size() << " keys, " << size << " ranks");
  std::map<std::string, int> uses;             // [secret] -> ranks holding it
  std::map<std::string, double> fraction_sum;  // [account] -> sum over ranks
  const std::vector<ApiKey> reversed(keys.rbegin(), keys.rend());
  for (int rank = 0; rank < size; ++rank) {
    const RankKeyShare share = share_keys(keys, rank, size);
    const RankKeyShare again = share_keys(reversed, rank, size);
    EXPECT_EQ(share.keys, again.keys) << "depends on input order";
    EXPECT_EQ(share.account_budget_fraction, again.account_budget_fraction);
    if (keys.size() >= static_cast<std::size_t>(size)) {
      EXPECT_FALSE(share.keys.empty()) << "rank " << rank << " got no key";
    } else {
      EXPECT_EQ(share.keys.size(), 1u) << "rank " << rank << " should get one shared key";
    }
    std::set<std::string> accounts;
    for (const ApiKey& key : share.keys) {
      ++uses[key.secret];
      accounts.insert(key.account);
    }
    double total = 0.0;
    for (const auto& [account, fraction] : share.account_budget_fraction) {
      EXPECT_TRUE(accounts.contains(account)) << "budget on an account the rank has no key of";
      EXPECT_GT(fraction, 0.0);
      EXPECT_LE(fraction, 1.0);
      fraction_sum[account] += fraction;
      total += fraction;
    }
    EXPECT_GT(total, 0.0) << "rank " << rank << " can send nothing";
  }
  for (const ApiKey& key : keys) {
    if (keys.size() >= static_cast<std::size_t>(size)) {
      EXPECT_EQ(uses[key.secret], 1) << "slices must be disjoint and cover every key";
    } else {
      EXPECT_GE(uses[key.secret], 1) << "every key is used";
    }
  }
  for (const ApiKey& key : keys) {
    EXPECT_LE(fraction_sum[key.account], 1.0 + 1e-12) << key.account << ": budget over-used";
    EXPECT_NEAR(fraction_sum[key.account], 1.0, 1e-12) << key.account << ": budget wasted";
  }
}

TEST(NetworkShareKeys, InvariantsHoldForManyLayoutsAndRankCounts) {
  const std::vector<std::vector<int>> layouts = {{1},    {4}, {3, 1},   {2, 2, 2}, {1, 1, 1, 1, 1},
                                                 {5, 2}, {7}, {2, 1, 1}};
  for (const auto& keys_per_account : layouts) {
    for (int size = 1; size <= 5; ++size) expect_share_invariants(layout(keys_per_account), size);
  }
}

// Per-rank totals: the share of "one account's limits" each rank may use.
std::vector<double> rank_totals(const std::vector<ApiKey>& keys, int size) {
  std::vector<double> totals;
  for (int rank = 0; rank < size; ++rank) {
    double total = 0.0;
    for (const auto& [account, f] : share_keys(keys, rank, size).account_budget_fraction) {
      total += f;
    }
    totals.push_back(total);
  }
  return totals;
}

TEST(NetworkShareKeys, DealsKeysAcrossAccountsAndBalancesRankBudgets) {
  // Dealing order acct0/0, acct1/0, acct2/0, acct0/1, acct1/1, acct2/1 to ranks 0,1,2,3,0,1.
  const auto keys = layout({2, 2, 2});
  const std::vector<std::vector<ApiKey>> expected_keys = {
      {{"acct0", "secret-0-0"}, {"acct1", "secret-1-1"}},
      {{"acct1", "secret-1-0"}, {"acct2", "secret-2-1"}},
      {{"acct2", "secret-2-0"}},
      {{"acct0", "secret-0-1"}}};
  // 3 accounts over 4 ranks: 0.75 each. Ranks 2 and 3 hold one account each (0.75 of it),
  // so rank 0 gets the rest of acct0 (0.25) and rank 1 the rest of acct2 (0.25); acct1 is
  // split evenly between ranks 0 and 1 (0.5 each).
  const std::vector<std::map<std::string, double>> expected_budget = {
      {{"acct0", 0.25}, {"acct1", 0.5}},
      {{"acct1", 0.5}, {"acct2", 0.25}},
      {{"acct2", 0.75}},
      {{"acct0", 0.75}}};
  for (int rank = 0; rank < 4; ++rank) {
    const RankKeyShare share = share_keys(keys, rank, 4);
    EXPECT_EQ(share.keys, expected_keys[static_cast<std::size_t>(rank)]) << rank;
    const auto& expected = expected_budget[static_cast<std::size_t>(rank)];
    ASSERT_EQ(share.account_budget_fraction.size(), expected.size()) << rank;
    for (const auto& [account, fraction] : expected) {
      EXPECT_NEAR(share.account_budget_fraction.at(account), fraction, 1e-6) << rank << account;
    }
  }
}

TEST(NetworkShareKeys, BalancesBudgetsWhenAnAccountHasASingleKey) {
  // acct0 has 3 keys, acct1 one: the rank holding acct1's key should take little or none
  // of acct0, so that both ranks get one account's worth.
  for (const double total : rank_totals(layout({3, 1}), 2)) EXPECT_NEAR(total, 1.0, 0.02);
  for (const double total : rank_totals(layout({2, 2, 2, 2}), 3)) EXPECT_NEAR(total, 4.0 / 3, 1e-6);
}

TEST(NetworkShareKeys, FewerKeysThanRanksShareKeysAndSplitTheBudget) {
  const auto keys = layout({1, 1});  // acct0 and acct1, one key each; 5 ranks
  for (int rank = 0; rank < 5; ++rank) {
    const RankKeyShare share = share_keys(keys, rank, 5);
    ASSERT_EQ(share.keys.size(), 1u);
    const bool even = rank % 2 == 0;  // ranks 0, 2, 4 use acct0; ranks 1, 3 use acct1
    EXPECT_EQ(share.keys[0].account, even ? "acct0" : "acct1");
    EXPECT_NEAR(share.account_budget_fraction.at(share.keys[0].account), even ? 1.0 / 3 : 1.0 / 2,
                1e-12);
  }
}

TEST(NetworkShareKeys, KeylessProvidersSplitTheAnonymousBudget) {
  const RankKeyShare share = share_keys({}, 2, 4);
  EXPECT_TRUE(share.keys.empty());
  EXPECT_DOUBLE_EQ(share.account_budget_fraction.at(std::string(kAnonymousAccount)), 0.25);
}

TEST(NetworkShareKeys, RejectsARankOutsideTheJob) {
  EXPECT_THROW(share_keys(layout({2}), 2, 2), ConfigError);
  EXPECT_THROW(share_keys(layout({2}), -1, 2), ConfigError);
  EXPECT_THROW(share_keys(layout({2}), 0, 0), ConfigError);
}

// ---------------------------------------------------------------- token buckets

std::vector<milliseconds> ms_list(std::initializer_list<long long> values) {
  std::vector<milliseconds> out;
  for (const long long v : values) out.emplace_back(v);
  return out;
}

TEST(NetworkTokenBucket, BothWindowsMustAllowARequest) {
  FakeClock clock;
  AccountLimiter limiter({2.0, 5.0}, clock);  // 2/s (burst 2), 5/min (burst 5)
  for (int i = 0; i < 6; ++i) limiter.acquire();
  // 2 free, then one per 500 ms; the 6th waits for the minute bucket: 5 taken by t=1500 ms,
  // 1500/12000 of a token back, the missing 0.875 token takes 10500 ms.
  EXPECT_EQ(clock.sleeps(), ms_list({500, 500, 500, 10500}));
}

TEST(NetworkTokenBucket, DrainPausesTheAccountForTheGivenTime) {
  FakeClock clock;
  AccountLimiter limiter({10.0, 0.0}, clock);
  limiter.acquire();
  limiter.drain_for(milliseconds(3000));
  EXPECT_EQ(limiter.wait_time(), milliseconds(3000));
  EXPECT_FALSE(limiter.try_acquire());
  limiter.acquire();
  EXPECT_EQ(clock.sleeps(), ms_list({3000}));
}

TEST(NetworkTokenBucket, TryAcquireNeverSleeps) {
  FakeClock clock;
  AccountLimiter limiter({1.0, 0.0}, clock);
  EXPECT_TRUE(limiter.try_acquire());
  EXPECT_FALSE(limiter.try_acquire());
  clock.advance(milliseconds(999));
  EXPECT_FALSE(limiter.try_acquire());
  clock.advance(milliseconds(1));
  EXPECT_TRUE(limiter.try_acquire());
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(NetworkTokenBucket, NoLimitNeverWaits) {
  FakeClock clock;
  AccountLimiter limiter({}, clock);
  for (int i = 0; i < 1000; ++i) limiter.acquire();
  EXPECT_TRUE(clock.sleeps().empty());
}

// ---------------------------------------------------------------- libcurl client

TEST(NetworkCurl, LowerCasesHeaderNamesAndReportsStatus) {
  MockProvider mock;
  mock.inject("/defi/", Fault::too_many_requests(3));
  const auto http = make_curl_http_client();
  const HttpResponse response =
      http->get({mock.base_url() + "/defi/ohlcv", {}, milliseconds(5000)});
  EXPECT_EQ(response.status, 429);
  EXPECT_TRUE(response.transport_error.empty()) << response.transport_error;
  ASSERT_TRUE(response.headers.contains("retry-after"));
  EXPECT_EQ(response.headers.at("retry-after"), "3");
  EXPECT_TRUE(response.headers.contains("content-type"));
}

TEST(NetworkCurl, RefusedConnectionIsATransportErrorNotAnException) {
  std::string url;
  { url = MockProvider().base_url(); }  // the port is closed again
  const auto http = make_curl_http_client();
  HttpResponse response;
  EXPECT_NO_THROW(response = http->get({url + "/defi/ohlcv", {}, milliseconds(2000)}));
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.transport_error.empty());
}

// ---------------------------------------------------------------- mock provider formats

TEST(NetworkMockProvider, GeckoTerminalPagesNewestFirstBeforeATimestamp) {
  MockProvider mock;
  const CandleSeries bars = snipe::testing::random_walk(10, 3);  // t0 .. t0+9*300
  mock.set_series("POOL1", bars);
  const auto http = make_curl_http_client();
  const std::int64_t before = bars[6].timestamp;
  const HttpResponse response = http->get(
      {mock.base_url() +
           "/api/v2/networks/solana/pools/POOL1/ohlcv/minute?aggregate=5&before_timestamp=" +
           std::to_string(before) + "&limit=4",
       {},
       milliseconds(5000)});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto rows = nlohmann::json::parse(response.body)["data"]["attributes"]["ohlcv_list"];
  ASSERT_EQ(rows.size(), 4u);  // bars 5, 4, 3, 2
  for (std::size_t i = 0; i < 4; ++i) {
    const Candle& c = bars[5 - i];
    EXPECT_EQ(rows[i][0].get<std::int64_t>(), c.timestamp);
    EXPECT_EQ(rows[i][4].get<double>(), c.close);
    EXPECT_EQ(rows[i][5].get<double>(), c.volume);
  }
}

TEST(NetworkMockProvider, EnforcesPerAccountLimitsWithRetryAfter) {
  MockProvider mock;
  mock.add_key("acct", "mock-key-0001");
  mock.set_account_limit("acct", {0.0, 2.0});  // 2 per minute: the third request is refused
  const auto http = make_curl_http_client();
  const HttpRequest request{mock.base_url() + "/defi/token_overview?address=X",
                            {{"X-API-KEY", "mock-key-0001"}},
                            milliseconds(5000)};
  EXPECT_EQ(http->get(request).status, 200);
  EXPECT_EQ(http->get(request).status, 200);
  const HttpResponse refused = http->get(request);
  EXPECT_EQ(refused.status, 429);
  ASSERT_TRUE(refused.headers.contains("retry-after"));
  const int retry_after = std::stoi(refused.headers.at("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 30);
  EXPECT_EQ(mock.responses_with_status(429), 1u);
}

// ---------------------------------------------------------------- rate-limited client

constexpr const char* kToken = "TOKEN1";
const std::string kOhlcvPath = "/defi/ohlcv?address=TOKEN1&type=5m&time_from=0&time_to=9999999999";
const Headers kChain = {{"x-chain", "solana"}};

// A mock with one token and a client on a FakeClock; limits high enough not to matter.
class NetworkApiClient : public ::testing::Test {
 protected:
  NetworkApiClient() : bars_(snipe::testing::random_walk(40, 7)) {
    mock_.set_series(kToken, bars_);
  }

  ApiClientOptions options() const {
    ApiClientOptions o;
    o.base_url = mock_.base_url();
    o.requests_per_second = 1000;
    o.requests_per_minute = 0;
    o.timeout = milliseconds(3000);
    o.max_attempts = 4;
    o.backoff_base = milliseconds(100);
    o.backoff_cap = milliseconds(1000);
    o.malformed_retries = 2;
    return o;
  }

  // Registers `valid` keys with the mock; every key in `keys` goes to the client.
  RateLimitedApiClient& client(const std::vector<ApiKey>& keys, const std::vector<ApiKey>& valid,
                               ApiClientOptions o) {
    for (const ApiKey& k : valid) mock_.add_key(k.account, k.secret);
    client_ = std::make_unique<RateLimitedApiClient>(std::move(o), *http_, clock_,
                                                     share_keys(keys, 0, 1));
    return *client_;
  }
  RateLimitedApiClient& client_with_good_key() {
    const std::vector<ApiKey> keys = {{"acct", "good-key-0001"}};
    return client(keys, keys, options());
  }

  void expect_bars(const nlohmann::json& body) const {
    const auto& items = body.at("data").at("items");
    ASSERT_EQ(items.size(), bars_.size());
    for (std::size_t i = 0; i < bars_.size(); ++i) {
      EXPECT_EQ(items[i].at("unixTime").get<std::int64_t>(), bars_[i].timestamp);
      EXPECT_EQ(items[i].at("c").get<double>(), bars_[i].close);
    }
  }

  std::string reason_of_failure(RateLimitedApiClient& c) {
    try {
      c.get_json(kOhlcvPath, kChain);
    } catch (const SourceError& e) {
      last_message_ = e.what();
      return e.reason();
    }
    return "no error";
  }

  CandleSeries bars_;
  MockProvider mock_;
  std::unique_ptr<HttpClient> http_ = make_curl_http_client();
  FakeClock clock_;
  std::unique_ptr<RateLimitedApiClient> client_;
  std::string last_message_;
};

TEST_F(NetworkApiClient, FetchesWithTheKeyAndChainHeaders) {
  auto& c = client_with_good_key();
  expect_bars(c.get_json(kOhlcvPath, kChain));
  const auto requests = mock_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].api_key, "good-key-0001");
  EXPECT_EQ(requests[0].chain, "solana");
  EXPECT_EQ(c.counters().requests_sent, 1u);
  EXPECT_EQ(c.counters().retries, 0u);
}

TEST_F(NetworkApiClient, HonoursRetryAfterOn429) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::too_many_requests(7));
  expect_bars(c.get_json(kOhlcvPath, kChain));
  ASSERT_EQ(clock_.sleeps().size(), 1u);
  EXPECT_GE(clock_.sleeps()[0], milliseconds(7000));
  EXPECT_LE(clock_.sleeps()[0], milliseconds(7700));  // at most 10% jitter
  EXPECT_EQ(c.counters().responses_429, 1u);
  EXPECT_EQ(mock_.responses_with_status(429), 1u);
}

TEST_F(NetworkApiClient, BacksOffExponentiallyOn429WithoutRetryAfter) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::too_many_requests(std::nullopt), 2);
  expect_bars(c.get_json(kOhlcvPath, kChain));
  ASSERT_EQ(clock_.sleeps().size(), 2u);
  EXPECT_GE(clock_.sleeps()[0], milliseconds(50));  // step 100 ms, equal jitter: [50, 100]
  EXPECT_LE(clock_.sleeps()[0], milliseconds(100));
  EXPECT_GE(clock_.sleeps()[1], milliseconds(100));  // step 200 ms: [100, 200]
  EXPECT_LE(clock_.sleeps()[1], milliseconds(200));
}

TEST_F(NetworkApiClient, A429MovesTheNextAttemptToAnotherAccountWithoutWaiting) {
  const std::vector<ApiKey> keys = {{"acctA", "key-a-0001"}, {"acctB", "key-b-0002"}};
  auto& c = client(keys, keys, options());
  mock_.inject("/defi/ohlcv", Fault::too_many_requests(30));
  expect_bars(c.get_json(kOhlcvPath, kChain));
  const auto requests = mock_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].api_key, "key-a-0001");
  EXPECT_EQ(requests[1].api_key, "key-b-0002");
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(NetworkApiClient, RetriesServerErrorsWithCappedBackoff) {
  auto o = options();
  o.max_attempts = 6;
  o.backoff_cap = milliseconds(300);
  const std::vector<ApiKey> keys = {{"acct", "good-key-0001"}};
  auto& c = client(keys, keys, o);
  mock_.inject("/defi/ohlcv", Fault::status_code(503), 2);
  mock_.inject("/defi/ohlcv", Fault::status_code(500), 2);
  expect_bars(c.get_json(kOhlcvPath, kChain));
  // Steps 100, 200, 300 (capped), 300; each slept in [step/2, step].
  const std::vector<long long> steps = {100, 200, 300, 300};
  ASSERT_EQ(clock_.sleeps().size(), steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_GE(clock_.sleeps()[i].count(), steps[i] / 2) << i;
    EXPECT_LE(clock_.sleeps()[i].count(), steps[i]) << i;
  }
  EXPECT_EQ(c.counters().server_errors, 4u);
  EXPECT_EQ(c.counters().retries, 4u);
}

TEST_F(NetworkApiClient, GivesUpAfterMaxAttempts) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::status_code(502), 100);
  EXPECT_EQ(reason_of_failure(c), "retries_exhausted");
  EXPECT_NE(last_message_.find("HTTP 502"), std::string::npos) << last_message_;
  EXPECT_NE(last_message_.find("4 attempts"), std::string::npos) << last_message_;
  EXPECT_EQ(mock_.request_count(), 4u);
}

TEST_F(NetworkApiClient, SlowAnswerTimesOutAndIsRetried) {
  auto o = options();
  o.timeout = milliseconds(300);
  const std::vector<ApiKey> keys = {{"acct", "good-key-0001"}};
  auto& c = client(keys, keys, o);
  mock_.inject("/defi/ohlcv", Fault::slow(milliseconds(5000)));
  expect_bars(c.get_json(kOhlcvPath, kChain));
  EXPECT_EQ(c.counters().transport_errors, 1u);
  EXPECT_EQ(c.counters().requests_sent, 2u);
}

TEST_F(NetworkApiClient, ConnectionClosedMidBodyIsRetried) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::close_mid_body());
  expect_bars(c.get_json(kOhlcvPath, kChain));
  EXPECT_EQ(c.counters().transport_errors, 1u);
}

TEST_F(NetworkApiClient, RejectedKeysAreDisabledAndTheRestCarryOn) {
  const std::vector<ApiKey> keys = {
      {"acct", "unknown-key-0001"}, {"acct", "revoked-key-0002"}, {"acct", "good-key-0003"}};
  auto& c = client(keys, {keys[1], keys[2]}, options());
  mock_.revoke_key("revoked-key-0002");
  for (int i = 0; i < 3; ++i) expect_bars(c.get_json(kOhlcvPath, kChain));
  EXPECT_EQ(c.counters().keys_disabled, 2u);
  EXPECT_EQ(c.enabled_key_count(), 1u);
  EXPECT_EQ(mock_.responses_with_status(401), 1u);
  EXPECT_EQ(mock_.responses_with_status(403), 1u);
  EXPECT_EQ(mock_.responses_with_status(200), 3u);
  EXPECT_TRUE(clock_.sleeps().empty()) << "a rejected key is replaced at once";
  for (const auto& r : mock_.requests()) {
    if (r.status == 200) {
      EXPECT_EQ(r.api_key, "good-key-0003");
    }
  }
}

TEST_F(NetworkApiClient, AllKeysRejectedIsNoKeyLeft) {
  const std::vector<ApiKey> keys = {{"a1", "bad-key-0001"}, {"a2", "bad-key-0002"}};
  auto& c = client(keys, {}, options());
  EXPECT_EQ(reason_of_failure(c), "no_key_left");
  EXPECT_EQ(mock_.request_count(), 2u);
  EXPECT_EQ(c.enabled_key_count(), 0u);
  EXPECT_EQ(reason_of_failure(c), "no_key_left");  // and stays so, without asking again
  EXPECT_EQ(mock_.request_count(), 2u);
}

TEST_F(NetworkApiClient, NoKeyConfiguredIsNoKeyLeft) {
  auto& c = client({}, {}, options());
  EXPECT_EQ(reason_of_failure(c), "no_key_left");
  EXPECT_NE(last_message_.find("no API key configured"), std::string::npos) << last_message_;
  EXPECT_EQ(mock_.request_count(), 0u);
}

TEST_F(NetworkApiClient, MalformedJsonIsRetriedThenGivenUp) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::malformed_json(), 100);
  EXPECT_EQ(reason_of_failure(c), "malformed_json");
  EXPECT_EQ(mock_.request_count(), 3u);  // 1 + malformed_retries
  EXPECT_EQ(c.counters().malformed_bodies, 3u);
}

TEST_F(NetworkApiClient, TruncatedBodyIsRetried) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::truncated_body(), 2);
  expect_bars(c.get_json(kOhlcvPath, kChain));
  EXPECT_EQ(c.counters().malformed_bodies, 2u);
  EXPECT_EQ(mock_.request_count(), 3u);
}

TEST_F(NetworkApiClient, NotFoundFailsAtOnce) {
  auto& c = client_with_good_key();
  mock_.inject("/defi/ohlcv", Fault::status_code(404), 5);
  EXPECT_EQ(reason_of_failure(c), "http_404");
  EXPECT_EQ(mock_.request_count(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(NetworkApiClient, RateIsTheAccountLimitTimesTheRankFraction) {
  auto o = options();
  o.requests_per_second = 4;  // per account; this rank holds 1 of the account's 2 keys
  o.rate_safety = 1.0;
  const std::vector<ApiKey> all = {{"acct", "key-r0-0001"}, {"acct", "key-r1-0002"}};
  mock_.add_key("acct", "key-r0-0001");
  client_ = std::make_unique<RateLimitedApiClient>(o, *http_, clock_, share_keys(all, 0, 2));
  for (int i = 0; i < 4; ++i) client_->get_json(kOhlcvPath, kChain);
  // 2 per second for this rank: a burst of 2, then one every 500 ms.
  EXPECT_EQ(clock_.sleeps(), ms_list({500, 500}));
}

TEST_F(NetworkApiClient, KeylessProviderSendsNoKeyHeader) {
  auto o = options();
  o.key_header = "";
  mock_.set_series("POOL1", bars_);
  RateLimitedApiClient c(o, *http_, clock_, share_keys({}, 0, 1));
  const auto body =
      c.get_json("/api/v2/networks/solana/pools/POOL1/ohlcv/minute?aggregate=5&limit=1000", {});
  const auto& rows = body.at("data").at("attributes").at("ohlcv_list");
  ASSERT_EQ(rows.size(), bars_.size());
  EXPECT_EQ(rows[0][0].get<std::int64_t>(), bars_.back().timestamp);  // newest first
  ASSERT_EQ(mock_.request_count(), 1u);
  EXPECT_EQ(mock_.requests()[0].api_key, "");
}

// Every fault path at trace level: no key secret may reach a log line or an exception.
TEST_F(NetworkApiClient, NoKeySecretInLogsOrErrors) {
  std::ostringstream captured;
  const auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const std::vector<std::string> secrets = {"sk-live-SECRET-0001", "sk-live-SECRET-0002",
                                            "sk-live-SECRET-0003"};
  const std::vector<ApiKey> keys = {{"a", secrets[0]}, {"b", secrets[1]}, {"c", secrets[2]}};
  auto o = options();
  o.timeout = milliseconds(300);
  auto& c = client(keys, {keys[1], keys[2]}, o);  // key 0 unknown to the server: 401 echoing it
  mock_.revoke_key(secrets[1]);                   // key 1: 403 echoing it
  std::string errors;
  const auto attempt = [&] {
    try {
      c.get_json(kOhlcvPath, kChain);
    } catch (const std::exception& e) {
      errors += std::string(e.what()) + "\n";
    }
  };
  attempt();  // disables keys 0 and 1
  for (const Fault& f : {Fault::too_many_requests(1), Fault::status_code(500),
                         Fault::malformed_json(), Fault::truncated_body(), Fault::close_mid_body(),
                         Fault::slow(milliseconds(2000)), Fault::status_code(404)}) {
    mock_.inject("/defi/ohlcv", f);
    attempt();
  }
  mock_.revoke_key(secrets[2]);
  attempt();  // no_key_left, its message quoting the 403 body
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_NE(log.find(std::string(15, '*') + "0001"), std::string::npos) << "masked key logged";
  EXPECT_NE(errors.find("no API key left"), std::string::npos) << errors;
  EXPECT_NE(errors.find(std::string(15, '*') + "0003' was revoked"), std::string::npos)
      << "the 403 body, which echoes the key, is quoted masked:\n"
      << errors;
  EXPECT_NE(errors.find("HTTP 404"), std::string::npos) << errors;
  for (const std::string& secret : secrets) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "key in log:\n" << log;
    EXPECT_EQ(errors.find(secret), std::string::npos) << "key in error:\n" << errors;
    EXPECT_EQ(log.find(secret.substr(0, 14)), std::string::npos) << "key prefix in log";
  }
}

}  // namespace
}  // namespace snipe::collector
