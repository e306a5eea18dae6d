#pragma once
// What a provider source sees of the network: "GET this path, give me the JSON". Behind
// it: key choice and masking, per-account token buckets, backoff on 429 (Retry-After
// honoured), capped exponential retries on 5xx/timeouts, key disabling on 401/403,
// retries on malformed or truncated JSON.

#include <string>

#include <nlohmann/json.hpp>

#include "collector/net/http_client.h"

namespace snipe::collector {

class ApiClient {
 public:
  virtual ~ApiClient() = default;
  // GET <base_url><path_and_query> with `headers` plus the provider's key header (if the
  // provider uses keys). Returns the parsed body of a 2xx answer. Throws SourceError with
  // a stable reason ("http_404", "no_key_left", "malformed_json", "retries_exhausted",
  // ...) when it gives up; the message never contains a key.
  virtual nlohmann::json get_json(const std::string& path_and_query, const Headers& headers) = 0;
};

}  // namespace snipe::collector
