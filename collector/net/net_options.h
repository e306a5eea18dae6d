#pragma once
// Settings of a provider's network endpoint and of the retry policy, as the config file
// gives them (parsed in cli/config; used by collector/source_factory.cpp).

#include <string>

namespace snipe::collector {

struct EndpointOptions {
  std::string base_url;              // scheme://host[:port], no trailing slash
  std::string keys_env;              // variable holding "account:key,account:key" ("": none)
  std::string key_file;              // file with one "account:key" per line ("": none)
  double requests_per_second = 1.0;  // per account, shared by all ranks using the account
  double requests_per_minute = 60.0; // per account, shared by all ranks using the account
};

struct RetryOptions {
  int timeout_ms = 10'000;       // whole request, connect included
  int max_attempts = 6;          // tries per request on 429 / 5xx / timeouts
  int backoff_base_ms = 500;     // first backoff; doubles per attempt, with jitter
  int backoff_cap_ms = 30'000;   // longest backoff
  int malformed_retries = 3;     // re-asks after an unparsable or truncated 2xx body
};

}  // namespace snipe::collector
