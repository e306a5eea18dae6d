#include "trainer/baselines/baseline_report.h"

#include <cmath>

#include <fmt/format.h>

namespace snipe::trainer {

using nlohmann::json;

const BaselineResult& HeadBaselines::best() const {
  const BaselineResult* best = &results.at(0);
  for (const BaselineResult& r : results) {
    if (std::isnan(best->val.roc_auc) ? !std::isnan(r.val.roc_auc) : r.val.roc_auc > best->val.roc_auc) best = &r;
  }
  return *best;
}

HeadComparison compare(const BinaryMetrics& model_val, const BinaryMetrics& model_test,
                       const HeadBaselines& baselines) {
  const BaselineResult& best = baselines.best();
  return {.best_baseline = best.name,
          .model_val = model_val.roc_auc,
          .baseline_val = best.val.roc_auc,
          .model_test = model_test.roc_auc,
          .baseline_test = best.test.roc_auc};
}

std::string comparison_line(const std::string& head, const HeadComparison& c, const std::string& split) {
  const bool val = split == "val";
  const double model = val ? c.model_val : c.model_test;
  const double baseline = val ? c.baseline_val : c.baseline_test;
  return fmt::format("{}: served {:.3f}, best baseline ({}) {:.3f}, {:+.3f}", head, model, c.best_baseline, baseline,
                     model - baseline);
}

namespace {

json to_json(const HeadBaselines& head) {
  json out = json::object();
  for (const BaselineResult& r : head.results) out[r.name] = {{"val", to_json(r.val)}, {"test", to_json(r.test)}};
  return out;
}

HeadBaselines head_baselines_from_json(const JsonFields& head, const nlohmann::json& raw) {
  HeadBaselines out;
  for (const auto& [name, _] : raw.items()) {
    const JsonFields baseline = head.object(name);
    out.results.push_back({.name = name,
                           .val = binary_metrics_from_json(baseline.object("val")),
                           .test = binary_metrics_from_json(baseline.object("test"))});
  }
  if (out.results.empty()) head.refuse("", "lists no baseline");
  return out;
}

json split_comparison(double model, double baseline) {
  return {{"served", metric_or_null(model)}, {"baseline", metric_or_null(baseline)},
          {"margin", metric_or_null(model - baseline)}};
}

}  // namespace

json to_json(const BaselineReport& report) {
  return {{"profitable", to_json(report.profitable)}, {"rug", to_json(report.rug)}};
}

BaselineReport baseline_report_from_json(const JsonFields& f) {
  return {.profitable = head_baselines_from_json(f.object("profitable"), f.value("profitable")),
          .rug = head_baselines_from_json(f.object("rug"), f.value("rug"))};
}

json to_json(const HeadComparison& c) {
  return {{"best_baseline", c.best_baseline},
          {"val", split_comparison(c.model_val, c.baseline_val)},
          {"test", split_comparison(c.model_test, c.baseline_test)}};
}

}  // namespace snipe::trainer
