#include "collector/source_factory.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "collector/net/keys.h"
#include "collector/net/rate_limited_api_client.h"
#include "collector/simulator/market_simulator.h"
#include "collector/sources/birdeye_source.h"
#include "collector/sources/csv_source.h"
#include "collector/sources/geckoterminal_source.h"
#include "collector/sources/synthetic_source.h"

namespace snipe::collector {
namespace {

// An HTTP source together with the network objects it owns, destroyed in reverse order
// of construction (the source before its client, the client before HTTP). The clock is
// the Env's, which outlives the source.
class NetworkSource final : public Source {
 public:
  NetworkSource(const ApiClientOptions& options, RankKeyShare share, Clock& clock)
      : http_(make_curl_http_client()), api_(options, *http_, clock, std::move(share)) {}

  template <class Inner, class Options>
  void attach(Options options, std::int64_t now) {
    inner_ = std::make_unique<Inner>(api_, std::move(options), now);
  }

  ~NetworkSource() override {
    const ApiClientCounters& c = api_.counters();
    spdlog::info("{}: {} calls, {} requests, {} retries, {} x 429, {} x 5xx, {} transport errors, "
                 "{} keys disabled",
                 inner_ ? inner_->kind() : "http", c.calls, c.requests_sent, c.retries,
                 c.responses_429, c.server_errors, c.transport_errors, c.keys_disabled);
  }

  std::string_view kind() const override { return inner_->kind(); }
  std::vector<std::string> list_tokens() override { return inner_->list_tokens(); }
  FetchedSeries fetch(const std::string& token, std::int64_t after) override {
    return inner_->fetch(token, after);
  }
  std::string snapshot() const override { return inner_->snapshot(); }
  void restore(const std::string& snapshot) override { inner_->restore(snapshot); }

 private:
  std::unique_ptr<HttpClient> http_;
  RateLimitedApiClient api_;
  std::unique_ptr<Source> inner_;
};

ApiClientOptions client_options(const EndpointOptions& endpoint, const RetryOptions& retry,
                                 bool keyed, int rank) {
  ApiClientOptions o;
  o.base_url = endpoint.base_url;
  o.key_header = keyed ? "X-API-KEY" : "";
  o.requests_per_second = endpoint.requests_per_second;
  o.requests_per_minute = endpoint.requests_per_minute;
  o.max_attempts = retry.max_attempts;
  o.malformed_retries = retry.malformed_retries;
  o.jitter_seed = static_cast<std::uint64_t>(rank) + 1;  // ranks must not back off in lockstep
  o.timeout = std::chrono::milliseconds(retry.timeout_ms);
  o.backoff_base = std::chrono::milliseconds(retry.backoff_base_ms);
  o.backoff_cap = std::chrono::milliseconds(retry.backoff_cap_ms);
  return o;
}

// Rank 0's clock for everyone, so all ranks ask for the same time range.
std::int64_t agreed_now(Communicator& comm, const Clock& clock) {
  std::int64_t now = comm.rank() == 0 ? clock.unix_seconds() : 0;
  comm.broadcast(buffer_of(std::span(&now, 1)), 0);
  return now;
}

std::unique_ptr<Source> make_birdeye(const SourceConfig& config, Communicator& comm, Env& env) {
  const EndpointOptions& endpoint = config.birdeye.endpoint;
  const std::vector<ApiKey> keys = load_keys(endpoint.keys_env, endpoint.key_file);
  if (keys.empty()) {
    throw ConfigError(fmt::format(
        "birdeye needs at least one API key: set {} to \"account:key,...\" or [birdeye] key_file "
        "(keys are never taken from the command line); without a key use source.kind = "
        "\"synthetic\"",
        endpoint.keys_env.empty() ? "SNIPE_BIRDEYE_KEYS" : endpoint.keys_env));
  }
  auto source = std::make_unique<NetworkSource>(
      client_options(endpoint, config.http, /*keyed=*/true, comm.rank()),
      share_keys(keys, comm.rank(), comm.size()), env.clock());
  source->attach<BirdeyeSource>(config.birdeye.source, agreed_now(comm, env.clock()));
  return source;
}

std::unique_ptr<Source> make_geckoterminal(const SourceConfig& config, Communicator& comm, Env& env) {
  auto source = std::make_unique<NetworkSource>(
      client_options(config.geckoterminal.endpoint, config.http, /*keyed=*/false, comm.rank()),
      share_keys({}, comm.rank(), comm.size()), env.clock());
  source->attach<GeckoTerminalSource>(config.geckoterminal.source, agreed_now(comm, env.clock()));
  return source;
}

}  // namespace

std::unique_ptr<Source> make_source(const SourceConfig& config, Communicator& comm, Env& env) {
  switch (config.source.kind) {
    case SourceKind::kSynthetic:
      return std::make_unique<SyntheticSource>(config.synthetic);
    case SourceKind::kCsv:
      return std::make_unique<CsvSource>(config.source.csv_dir);
    case SourceKind::kBirdeye:
      return make_birdeye(config, comm, env);
    case SourceKind::kGeckoTerminal:
      return make_geckoterminal(config, comm, env);
  }
  throw ConfigError(fmt::format("unknown source kind {}", static_cast<int>(config.source.kind)));
}

}  // namespace snipe::collector
