#include "collector/net/rate_limited_api_client.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "collector/source.h"
#include "shared/core/errors.h"

namespace snipe::collector {
namespace {

using std::chrono::milliseconds;

enum class Verdict {
  kOk,           // 2xx with a JSON body
  kRateLimited,  // 429
  kKeyRejected,  // 401/403 from a keyed provider
  kTransient,    // 5xx, timeout, refused/reset connection, cut transfer
  kMalformed,    // 2xx whose body is not JSON (garbage or truncated)
  kFatal,        // anything else: retrying cannot help
};

// Retry-After as delta-seconds; an HTTP-date or garbage counts as absent.
std::optional<std::chrono::seconds> parse_retry_after(
    const std::map<std::string, std::string>& headers) {
  const auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  const std::string& text = it->second;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

// The start of a body for messages: printable characters only, at most 160 of them.
std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 160;
  std::string out;
  for (const char c : body.substr(0, kMax)) out.push_back(c >= ' ' && c < 0x7f ? c : ' ');
  if (body.size() > kMax) out += "...";
  return out;
}

std::string describe_status(const HttpResponse& response) {
  if (response.body.empty()) return fmt::format("HTTP {}", response.status);
  return fmt::format("HTTP {} ({})", response.status, excerpt(response.body));
}

}  // namespace

struct RateLimitedApiClient::Outcome {
  Verdict verdict = Verdict::kFatal;
  nlohmann::json body;                              // kOk: the parsed answer
  std::string reason;                               // kFatal: stable code, e.g. "http_404"
  std::string detail;                               // what happened, may hold server text
  std::optional<std::chrono::seconds> retry_after;  // kRateLimited: the server's wish
  bool transport = false;                           // kTransient: no complete HTTP answer
};

// Progress of one get_json() call.
struct RateLimitedApiClient::CallState {
  std::string target;        // "GET <url>" for messages (no key in it)
  int failures = 0;          // 429s, 5xx and transport errors so far
  int malformed = 0;         // unparsable 2xx bodies so far
  std::string last_failure;  // detail of the most recent failure, keys scrubbed
};

RateLimitedApiClient::RateLimitedApiClient(ApiClientOptions options, HttpClient& http, Clock& clock,
                                           RankKeyShare share)
    : options_(std::move(options)), http_(http), clock_(clock), jitter_(options_.jitter_seed) {
  if (options_.base_url.empty()) throw ConfigError("api client: base_url is empty");
  if (options_.max_attempts < 1 || options_.malformed_retries < 0) {
    throw ConfigError("api client: max_attempts must be >= 1 and malformed_retries >= 0");
  }
  if (!(options_.rate_safety > 0.0 && options_.rate_safety <= 1.0)) {
    throw ConfigError("api client: rate_safety must be in (0, 1]");
  }
  add_accounts(share);
}

// One Account per account name, with the rank's fraction of the per-account limits.
// A keyless provider gets a single anonymous account holding one empty "key".
void RateLimitedApiClient::add_accounts(const RankKeyShare& share) {
  std::map<std::string, std::vector<KeySlot>> by_account;
  if (options_.key_header.empty()) {
    by_account[std::string(kAnonymousAccount)].push_back(KeySlot{});
  } else {
    for (const ApiKey& key : share.keys) by_account[key.account].push_back({key.secret, true});
  }
  accounts_.reserve(by_account.size());
  for (auto& [name, keys] : by_account) {
    const auto fraction = share.account_budget_fraction.find(name);
    if (fraction == share.account_budget_fraction.end() || !(fraction->second > 0.0)) {
      spdlog::debug("{}: account '{}' has no budget on this rank; its {} key(s) stay unused",
                    options_.base_url, name, keys.size());
      continue;
    }
    const double scale = fraction->second * options_.rate_safety;
    const RateLimit limit{options_.requests_per_second * scale,
                          options_.requests_per_minute * scale};
    accounts_.push_back(Account{name, AccountLimiter(limit, clock_), std::move(keys), 0});
  }
  last_account_ = accounts_.empty() ? 0 : accounts_.size() - 1;  // the first pick is account 0
}

nlohmann::json RateLimitedApiClient::get_json(const std::string& path_and_query,
                                              const Headers& headers) {
  ++counters_.calls;
  CallState call;
  call.target = fmt::format("GET {}{}", options_.base_url, path_and_query);
  for (;;) {
    const Pick pick = pick_key(call);
    accounts_[pick.account].limiter.acquire();
    Outcome outcome = classify(send(pick, path_and_query, headers));
    if (outcome.verdict == Verdict::kOk) return std::move(outcome.body);
    handle_failure(pick, outcome, call);  // throws when giving up
    ++counters_.retries;
  }
}

std::size_t RateLimitedApiClient::enabled_key_count() const {
  std::size_t count = 0;
  for (const Account& account : accounts_) {
    count += static_cast<std::size_t>(std::count_if(account.keys.begin(), account.keys.end(),
                                                    [](const KeySlot& k) { return k.enabled; }));
  }
  return count;
}

bool RateLimitedApiClient::has_enabled_key(const Account& account) const {
  return std::any_of(account.keys.begin(), account.keys.end(),
                     [](const KeySlot& k) { return k.enabled; });
}

// The account whose limiter frees soonest (ties: the next one after the last used), then
// that account's next enabled key.
RateLimitedApiClient::Pick RateLimitedApiClient::pick_key(const CallState& call) {
  std::optional<std::size_t> best;
  milliseconds best_wait{0};
  for (std::size_t step = 1; step <= accounts_.size(); ++step) {
    const std::size_t a = (last_account_ + step) % accounts_.size();
    if (!has_enabled_key(accounts_[a])) continue;
    const milliseconds wait = accounts_[a].limiter.wait_time();
    if (!best || wait < best_wait) {
      best = a;
      best_wait = wait;
    }
  }
  if (!best) {
    give_up("no_key_left",
            accounts_.empty()
                ? std::string("no API key configured for this rank; set the provider's key "
                              "environment variable or key file")
                : "no API key left: every key of this rank was rejected (401/403); check or "
                  "replace the keys. Last rejection: " +
                      call.last_failure,
            call);
  }
  Account& account = accounts_[*best];
  last_account_ = *best;
  while (!account.keys[account.next_key % account.keys.size()].enabled) ++account.next_key;
  const std::size_t key = account.next_key++ % account.keys.size();
  return {*best, key};
}

HttpResponse RateLimitedApiClient::send(const Pick& pick, const std::string& path_and_query,
                                        const Headers& headers) {
  HttpRequest request;
  request.url = options_.base_url + path_and_query;
  request.timeout = options_.timeout;
  request.headers = options_.default_headers;
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  if (!options_.key_header.empty()) {
    request.headers.emplace_back(options_.key_header,
                                 accounts_[pick.account].keys[pick.key].secret);
  }
  ++counters_.requests_sent;
  return http_.get(request);
}

// The one place that decides what a response means.
RateLimitedApiClient::Outcome RateLimitedApiClient::classify(HttpResponse response) const {
  Outcome out;
  const int status = response.status;
  if (!response.transport_error.empty()) {
    out.verdict = Verdict::kTransient;
    out.transport = true;
    out.detail = "transport error: " + response.transport_error;
  } else if (status == 429) {
    out.verdict = Verdict::kRateLimited;
    out.detail = describe_status(response);
    out.retry_after = parse_retry_after(response.headers);
  } else if ((status == 401 || status == 403) && !options_.key_header.empty()) {
    out.verdict = Verdict::kKeyRejected;
    out.detail = describe_status(response);
  } else if (status >= 500 && status <= 599) {
    out.verdict = Verdict::kTransient;
    out.detail = describe_status(response);
  } else if (status >= 200 && status <= 299) {
    out.body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    out.verdict = out.body.is_discarded() ? Verdict::kMalformed : Verdict::kOk;
    out.detail = fmt::format("HTTP {} with a body that is not JSON ({} bytes: {})", status,
                             response.body.size(), excerpt(response.body));
  } else {
    out.verdict = Verdict::kFatal;
    out.reason = fmt::format("http_{}", status);
    out.detail = describe_status(response);
  }
  return out;
}

// Records a failed attempt and prepares the next one (disables a key, sleeps or pauses an
// account), or throws SourceError when this call should give up.
void RateLimitedApiClient::handle_failure(const Pick& pick, const Outcome& outcome,
                                          CallState& call) {
  call.last_failure = redact(outcome.detail);
  switch (outcome.verdict) {
    case Verdict::kKeyRejected:
      return disable_key(pick, call);
    case Verdict::kFatal:
      give_up(outcome.reason, call.last_failure, call);
    case Verdict::kMalformed:
      return wait_after_malformed(call);
    case Verdict::kRateLimited:
    case Verdict::kTransient:
      return wait_after_transient(pick, outcome, call);
    case Verdict::kOk:
      return;
  }
}

void RateLimitedApiClient::wait_after_malformed(CallState& call) {
  ++counters_.malformed_bodies;
  if (++call.malformed > options_.malformed_retries) {
    give_up("malformed_json",
            fmt::format("gave up after {} unparsable answers; last: {}", call.malformed,
                        call.last_failure),
            call);
  }
  const milliseconds delay = backoff_delay(call.malformed);
  spdlog::debug("{}: {}; retrying in {} ms", call.target, call.last_failure, delay.count());
  clock_.sleep_for(delay);
}

// 429, 5xx and transport errors share the max_attempts budget. A 429 pauses only its
// account, so another account may take the next attempt at once.
void RateLimitedApiClient::wait_after_transient(const Pick& pick, const Outcome& outcome,
                                                CallState& call) {
  const bool limited = outcome.verdict == Verdict::kRateLimited;
  if (limited) {
    ++counters_.responses_429;
  } else if (outcome.transport) {
    ++counters_.transport_errors;
  } else {
    ++counters_.server_errors;
  }
  if (++call.failures >= options_.max_attempts) {
    give_up("retries_exhausted",
            fmt::format("gave up after {} attempts; last: {}", call.failures, call.last_failure),
            call);
  }
  const milliseconds delay =
      limited ? rate_limit_delay(outcome, call.failures) : backoff_delay(call.failures);
  spdlog::debug("{}: {}; retrying in {} ms (attempt {} of {})", call.target, call.last_failure,
                delay.count(), call.failures + 1, options_.max_attempts);
  if (limited) {
    accounts_[pick.account].limiter.drain_for(delay);
  } else {
    clock_.sleep_for(delay);
  }
}

void RateLimitedApiClient::disable_key(const Pick& pick, const CallState& call) {
  Account& account = accounts_[pick.account];
  KeySlot& key = account.keys[pick.key];
  key.enabled = false;
  ++counters_.keys_disabled;
  spdlog::warn(
      "{}: API key {} of account '{}' was rejected ({}); disabled for this run, {} "
      "key(s) left on this rank",
      options_.base_url, mask_key(key.secret), account.name, call.last_failure,
      enabled_key_count());
}

// Capped exponential backoff with "equal jitter": half the step fixed, half random.
milliseconds RateLimitedApiClient::backoff_delay(int failures) {
  const double step = std::min(static_cast<double>(options_.backoff_cap.count()),
                               static_cast<double>(options_.backoff_base.count()) *
                                   std::pow(2.0, std::max(0, failures - 1)));
  std::uniform_real_distribution<double> random_half(0.0, step / 2.0);
  return milliseconds(static_cast<long long>(step / 2.0 + random_half(jitter_)));
}

// The server's Retry-After (clamped) plus up to 10% so ranks do not return in lockstep;
// without one, the exponential backoff.
milliseconds RateLimitedApiClient::rate_limit_delay(const Outcome& outcome, int failures) {
  if (!outcome.retry_after) return backoff_delay(failures);
  const milliseconds wait = std::min<milliseconds>(*outcome.retry_after, options_.retry_after_cap);
  std::uniform_real_distribution<double> extra(0.0, static_cast<double>(wait.count()) / 10.0);
  return wait + milliseconds(static_cast<long long>(extra(jitter_)));
}

void RateLimitedApiClient::give_up(const std::string& reason, const std::string& what,
                                   const CallState& call) const {
  throw SourceError(reason, redact(fmt::format("{}: {}", call.target, what)));
}

// Replaces every key this client knows with its masked form: servers may echo a key back.
std::string RateLimitedApiClient::redact(std::string text) const {
  for (const Account& account : accounts_) {
    for (const KeySlot& key : account.keys) {
      if (key.secret.empty()) continue;
      for (std::size_t at = text.find(key.secret); at != std::string::npos;
           at = text.find(key.secret, at)) {
        const std::string masked = mask_key(key.secret);
        text.replace(at, key.secret.size(), masked);
        at += masked.size();
      }
    }
  }
  return text;
}

}  // namespace snipe::collector
