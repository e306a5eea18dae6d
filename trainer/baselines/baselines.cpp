#include "trainer/baselines/baselines.h"

#include <vector>

#include "trainer/baselines/logistic_fit.h"
#include "trainer/baselines/tabular_set.h"

namespace snipe::trainer {
namespace {

MatrixView view(const TabularSet& set) { return {.values = set.features, .rows = set.rows, .cols = kTabularFeatureCount}; }

struct Splits {
  TabularSet train, val, test;
};

// One head: `labels` picks the head's labels of a set.
template <class Labels>
HeadModels fit_head(const Splits& s, Labels labels, const BaselineOptions& options, HeadBaselines& report) {
  const TreeOptions trees{.threads = options.threads, .seed = options.seed};
  HeadModels models{.logistic = fit_logistic(view(s.train), labels(s.train)),
                    .trees = BoostedTrees::fit(view(s.train), labels(s.train), view(s.val), labels(s.val), trees)};
  const auto score = [&](const std::vector<float>& val, const std::vector<float>& test) {
    return std::pair(binary_metrics(val, labels(s.val)), binary_metrics(test, labels(s.test)));
  };
  models.logistic_val = models.logistic.predict(view(s.val));
  models.logistic_test = models.logistic.predict(view(s.test));
  const auto [logistic_val, logistic_test] = score(models.logistic_val, models.logistic_test);
  models.trees_val = models.trees.predict(view(s.val));
  models.trees_test = models.trees.predict(view(s.test));
  const auto [trees_val, trees_test] = score(models.trees_val, models.trees_test);
  report.results = {{.name = "logistic", .val = logistic_val, .test = logistic_test},
                    {.name = "xgboost", .val = trees_val, .test = trees_test}};
  return models;
}

}  // namespace

Baselines fit_baselines(const DataSet& data, const Split& split, const BaselineOptions& options) {
  const Splits s{.train = tabular_set(data, split.train, options.window),
                 .val = tabular_set(data, split.val, options.window),
                 .test = tabular_set(data, split.test, options.window)};
  BaselineReport report;
  HeadModels profitable =
      fit_head(s, [](const TabularSet& t) -> const std::vector<float>& { return t.profitable; }, options,
               report.profitable);
  HeadModels rug = fit_head(s, [](const TabularSet& t) -> const std::vector<float>& { return t.rug; }, options,
                            report.rug);
  return {.profitable = std::move(profitable), .rug = std::move(rug), .report = std::move(report)};
}

}  // namespace snipe::trainer
