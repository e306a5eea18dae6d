// libcurl implementation of HttpClient: one easy handle per client, reused so connections
// stay alive between requests (one thread at a time per client, as HttpClient requires).

#include <cctype>
#include <memory>
#include <string>
#include <string_view>

#include <curl/curl.h>
#include <fmt/format.h>

#include "collector/net/http_client.h"
#include "shared/core/errors.h"

namespace snipe::collector {
namespace {

// curl_global_init is not thread-safe on every build: run it exactly once, on first use
// (function-local static initialisation is thread-safe). Never cleaned up: the process
// ends with it.
void ensure_curl_initialised() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    throw IoError(fmt::format("libcurl initialisation failed: {}", curl_easy_strerror(code)));
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// One header line per call. A status line ("HTTP/1.1 200 OK") starts a new response
// (after a 100 Continue), so it clears what came before; repeated names are joined ", ".
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers.clear();
    return size * count;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  const std::string name = lower(trim(line.substr(0, colon)));
  const std::string_view value = trim(line.substr(colon + 1));
  auto [it, inserted] = headers.try_emplace(name, value);
  if (!inserted) it->second.append(", ").append(value);
  return size * count;
}

using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

HeaderList make_header_list(const Headers& headers) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      throw std::bad_alloc();
    }
    list = grown;
  }
  return HeaderList(list, &curl_slist_free_all);
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() : handle_(curl_easy_init(), &curl_easy_cleanup) {
    if (!handle_) throw IoError("libcurl: curl_easy_init failed (out of memory?)");
  }

  HttpResponse get(const HttpRequest& request) override {
    HttpResponse response;
    error_[0] = '\0';
    const HeaderList headers = make_header_list(request.headers);
    configure(request, headers.get(), response);
    const CURLcode code = curl_easy_perform(handle_.get());
    long status = 0;
    curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    if (code != CURLE_OK) {
      response.transport_error = error_[0] != '\0'
                                     ? fmt::format("{}: {}", curl_easy_strerror(code), error_)
                                     : std::string(curl_easy_strerror(code));
    }
    return response;
  }

 private:
  // Options are reset for every request; the connection cache survives curl_easy_reset.
  void configure(const HttpRequest& request, curl_slist* headers, HttpResponse& response) {
    CURL* h = handle_.get();
    curl_easy_reset(h);
    const long timeout_ms = static_cast<long>(request.timeout.count());
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);         // no SIGALRM: safe with threads
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
    curl_easy_setopt(h, CURLOPT_PROXY, "");            // ignore *_proxy environment variables
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  }

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_;
  char error_[CURL_ERROR_SIZE] = {};  // curl's detail for the last failed transfer
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client() {
  ensure_curl_initialised();
  return std::make_unique<CurlHttpClient>();
}

}  // namespace snipe::collector
