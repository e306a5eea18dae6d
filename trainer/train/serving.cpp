#include "trainer/train/serving.h"

#include <cmath>

#include "shared/features/served_probability.h"

namespace snipe::trainer {

std::vector<float> served(const HeadInputs& in, double model_weight, double temperature) {
  std::vector<float> out(in.model.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double trees = model_weight >= 1.0 ? 0.5 : in.trees[i];  // unread at w = 1
    out[i] = static_cast<float>(served_probability(in.model[i], trees, model_weight, temperature));
  }
  return out;
}

HeadServing choose_serving(const HeadInputs& val, const HeadInputs& test) {
  HeadServing s;
  s.sequence_val_auc = binary_metrics(val.model, val.labels).roc_auc;
  s.sequence_test_auc = binary_metrics(test.model, test.labels).roc_auc;
  if (!val.trees.empty()) {
    double best = s.sequence_val_auc;  // w = 1
    for (const double w : kModelWeights) {
      const double auc = binary_metrics(served(val, w, 1.0), val.labels).roc_auc;
      if (auc > best || (std::isnan(best) && !std::isnan(auc))) {  // strictly better: ties keep the larger w
        best = auc;
        s.model_weight = w;
      }
    }
  }
  const std::vector<float> val_blend = served(val, s.model_weight, 1.0);
  s.temperature = fit_temperature(val_blend, val.labels);
  s.val = calibrate_split(val_blend, val.labels, s.temperature);
  s.test = calibrate_split(served(test, s.model_weight, 1.0), test.labels, s.temperature);
  return s;
}

nlohmann::json to_json(const HeadServing& s) {
  return {{"model_weight", s.model_weight},
          {"temperature", s.temperature},
          {"sequence_roc_auc", {{"val", metric_or_null(s.sequence_val_auc)}, {"test", metric_or_null(s.sequence_test_auc)}}},
          {"val", to_json(s.val)},
          {"test", to_json(s.test)}};
}

HeadServing head_serving_from_json(const JsonFields& f) {
  const JsonFields sequence = f.object("sequence_roc_auc");
  return {.model_weight = f.number("model_weight"),
          .temperature = f.number("temperature"),
          .sequence_val_auc = metric_from_json(sequence, "val"),
          .sequence_test_auc = metric_from_json(sequence, "test"),
          .val = split_calibration_from_json(f.object("val")),
          .test = split_calibration_from_json(f.object("test"))};
}

}  // namespace snipe::trainer
