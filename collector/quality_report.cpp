#include "collector/quality_report.h"

#include "shared/core/json_fields.h"

namespace snipe::collector {

using nlohmann::json;

json to_json(const TokenVerdict& v) {
  json out = {{"token", v.token}, {"verdict", v.verdict}};
  if (!v.reason.empty()) out["reason"] = v.reason;
  if (!v.message.empty()) out["message"] = v.message;
  return out;
}

TokenVerdict token_verdict_from_json(const JsonFields& f) {
  return {.token = f.string("token"),
          .verdict = f.string("verdict"),
          .reason = f.has("reason") ? f.string("reason") : "",
          .message = f.has("message") ? f.string("message") : ""};
}

std::map<std::string, std::int64_t> counts_from_json(const JsonFields& fields, std::string_view key) {
  const JsonFields counts = fields.object(key);
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, value] : fields.value(key).items()) out[name] = counts.integer(name);
  return out;
}

json to_json(const std::vector<TokenVerdict>& verdicts) {
  json out = json::array();
  for (const TokenVerdict& v : verdicts) out.push_back(to_json(v));
  return out;
}

std::vector<TokenVerdict> verdicts_from_json(const JsonFields& f, std::string_view key) {
  std::vector<TokenVerdict> out;
  for (const JsonFields& v : f.objects(key)) out.push_back(token_verdict_from_json(v));
  return out;
}

json to_json(const QualityReport& q) {
  return {{"source", q.source},
          {"generation", q.generation},
          {"tokens", to_json(q.tokens)},
          {"rejections_by_reason", q.rejections_by_reason},
          {"failures_by_reason", q.failures_by_reason},
          {"not_accepted", to_json(q.not_accepted)},
          {"refreshes_failed", to_json(q.refreshes_failed)}};
}

QualityReport quality_report_from_json(const json& doc, const std::string& source) {
  const JsonFields f(doc, source, "HINT: the report is damaged; run `snipe collect` again");
  return {.source = f.string("source"),
          .generation = f.integer("generation"),
          .tokens = token_counts_from_json(f.object("tokens")),
          .rejections_by_reason = counts_from_json(f, "rejections_by_reason"),
          .failures_by_reason = counts_from_json(f, "failures_by_reason"),
          .not_accepted = verdicts_from_json(f, "not_accepted"),
          .refreshes_failed = verdicts_from_json(f, "refreshes_failed")};
}

}  // namespace snipe::collector
