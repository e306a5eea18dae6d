// Key-pool throughput against the loopback mock provider.
//
// The mock enforces each account's limit (requests/s) with its own token buckets. `ranks`
// threads, each with its own libcurl client, share_keys() slice and RateLimitedApiClient
// on the real clock, send a fixed number of /defi/ohlcv requests between them. Reported
// per scenario:
//   efficiency = requests/s while every rank is busy (from 1 s after the start until the
//                first rank finishes) / sum of the account limits          goal >= 0.95
//   late 429s  = 429 answers sent by the server after the first second       goal 0
// The first second is excluded because every bucket starts full (a one-second burst).
// Every answer is verified (bar count and first/last timestamps of the requested window);
// a wrong answer or a failed request makes the program exit 1.
//
//   build/benchmarks/bench_key_throughput            (~15 s: 5 scenarios of ~3 s)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/core/clock.h"
#include "collector/net/http_client.h"
#include "collector/net/keys.h"
#include "collector/net/rate_limited_api_client.h"
#include "collector/source.h"
#include "tests/support/mock_provider.h"
#include "tests/support/series.h"

namespace snipe::collector {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::duration;

struct Scenario {
  std::string name;
  int ranks = 1;
  std::vector<int> keys_per_account;  // [account] number of keys
  double per_second = 20.0;           // server limit per account
  int requests = 300;                 // over all ranks
  double client_factor = 1.0;         // the client believes the limit is this many times higher
  bool control = false;               // expected to overrun: the goal is to SEE late 429s
};

constexpr int kTokens = 8;
constexpr std::size_t kBars = 400;

// The request window of request `i` and what the answer must hold.
struct Expected {
  std::string path;
  std::size_t bars = 0;
  std::int64_t first = 0;
  std::int64_t last = 0;
};

Expected expected_answer(const std::vector<CandleSeries>& series, int i) {
  const CandleSeries& bars = series[static_cast<std::size_t>(i % kTokens)];
  const std::size_t begin = static_cast<std::size_t>(i * 7) % (kBars / 2);
  const std::size_t end = begin + 50 + static_cast<std::size_t>(i % 150);  // exclusive
  Expected e;
  e.path = fmt::format("/defi/ohlcv?address=TOKEN{}&type=5m&time_from={}&time_to={}", i % kTokens,
                       bars[begin].timestamp, bars[end - 1].timestamp);
  e.bars = end - begin;
  e.first = bars[begin].timestamp;
  e.last = bars[end - 1].timestamp;
  return e;
}

bool answer_matches(const nlohmann::json& body, const Expected& e) {
  const auto& items = body.at("data").at("items");
  return items.size() == e.bars && items.front().at("unixTime").get<std::int64_t>() == e.first &&
         items.back().at("unixTime").get<std::int64_t>() == e.last;
}

std::vector<ApiKey> make_keys(const std::vector<int>& keys_per_account) {
  std::vector<ApiKey> keys;
  for (std::size_t a = 0; a < keys_per_account.size(); ++a) {
    for (int k = 0; k < keys_per_account[a]; ++k) {
      keys.push_back({fmt::format("acct{}", a), fmt::format("bench-key-{}-{}-xxxx", a, k)});
    }
  }
  return keys;
}

// What one rank thread did.
struct RankResult {
  std::vector<SteadyClock::time_point> done;  // completion time of each request
  int wrong = 0;                              // answers that did not match
  int failed = 0;                             // SourceErrors
  ApiClientCounters counters;
};

void run_rank(const Scenario& s, int rank, const std::vector<ApiKey>& keys, const std::string& url,
              const std::vector<CandleSeries>& series, RankResult& out) {
  RealClock clock;
  const auto http = make_curl_http_client();
  ApiClientOptions options;
  options.base_url = url;
  options.requests_per_second = s.per_second * s.client_factor;
  options.requests_per_minute = s.per_second * s.client_factor * 60;
  options.jitter_seed = 1 + static_cast<std::uint64_t>(rank);
  RateLimitedApiClient client(options, *http, clock, share_keys(keys, rank, s.ranks));
  for (int i = rank; i < s.requests; i += s.ranks) {  // the token list split by index
    const Expected e = expected_answer(series, i);
    try {
      if (!answer_matches(client.get_json(e.path, {{"x-chain", "solana"}}), e)) ++out.wrong;
    } catch (const SourceError& error) {
      ++out.failed;
      std::fprintf(stderr, "rank %d: %s\n", rank, error.what());
    }
    out.done.push_back(SteadyClock::now());
  }
  out.counters = client.counters();
}

struct Summary {
  double steady_per_s = 0;   // completions/s from 1 s after the start until the first rank ends
  double total_s = 0;        // start to the last rank's end
  std::size_t late_429 = 0;  // 429s the server sent after the first second
  std::uint64_t limited = 0, retries = 0;
  int bad = 0;  // wrong answers + failed requests
};

Summary summarize(const std::vector<RankResult>& results, SteadyClock::time_point start,
                  const testing::MockProvider& mock) {
  Summary sum;
  const auto warm = start + std::chrono::seconds(1);
  auto all_busy_until = SteadyClock::time_point::max();
  auto finish = start;
  for (const RankResult& r : results) {
    all_busy_until = std::min(all_busy_until, r.done.back());
    finish = std::max(finish, r.done.back());
    sum.bad += r.wrong + r.failed;
    sum.retries += r.counters.retries;
    sum.limited += r.counters.responses_429;
  }
  std::size_t in_window = 0;
  for (const RankResult& r : results) {
    for (const auto t : r.done) in_window += t > warm && t <= all_busy_until;
  }
  for (const auto& req : mock.requests()) {
    sum.late_429 += req.status == 429 && req.received_at > warm;
  }
  const double window_s = duration<double>(all_busy_until - warm).count();
  sum.steady_per_s = window_s > 0 ? static_cast<double>(in_window) / window_s : 0.0;
  sum.total_s = duration<double>(finish - start).count();
  return sum;
}

void print_row(const Scenario& s, const Summary& sum) {
  const double limit = s.per_second * static_cast<double>(s.keys_per_account.size());
  const double efficiency = sum.steady_per_s / limit;
  const bool met = s.control ? sum.late_429 > 0 : efficiency >= 0.95 && sum.late_429 == 0;
  std::printf("%-40s %5d %5zu %7.0f %6d %6.2f %8.1f %10.3f %8zu %5llu %7llu %8s  %s\n",
              s.name.c_str(), s.ranks, s.keys_per_account.size(), limit, s.requests, sum.total_s,
              sum.steady_per_s, efficiency, sum.late_429,
              static_cast<unsigned long long>(sum.limited),
              static_cast<unsigned long long>(sum.retries), sum.bad == 0 ? "all ok" : "WRONG",
              s.control ? (met ? "overrun detected (as it must be)" : "OVERRUN NOT DETECTED")
                        : (met ? "goal met" : "GOAL MISSED"));
}

// Returns false when an answer was wrong or a request failed.
bool run_scenario(const Scenario& s, const std::vector<CandleSeries>& series) {
  testing::MockProvider mock;
  const std::vector<ApiKey> keys = make_keys(s.keys_per_account);
  for (const ApiKey& k : keys) mock.add_key(k.account, k.secret);
  for (std::size_t a = 0; a < s.keys_per_account.size(); ++a) {
    mock.set_account_limit(fmt::format("acct{}", a), {s.per_second, s.per_second * 60});
  }
  for (int t = 0; t < kTokens; ++t) {
    mock.set_series(fmt::format("TOKEN{}", t), series[static_cast<std::size_t>(t)]);
  }
  std::vector<RankResult> results(static_cast<std::size_t>(s.ranks));
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int r = 0; r < s.ranks; ++r) {
    threads.emplace_back(run_rank, std::cref(s), r, std::cref(keys), mock.base_url(),
                         std::cref(series), std::ref(results[static_cast<std::size_t>(r)]));
  }
  for (auto& t : threads) t.join();
  const Summary sum = summarize(results, start, mock);
  print_row(s, sum);
  return sum.bad == 0;
}

int run() {
  spdlog::set_level(spdlog::level::warn);
  std::vector<CandleSeries> series;
  for (int t = 0; t < kTokens; ++t) {
    series.push_back(testing::random_walk(kBars, static_cast<std::uint32_t>(100 + t)));
  }
  const std::vector<Scenario> scenarios = {
      {"1 rank, 8 keys in 4 accounts", 1, {2, 2, 2, 2}, 20.0, 320},
      {"3 ranks, 8 keys in 4 accounts", 3, {2, 2, 2, 2}, 20.0, 320},
      {"2 ranks, uneven accounts (3+1)", 2, {3, 1}, 20.0, 160},
      {"4 ranks share 2 keys (2 accounts)", 4, {1, 1}, 20.0, 160},
      // Control: a client that believes the limit is 25% higher must be caught by the
      // server's buckets (late 429s), proving the measurement can see an overrun.
      {"control: client assumes 1.25x the limit", 2, {2, 2}, 20.0, 160, 1.25, true},
  };
  std::printf("%-40s %5s %5s %7s %6s %6s %8s %10s %8s %5s %7s %8s\n", "scenario", "ranks", "accts",
              "limit/s", "reqs", "secs", "steady/s", "efficiency", "late429", "429s", "retries",
              "answers");
  bool ok = true;
  for (const Scenario& s : scenarios) ok = run_scenario(s, series) && ok;
  std::printf(
      "efficiency = requests/s while all ranks are busy, after the first second, / sum of "
      "account limits (goal >= 0.95); late429 = 429s after the first second (goal 0)\n");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace snipe::collector

int main() { return snipe::collector::run(); }
