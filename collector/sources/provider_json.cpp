#include "collector/sources/provider_json.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include <fmt/format.h>

#include "collector/source.h"

namespace snipe::collector {
namespace {

using nlohmann::json;

// Reads one provider answer and names the endpoint and field in every error.
class Reader {
 public:
  explicit Reader(std::string_view endpoint) : endpoint_(endpoint) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw SourceError("malformed_response",
                      fmt::format("{}: field {}: {}", endpoint_, field, problem));
  }

  const json& object(const json& v, const std::string& field) const {
    if (!v.is_object()) fail(field, expected("object", v));
    return v;
  }
  const json& array(const json& v, const std::string& field) const {
    if (!v.is_array()) fail(field, expected("array", v));
    return v;
  }
  // obj[key]; REQUIRES: obj is an object.
  const json& member(const json& obj, const char* key, const std::string& parent) const {
    const auto it = obj.find(key);
    if (it == obj.end()) fail(join(parent, key), "missing");
    return *it;
  }
  // obj[key], or nullptr when it is absent or null; REQUIRES: obj is an object.
  static const json* optional_member(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }

  double number(const json& v, const std::string& field) const {
    if (!v.is_number()) fail(field, expected("number", v));
    return v.get<double>();
  }
  std::int64_t integer(const json& v, const std::string& field) const;
  const std::string& string(const json& v, const std::string& field) const {
    if (!v.is_string()) fail(field, expected("string", v));
    return v.get_ref<const std::string&>();
  }

  double number_at(const json& obj, const char* key, const std::string& parent) const {
    return number(member(obj, key, parent), join(parent, key));
  }
  std::int64_t integer_at(const json& obj, const char* key, const std::string& parent) const {
    return integer(member(obj, key, parent), join(parent, key));
  }

  static std::string join(const std::string& parent, const char* key) {
    return parent.empty() ? std::string(key) : parent + "." + key;
  }

 private:
  static std::string expected(std::string_view what, const json& got) {
    return fmt::format("expected {}, got {}", what, got.type_name());
  }

  std::string_view endpoint_;
};

std::int64_t Reader::integer(const json& v, const std::string& field) const {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(field, "integer out of range");
    }
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    // An integral float (1.7e9) is accepted; a fraction is not a timestamp.
    const double d = v.get<double>();
    if (std::trunc(d) == d && std::abs(d) < 9.0e15) return static_cast<std::int64_t>(d);
    fail(field, fmt::format("expected an integer, got {}", d));
  }
  fail(field, fmt::format("expected integer, got {}", v.type_name()));
}

// "2024-12-05T07:16:27", optionally with fractional seconds and a trailing "Z"; UTC.
std::optional<std::int64_t> parse_iso8601_utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
      6) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(text).substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  if (rest == "Z") rest = {};
  const std::chrono::year_month_day date{std::chrono::year{y},
                                         std::chrono::month{static_cast<unsigned>(mo)},
                                         std::chrono::day{static_cast<unsigned>(d)}};
  if (!rest.empty() || !date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + s;
}

// Birdeye wraps every answer as {"success": true, "data": {...}}; returns data.
const json& birdeye_data(const Reader& r, const json& body) {
  r.object(body, "(body)");
  const json& success = r.member(body, "success", "");
  if (!success.is_boolean())
    r.fail("success", fmt::format("expected boolean, got {}", success.type_name()));
  if (!success.get<bool>()) {
    const json* message = Reader::optional_member(body, "message");
    const std::string said =
        message && message->is_string() ? message->get<std::string>().substr(0, 200) : "";
    r.fail("success", said.empty() ? "false" : fmt::format("false (\"{}\")", said));
  }
  return r.object(r.member(body, "data", ""), "data");
}

// A field that is an address when set and null when the authority is revoked.
std::optional<bool> revoked_when_null(const Reader& r, const json& data, const char* key) {
  const auto it = data.find(key);
  if (it == data.end()) return std::nullopt;  // not reported: unknown
  if (it->is_null()) return true;
  r.string(*it, Reader::join("data", key));
  return false;
}

}  // namespace

std::int64_t floor_to_bar(std::int64_t t) {
  const std::int64_t r = t % kBarSeconds;
  return r < 0 ? t - r - kBarSeconds : t - r;
}

std::int64_t ceil_to_bar(std::int64_t t) {
  const std::int64_t f = floor_to_bar(t);
  return f == t ? t : f + kBarSeconds;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void sort_unique_bars(CandleSeries& bars) {
  std::stable_sort(bars.begin(), bars.end(),
                   [](const Candle& a, const Candle& b) { return a.timestamp < b.timestamp; });
  const auto last = std::unique(bars.begin(), bars.end(), [](const Candle& a, const Candle& b) {
    return a.timestamp == b.timestamp;
  });
  bars.erase(last, bars.end());
}

void keep_bars_between(CandleSeries& bars, std::int64_t first, std::int64_t last) {
  std::erase_if(bars, [&](const Candle& c) { return c.timestamp < first || c.timestamp > last; });
}

std::string percent_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    const auto u = static_cast<unsigned char>(ch);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' || u == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

std::string query_string(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += out.empty() ? '?' : '&';
    out += percent_encode(key);
    out += '=';
    out += percent_encode(value);
  }
  return out;
}

CandleSeries parse_birdeye_ohlcv(const json& body) {
  const Reader r("birdeye /defi/ohlcv");
  const json& items = r.array(r.member(birdeye_data(r, body), "items", "data"), "data.items");
  CandleSeries bars;
  bars.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at = fmt::format("data.items[{}]", i);
    const json& item = r.object(items[i], at);
    Candle c;
    c.timestamp = r.integer_at(item, "unixTime", at);
    c.open = r.number_at(item, "o", at);
    c.high = r.number_at(item, "h", at);
    c.low = r.number_at(item, "l", at);
    c.close = r.number_at(item, "c", at);
    // Birdeye's v is in token units; candles carry quote (USD) volume so log1p(volume)
    // compares across tokens priced 1e-9 and 1e3 alike (shared/market/candle.h).
    c.volume = r.number_at(item, "v", at) * c.close;
    bars.push_back(c);
  }
  return bars;
}

std::vector<NewListing> parse_birdeye_new_listing(const json& body) {
  const Reader r("birdeye /defi/v2/tokens/new_listing");
  const json& items = r.array(r.member(birdeye_data(r, body), "items", "data"), "data.items");
  std::vector<NewListing> listings;
  listings.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at = fmt::format("data.items[{}]", i);
    const json& item = r.object(items[i], at);
    NewListing listing;
    listing.address = r.string(r.member(item, "address", at), at + ".address");
    if (listing.address.empty()) r.fail(at + ".address", "empty");
    // Birdeye's docs show liquidityAddedAt as Unix seconds; some answers carry an
    // ISO-8601 UTC string ("2024-12-05T07:16:27"): both are accepted.
    const json& added = r.member(item, "liquidityAddedAt", at);
    if (added.is_string()) {
      const auto t = parse_iso8601_utc(added.get<std::string>());
      if (!t) r.fail(at + ".liquidityAddedAt", "not an ISO-8601 UTC time");
      listing.listed_at = *t;
    } else {
      listing.listed_at = r.integer(added, at + ".liquidityAddedAt");
    }
    listings.push_back(std::move(listing));
  }
  return listings;
}

// Field names from Birdeye's documented token_security example (Solana): camelCase,
// many of them null for some tokens. Birdeye documents "mintable: ownerAddress != null";
// freezeAuthority is null when no one can freeze holders' accounts.
TokenSecurity parse_birdeye_token_security(const json& body) {
  const Reader r("birdeye /defi/token_security");
  const json& data = birdeye_data(r, body);
  TokenSecurity security;
  if (const json* top10 = Reader::optional_member(data, "top10HolderPercent")) {
    const double share = r.number(*top10, "data.top10HolderPercent");
    if (!(share >= 0.0 && share <= 1.0 + 1e-9)) {
      r.fail("data.top10HolderPercent", fmt::format("{} is not a fraction in 0..1", share));
    }
    security.top10_holder_share = std::min(share, 1.0);
  }
  security.mint_authority_revoked = revoked_when_null(r, data, "ownerAddress");
  security.freeze_authority_revoked = revoked_when_null(r, data, "freezeAuthority");
  if (const json* creator = Reader::optional_member(data, "creatorAddress")) {
    security.creator_address = r.string(*creator, "data.creatorAddress");
  }
  if (const json* created = Reader::optional_member(data, "creationTime")) {
    security.created_at = r.integer(*created, "data.creationTime");
  }
  return security;
}

TokenOverview parse_birdeye_token_overview(const json& body) {
  const Reader r("birdeye /defi/token_overview");
  const json& data = birdeye_data(r, body);
  TokenOverview overview;
  if (const json* liquidity = Reader::optional_member(data, "liquidity")) {
    const double usd = r.number(*liquidity, "data.liquidity");
    if (usd < 0.0) r.fail("data.liquidity", fmt::format("negative ({})", usd));
    overview.liquidity_usd = usd;
  }
  return overview;
}

std::optional<std::int64_t> parse_birdeye_creation_time(const json& body) {
  const Reader r("birdeye /defi/token_creation_info");
  const json& data = birdeye_data(r, body);
  const json* block_time = Reader::optional_member(data, "blockUnixTime");
  if (!block_time) return std::nullopt;
  return r.integer(*block_time, "data.blockUnixTime");
}

CandleSeries parse_geckoterminal_ohlcv(const json& body) {
  const Reader r("geckoterminal ohlcv");
  r.object(body, "(body)");
  const json& data = r.object(r.member(body, "data", ""), "data");
  const json& attributes = r.object(r.member(data, "attributes", "data"), "data.attributes");
  const std::string list_field = "data.attributes.ohlcv_list";
  const json& rows = r.array(r.member(attributes, "ohlcv_list", "data.attributes"), list_field);
  CandleSeries bars;
  bars.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string at = fmt::format("{}[{}]", list_field, i);
    const json& row = r.array(rows[i], at);
    if (row.size() < 6)
      r.fail(at, fmt::format("expected [ts, o, h, l, c, v], got {} values", row.size()));
    const auto value = [&](std::size_t k) {
      return r.number(row[k], fmt::format("{}[{}]", at, k));
    };
    bars.push_back(
        {r.integer(row[0], at + "[0]"), value(1), value(2), value(3), value(4), value(5)});
  }
  return bars;
}

}  // namespace snipe::collector
