#pragma once
// quality.json of a collection run: what was not accepted, and why. Written into the
// run's generation folder and copied to DATA_DIR/quality.json when published
// (data_set_dir.h).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/store/data_set_manifest.h"

namespace snipe {
class JsonFields;
}

namespace snipe::collector {

// One token's outcome as the reports show it.
struct TokenVerdict {
  std::string token;
  std::string verdict;  // "accepted", "rejected" or "failed"
  std::string reason;   // SourceError::reason() of a failure; "" when none (not written)
  std::string message;  // validation summary or error text; "" when none (not written)
  friend bool operator==(const TokenVerdict&, const TokenVerdict&) = default;
};

struct QualityReport {
  std::string source;                                        // the source kind
  std::int64_t generation = 0;
  TokenCounts tokens;
  std::map<std::string, std::int64_t> rejections_by_reason;  // tokens with bars flagged per reason
  std::map<std::string, std::int64_t> failures_by_reason;    // tokens per SourceError::reason()
  std::vector<TokenVerdict> not_accepted;                    // in rank order, then token order
  std::vector<TokenVerdict> refreshes_failed;                // accepted from the stored series
};

nlohmann::json to_json(const TokenVerdict& verdict);
nlohmann::json to_json(const std::vector<TokenVerdict>& verdicts);
nlohmann::json to_json(const QualityReport& report);

// Throw DataError naming the source and the field when one is missing or mistyped.
TokenVerdict token_verdict_from_json(const JsonFields& verdict);
QualityReport quality_report_from_json(const nlohmann::json& json, const std::string& source);
std::vector<TokenVerdict> verdicts_from_json(const JsonFields& fields, std::string_view key);
// A JSON object of counts ({"gap": 2, ...}).
std::map<std::string, std::int64_t> counts_from_json(const JsonFields& fields, std::string_view key);

}  // namespace snipe::collector
