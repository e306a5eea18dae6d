#pragma once
// The HTTP edge of the collector, behind an interface (LevelDB's Env idea) so tests can
// swap in fakes and fault injectors. Implementations must be safe to call from one
// thread at a time per instance.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace snipe::collector {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string url;                                  // absolute, query string included
  Headers headers;                                  // sent as given
  std::chrono::milliseconds timeout{10'000};        // whole request, connect included
};

struct HttpResponse {
  int status = 0;                                   // 0 when no response arrived
  std::string body;
  std::map<std::string, std::string> headers;       // names lower-cased
  std::string transport_error;                      // non-empty: timeout, refused, reset...
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Never throws for network or HTTP errors: they come back in the response.
  virtual HttpResponse get(const HttpRequest& request) = 0;
};

// libcurl implementation (HTTP/1.1, gzip accepted, no proxy magic, TLS verified).
std::unique_ptr<HttpClient> make_curl_http_client();

}  // namespace snipe::collector
