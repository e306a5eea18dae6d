#include "tests/support/mock_provider.h"

// Debian's libcpp-httplib is built with these; httplib.h's class layouts depend on them,
// so every user of the shared library must see the same definitions.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "shared/core/clock.h"
#include "collector/net/keys.h"

namespace snipe::testing {
namespace {

using nlohmann::json;

constexpr std::size_t kBirdeyeMaxBars = 1000;     // /defi/ohlcv answers at most this many
constexpr std::int64_t kNewListingMaxLimit = 10;  // /defi/v2/tokens/new_listing limit range 1..10
constexpr std::int64_t kGeckoMaxLimit = 1000;     // GeckoTerminal ohlcv limit range 1..1000
constexpr std::int64_t kGeckoDefaultLimit = 100;
// With a charset parameter httplib does not compress (its brotli at maximum quality
// costs ~15 ms per answer); the real services send this content type too.
constexpr const char* kJson = "application/json; charset=utf-8";

// A complete answer before faults are applied.
struct Answer {
  int status = 200;
  json body;
  std::optional<int> retry_after_s;
};

// Thrown by request parsing; becomes a 400/404 answer.
struct BadRequest {
  int status;
  std::string message;
};

Answer birdeye_error(int status, const std::string& message) {
  return {status, json{{"success", false}, {"message", message}}, std::nullopt};
}

Answer gecko_error(int status, const std::string& title) {
  return {status,
          json{{"errors", json::array({{{"status", std::to_string(status)}, {"title", title}}})}},
          std::nullopt};
}

// An integer query parameter; nullopt when absent, BadRequest when not an integer.
std::optional<std::int64_t> int_param(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string text = req.get_param_value(name);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw BadRequest{400, "invalid " + name};
  }
  return value;
}

// Series are held with USD volume (as snipe stores candles); Birdeye's `v` is the traded
// token amount, so the mock answers volume / close, as the real API would.
json birdeye_bar(const Candle& c, const std::string& address) {
  return {{"o", c.open},        {"h", c.high},   {"l", c.low},
          {"c", c.close},       {"v", c.volume / c.close}, {"unixTime", c.timestamp},
          {"address", address}, {"type", "5m"}};
}

json gecko_row(const Candle& c) {
  return json::array({c.timestamp, c.open, c.high, c.low, c.close, c.volume});
}

json listing_json(const MockListing& l) {
  return {{"address", l.address},
          {"symbol", l.symbol},
          {"name", l.name},
          {"decimals", l.decimals},
          {"liquidityAddedAt", l.liquidity_added_at},
          {"liquidity", l.liquidity}};
}

json birdeye_ok(json data) { return {{"success", true}, {"data", std::move(data)}}; }

std::string query_of(const httplib::Request& req) {
  const std::size_t q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

}  // namespace

// Server state and handlers. The public fields are the test-visible state: the server
// threads and the MockProvider methods touch them only under mutex_.
class MockProvider::Impl {
 public:
  explicit Impl(MockProviderOptions options);
  ~Impl();

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  const MockProviderOptions options_;  // immutable: read without the lock
  mutable std::mutex mutex_;  // guards everything below, and is the wait lock of slow faults
  std::map<std::string, std::string> key_accounts_;  // [secret] -> account
  std::set<std::string> revoked_;                    // secrets answered with 403
  std::map<std::string, collector::RateLimit> account_limits_;
  std::map<std::string, collector::AccountLimiter> limiters_;   // [account], made on first use
  std::map<std::string, CandleSeries> series_;                  // [token or pool address]
  std::map<std::string, json> security_, overview_, creation_;  // [token] -> data object
  std::vector<MockListing> listings_;
  struct Injected {
    std::string prefix;
    Fault fault;
    int remaining;
  };
  std::deque<Injected> faults_;
  std::vector<RecordedRequest> requests_;
  std::map<int, std::size_t> status_counts_;

 private:
  // Request handling, in the order a request meets it.
  void handle(const httplib::Request& req, httplib::Response& res);
  std::optional<Fault> take_fault(const std::string& path);
  bool wait_or_stop(std::chrono::milliseconds delay);
  Answer serve(const httplib::Request& req);
  std::optional<Answer> check_birdeye_caller(const httplib::Request& req);
  std::optional<Answer> take_rate_token(const std::string& account);
  Answer birdeye_ohlcv(const httplib::Request& req);
  Answer birdeye_new_listing(const httplib::Request& req);
  Answer birdeye_lookup(const httplib::Request& req, const std::map<std::string, json>& table,
                        const json& unknown);
  Answer gecko_ohlcv(const httplib::Request& req);
  void write(const Answer& answer, const std::optional<Fault>& fault, httplib::Response& res);

  RealClock clock_;  // drives limiters_ (stateless, so its place here is safe)
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  bool stopping_ = false;
  std::condition_variable stop_cv_;
};

MockProvider::Impl::Impl(MockProviderOptions options) : options_(std::move(options)) {
  server_.set_keep_alive_max_count(1000);
  server_.set_tcp_nodelay(true);  // no Nagle: answers go out whole, without a 40 ms stall
  server_.Get(".*",
              [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("MockProvider: cannot bind a port on 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() before the accept loop runs would be lost: wait until it does.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MockProvider::Impl::~Impl() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_.stop();
  thread_.join();
}

void MockProvider::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  const auto received_at = std::chrono::steady_clock::now();
  std::optional<Fault> fault = take_fault(req.path);
  if (fault && fault->kind == Fault::Kind::kSlow) {
    if (!wait_or_stop(fault->delay)) return;
    fault.reset();
  }
  Answer answer;
  if (fault && fault->kind == Fault::Kind::kStatus) {
    answer = req.path.starts_with("/api/") ? gecko_error(fault->status, "Injected Fault")
                                           : birdeye_error(fault->status, "injected fault");
    answer.retry_after_s = fault->retry_after_s;
  } else {
    answer = serve(req);
  }
  write(answer, fault, res);
  std::lock_guard lock(mutex_);
  requests_.push_back({req.path, query_of(req), req.get_header_value("X-API-KEY"),
                       req.get_header_value("x-chain"), res.status, received_at});
  ++status_counts_[res.status];
}

std::optional<Fault> MockProvider::Impl::take_fault(const std::string& path) {
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!path.starts_with(it->prefix)) continue;
    const Fault fault = it->fault;
    if (--it->remaining <= 0) faults_.erase(it);
    return fault;
  }
  return std::nullopt;
}

// Sleeps `delay` unless the server is stopping first; false when stopping.
bool MockProvider::Impl::wait_or_stop(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !stop_cv_.wait_for(lock, delay, [this] { return stopping_; });
}

Answer MockProvider::Impl::serve(const httplib::Request& req) {
  try {
    if (req.path.starts_with("/api/v2/networks/")) {
      const auto refused = take_rate_token(std::string(collector::kAnonymousAccount));
      if (refused) return *refused;
      return gecko_ohlcv(req);
    }
    if (!req.path.starts_with("/defi/")) return birdeye_error(404, "Not found");
    if (auto refused = check_birdeye_caller(req)) return *refused;
    if (req.path == "/defi/ohlcv") return birdeye_ohlcv(req);
    if (req.path == "/defi/v2/tokens/new_listing") return birdeye_new_listing(req);
    if (req.path == "/defi/token_security") return birdeye_lookup(req, security_, json::object());
    if (req.path == "/defi/token_overview") return birdeye_lookup(req, overview_, json::object());
    if (req.path == "/defi/token_creation_info") return birdeye_lookup(req, creation_, nullptr);
    return birdeye_error(404, "Not found");
  } catch (const BadRequest& bad) {
    return req.path.starts_with("/api/") ? gecko_error(bad.status, bad.message)
                                         : birdeye_error(bad.status, bad.message);
  }
}

// Key, chain and the account's rate limit; nullopt when the request may be served.
std::optional<Answer> MockProvider::Impl::check_birdeye_caller(const httplib::Request& req) {
  const std::string key = req.get_header_value("X-API-KEY");
  std::string account;
  {
    std::lock_guard lock(mutex_);
    const auto it = key_accounts_.find(key);
    if (it == key_accounts_.end()) {
      return birdeye_error(401, "Unauthorized: invalid api key '" + key + "'");
    }
    if (revoked_.contains(key)) {
      return birdeye_error(403, "Forbidden: api key '" + key + "' was revoked");
    }
    account = it->second;
  }
  const std::string chain = req.has_header("x-chain") ? req.get_header_value("x-chain") : "solana";
  if (chain != options_.chain) return birdeye_error(400, "chain not supported: " + chain);
  return take_rate_token(account);
}

std::optional<Answer> MockProvider::Impl::take_rate_token(const std::string& account) {
  std::lock_guard lock(mutex_);
  auto it = limiters_.find(account);
  if (it == limiters_.end()) {
    const auto limit = account_limits_.find(account);
    const collector::RateLimit chosen = limit != account_limits_.end() ? limit->second
                                        : account == collector::kAnonymousAccount
                                            ? options_.anonymous_limit
                                            : options_.default_account_limit;
    it = limiters_.emplace(account, collector::AccountLimiter(chosen, clock_)).first;
  }
  if (it->second.try_acquire()) return std::nullopt;
  Answer refused = account == collector::kAnonymousAccount
                       ? gecko_error(429, "Too Many Requests")
                       : birdeye_error(429, "Too many requests");
  if (options_.send_retry_after) {
    const auto wait_ms = it->second.wait_time().count();
    refused.retry_after_s = static_cast<int>(std::max<long long>(1, (wait_ms + 999) / 1000));
  }
  return refused;
}

Answer MockProvider::Impl::birdeye_ohlcv(const httplib::Request& req) {
  const std::string address = req.get_param_value("address");
  const auto from = int_param(req, "time_from");
  const auto to = int_param(req, "time_to");
  if (address.empty() || !from || !to) {
    throw BadRequest{400, "address, time_from and time_to are required"};
  }
  if (req.get_param_value("type") != "5m") throw BadRequest{400, "the mock serves type=5m only"};
  json items = json::array();
  std::lock_guard lock(mutex_);
  if (const auto it = series_.find(address); it != series_.end()) {
    for (const Candle& c : it->second) {
      if (c.timestamp < *from || c.timestamp > *to) continue;
      if (items.size() == kBirdeyeMaxBars) break;
      items.push_back(birdeye_bar(c, address));
    }
  }
  return {200, birdeye_ok({{"items", std::move(items)}}), std::nullopt};
}

Answer MockProvider::Impl::birdeye_new_listing(const httplib::Request& req) {
  const std::int64_t time_to = int_param(req, "time_to").value_or(INT64_MAX);
  const std::int64_t limit = int_param(req, "limit").value_or(kNewListingMaxLimit);
  if (limit < 1 || limit > kNewListingMaxLimit) throw BadRequest{400, "limit must be 1..10"};
  std::vector<MockListing> chosen;
  {
    std::lock_guard lock(mutex_);
    for (const MockListing& l : listings_) {
      if (l.liquidity_added_at <= time_to) chosen.push_back(l);
    }
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](const MockListing& a, const MockListing& b) {
    return a.liquidity_added_at > b.liquidity_added_at;
  });
  json items = json::array();
  for (std::size_t i = 0; i < chosen.size() && i < static_cast<std::size_t>(limit); ++i) {
    items.push_back(listing_json(chosen[i]));
  }
  return {200, birdeye_ok({{"items", std::move(items)}}), std::nullopt};
}

Answer MockProvider::Impl::birdeye_lookup(const httplib::Request& req,
                                          const std::map<std::string, json>& table,
                                          const json& unknown) {
  const std::string address = req.get_param_value("address");
  if (address.empty()) throw BadRequest{400, "address is required"};
  std::lock_guard lock(mutex_);
  const auto it = table.find(address);
  json body = birdeye_ok(it != table.end() ? it->second : unknown);
  if (&table == &security_) body["statusCode"] = 200;
  return {200, std::move(body), std::nullopt};
}

Answer MockProvider::Impl::gecko_ohlcv(const httplib::Request& req) {
  static const std::regex kPath("^/api/v2/networks/([^/]+)/pools/([^/]+)/ohlcv/([^/]+)$");
  std::smatch m;
  if (!std::regex_match(req.path, m, kPath)) throw BadRequest{404, "Not Found"};
  if (m[1] != options_.network) throw BadRequest{404, "Not Found"};
  if (m[3] != "minute" || int_param(req, "aggregate").value_or(1) != 5) {
    throw BadRequest{400, "the mock serves minute bars with aggregate=5 only"};
  }
  const std::int64_t before = int_param(req, "before_timestamp").value_or(INT64_MAX);
  const std::int64_t limit = int_param(req, "limit").value_or(kGeckoDefaultLimit);
  if (limit < 1 || limit > kGeckoMaxLimit) throw BadRequest{400, "limit must be 1..1000"};
  const std::string pool = m[2];
  json rows = json::array();
  std::lock_guard lock(mutex_);
  const auto it = series_.find(pool);
  if (it == series_.end()) throw BadRequest{404, "Not Found"};
  for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) {
    if (c->timestamp >= before) continue;
    if (static_cast<std::int64_t>(rows.size()) == limit) break;
    rows.push_back(gecko_row(*c));
  }
  json body = {{"data",
                {{"id", "mock-" + pool},
                 {"type", "ohlcv_request_response"},
                 {"attributes", {{"ohlcv_list", std::move(rows)}}}}},
               {"meta",
                {{"base",
                  {{"address", pool},
                   {"name", "Mock Token"},
                   {"symbol", "MOCK"},
                   {"coingecko_coin_id", nullptr}}},
                 {"quote",
                  {{"address", "So11111111111111111111111111111111111111112"},
                   {"name", "Wrapped SOL"},
                   {"symbol", "SOL"},
                   {"coingecko_coin_id", "wrapped-solana"}}}}}};
  return {200, std::move(body), std::nullopt};
}

// Puts `answer` on the wire, damaged as the fault says.
void MockProvider::Impl::write(const Answer& answer, const std::optional<Fault>& fault,
                               httplib::Response& res) {
  res.status = answer.status;
  if (answer.retry_after_s) res.set_header("Retry-After", std::to_string(*answer.retry_after_s));
  const std::string body = answer.body.dump();
  const Fault::Kind kind = fault ? fault->kind : Fault::Kind::kStatus;
  if (kind == Fault::Kind::kMalformedJson) {
    res.status = 200;
    res.set_content("<html><body>502 Bad Gateway</body></html>", kJson);
  } else if (kind == Fault::Kind::kTruncatedBody) {
    res.status = 200;
    res.set_content(body.substr(0, body.size() / 2), kJson);
  } else if (kind == Fault::Kind::kCloseMidBody) {
    res.status = 200;
    const std::string half = body.substr(0, body.size() / 2);
    res.set_content_provider(body.size(), kJson,
                             [half](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset >= half.size()) return false;  // aborts the connection
                               sink.write(half.data() + offset, half.size() - offset);
                               return true;
                             });
  } else {
    res.set_content(body, kJson);
  }
}

MockProvider::MockProvider(MockProviderOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MockProvider::~MockProvider() = default;

std::string MockProvider::base_url() const { return impl_->base_url(); }

void MockProvider::add_key(const std::string& account, const std::string& secret) {
  std::lock_guard lock(impl_->mutex_);
  impl_->key_accounts_[secret] = account;
  impl_->revoked_.erase(secret);
}

void MockProvider::revoke_key(const std::string& secret) {
  std::lock_guard lock(impl_->mutex_);
  impl_->revoked_.insert(secret);
}

void MockProvider::set_account_limit(const std::string& account, collector::RateLimit limit) {
  std::lock_guard lock(impl_->mutex_);
  impl_->account_limits_[account] = limit;
  impl_->limiters_.erase(account);
}

void MockProvider::set_series(const std::string& address, CandleSeries candles) {
  std::lock_guard lock(impl_->mutex_);
  impl_->series_[address] = std::move(candles);
}

void MockProvider::set_token_security(const std::string& address, nlohmann::json data) {
  std::lock_guard lock(impl_->mutex_);
  impl_->security_[address] = std::move(data);
}

void MockProvider::set_token_overview(const std::string& address, nlohmann::json data) {
  std::lock_guard lock(impl_->mutex_);
  impl_->overview_[address] = std::move(data);
}

void MockProvider::set_token_creation_info(const std::string& address, nlohmann::json data) {
  std::lock_guard lock(impl_->mutex_);
  impl_->creation_[address] = std::move(data);
}

void MockProvider::set_new_listings(std::vector<MockListing> listings) {
  std::lock_guard lock(impl_->mutex_);
  impl_->listings_ = std::move(listings);
}

void MockProvider::inject(const std::string& path_prefix, Fault fault, int count) {
  if (count <= 0) return;
  std::lock_guard lock(impl_->mutex_);
  impl_->faults_.push_back({path_prefix, fault, count});
}

std::vector<RecordedRequest> MockProvider::requests() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->requests_;
}

std::size_t MockProvider::request_count() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->requests_.size();
}

std::size_t MockProvider::responses_with_status(int status) const {
  std::lock_guard lock(impl_->mutex_);
  const auto it = impl_->status_counts_.find(status);
  return it == impl_->status_counts_.end() ? 0 : it->second;
}

std::map<int, std::size_t> MockProvider::status_counts() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->status_counts_;
}

}  // namespace snipe::testing
