#include "trainer/train/training_report.h"

#include "shared/core/json_fields.h"

namespace snipe::trainer {

using nlohmann::json;

json to_json(const SplitSizes& sizes) {
  return {{"train", sizes.train}, {"val", sizes.val}, {"test", sizes.test}};
}

json comparison_json(const TrainingReport& report) {
  return {{"profitable", to_json(report.profitable_comparison())}, {"rug", to_json(report.rug_comparison())}};
}

json to_json(const TrainingReport& report) {
  return {{"best_epoch", report.best_epoch},
          {"epochs_completed", report.epochs_completed},
          {"steps", report.steps},
          {"ranks", report.ranks},
          {"examples", to_json(report.examples)},
          {"val", to_json(report.val)},
          {"test", to_json(report.test)},
          {"selection", {{"criterion", report.selection}, {"score", metric_or_null(report.selection_score)}}},
          {"baselines", to_json(report.baselines)},
          {"comparison", comparison_json(report)},
          {"serving", {{"profitable", to_json(report.profitable_serving)}, {"rug", to_json(report.rug_serving)}}}};
}

TrainingReport training_report_from_json(const json& doc, const std::string& source) {
  const JsonFields f(doc, source, "HINT: the file was written by another snipe version or damaged");
  const JsonFields examples = f.object("examples");
  return {.best_epoch = f.integer("best_epoch"),
          .epochs_completed = f.integer("epochs_completed"),
          .steps = f.integer("steps"),
          .ranks = f.integer("ranks"),
          .examples = {.train = examples.integer("train"), .val = examples.integer("val"),
                       .test = examples.integer("test")},
          .val = metrics_record_from_json(f.object("val")),
          .test = metrics_record_from_json(f.object("test")),
          .selection = f.object("selection").string("criterion"),
          .selection_score = metric_from_json(f.object("selection"), "score"),
          .baselines = baseline_report_from_json(f.object("baselines")),
          .profitable_serving = head_serving_from_json(f.object("serving").object("profitable")),
          .rug_serving = head_serving_from_json(f.object("serving").object("rug"))};
}

}  // namespace snipe::trainer
