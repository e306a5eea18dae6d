#include "trainer/train/serving.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include <fmt/format.h>

namespace snipe::trainer {
namespace {

// Squared distance of `w` from equal shares of the parts `in` has.
double unevenness(const BlendWeights& w, const HeadInputs& in) {
  const bool has[] = {true, !in.trees.empty(), !in.logistic.empty()};
  const double shares[] = {w.model, w.trees, w.logistic};
  const double even = 1.0 / (has[0] + has[1] + has[2]);
  double d = 0.0;
  for (int k = 0; k < 3; ++k) {
    if (has[k]) d += (shares[k] - even) * (shares[k] - even);
  }
  return d;
}

// Each row's token as a dense index in [0, count): {index per row [n], count}.
std::pair<std::vector<std::uint32_t>, std::uint32_t> dense_tokens(std::span<const std::uint32_t> tokens,
                                                                   std::size_t rows) {
  std::vector<std::uint32_t> index(rows);
  if (tokens.empty()) {
    std::iota(index.begin(), index.end(), 0u);
    return {index, static_cast<std::uint32_t>(rows)};
  }
  std::vector<std::uint32_t> ids(tokens.begin(), tokens.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (std::size_t i = 0; i < rows; ++i) {
    index[i] = static_cast<std::uint32_t>(std::lower_bound(ids.begin(), ids.end(), tokens[i]) - ids.begin());
  }
  return {index, static_cast<std::uint32_t>(ids.size())};
}

}  // namespace

double token_bootstrap_sd(std::span<const float> scores, std::span<const float> labels,
                          std::span<const std::uint32_t> tokens, int resamples) {
  const auto [token_of, count] = dense_tokens(tokens, scores.size());
  std::mt19937_64 rng(0x5eed);  // modulo below, not a std distribution: the same draws on every library
  std::vector<std::uint32_t> draws(count);
  std::vector<float> weights(scores.size());  // each row: its token's draws
  std::vector<double> aucs;
  for (int r = 0; r < resamples && count > 0; ++r) {
    std::fill(draws.begin(), draws.end(), 0u);
    for (std::uint32_t k = 0; k < count; ++k) ++draws[rng() % count];
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<float>(draws[token_of[i]]);
    const double auc = binary_metrics(scores, labels, weights).roc_auc;
    if (!std::isnan(auc)) aucs.push_back(auc);
  }
  if (aucs.size() < 2) return kUndefinedMetric;
  const double mean = std::accumulate(aucs.begin(), aucs.end(), 0.0) / static_cast<double>(aucs.size());
  double squares = 0.0;
  for (const double a : aucs) squares += (a - mean) * (a - mean);
  return std::sqrt(squares / static_cast<double>(aucs.size() - 1));
}

std::vector<BlendWeights> blend_grid(const HeadInputs& in) {
  const int trees_steps = in.trees.empty() ? 0 : 10;
  const int logistic_steps = in.logistic.empty() ? 0 : 10;
  std::vector<BlendWeights> grid;
  for (int t = 0; t <= trees_steps; ++t) {
    for (int l = 0; t + l <= 10 && l <= logistic_steps; ++l) {
      grid.push_back({.model = (10 - t - l) / 10.0, .trees = t / 10.0, .logistic = l / 10.0});
    }
  }
  return grid;
}

std::vector<float> served(const HeadInputs& in, const BlendWeights& w, double temperature) {
  std::vector<float> out(in.model.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double trees = w.trees > 0.0 ? in.trees[i] : 0.5;  // unread at weight 0
    const double logistic = w.logistic > 0.0 ? in.logistic[i] : 0.5;
    out[i] = static_cast<float>(served_probability(in.model[i], trees, logistic, w, temperature));
  }
  return out;
}

HeadServing choose_serving(const HeadInputs& val, const HeadInputs& test) {
  HeadServing s;
  s.sequence_val_auc = binary_metrics(val.model, val.labels).roc_auc;
  s.sequence_test_auc = binary_metrics(test.model, test.labels).roc_auc;
  const std::vector<BlendWeights> grid = blend_grid(val);
  std::vector<double> auc(grid.size());
  double best = kUndefinedMetric;
  std::size_t best_k = 0;
  for (std::size_t k = 0; k < grid.size(); ++k) {
    auc[k] = binary_metrics(served(val, grid[k], 1.0), val.labels).roc_auc;
    if (!std::isnan(auc[k]) && !(auc[k] <= best)) {
      best = auc[k];
      best_k = k;
    }
  }
  if (!std::isnan(best)) {
    const double sd =
        token_bootstrap_sd(served(val, grid[best_k], 1.0), val.labels, val.tokens, kServingResamples);
    if (sd > kServingTolerance) s.tolerance = sd;
    std::optional<std::size_t> chosen;
    // Before `chosen`: more even, or as even (permutations of the same shares) with a
    // larger model share.
    const auto preferred = [&](std::size_t k) {
      const double u = unevenness(grid[k], val), v = unevenness(grid[*chosen], val);
      return u < v - 1e-12 || (u <= v + 1e-12 && grid[k].model > grid[*chosen].model);
    };
    for (std::size_t k = 0; k < grid.size(); ++k) {
      if (auc[k] >= best - s.tolerance && (!chosen || preferred(k))) chosen = k;
    }
    s.weights = grid[*chosen];  // the best blend itself is within the tolerance
    s.blend_val_auc = auc[*chosen];
  }
  const std::vector<float> val_blend = served(val, s.weights, 1.0);
  s.temperature = fit_temperature(val_blend, val.labels);
  s.val = calibrate_split(val_blend, val.labels, s.temperature);
  s.test = calibrate_split(served(test, s.weights, 1.0), test.labels, s.temperature);
  return s;
}

std::string describe(const BlendWeights& w) {
  if (w.model >= 1.0) return "the model alone";
  if (w.trees >= 1.0) return "its trees alone";
  if (w.logistic >= 1.0) return "its logistic regression alone";
  return fmt::format("{:.1f} model + {:.1f} trees + {:.1f} logistic (logits)", w.model, w.trees, w.logistic);
}

nlohmann::json to_json(const HeadServing& s) {
  return {{"weights", {{"model", s.weights.model}, {"trees", s.weights.trees}, {"logistic", s.weights.logistic}}},
          {"temperature", s.temperature},
          {"val_roc_auc", metric_or_null(s.blend_val_auc)},
          {"tolerance", s.tolerance},
          {"sequence_roc_auc", {{"val", metric_or_null(s.sequence_val_auc)}, {"test", metric_or_null(s.sequence_test_auc)}}},
          {"val", to_json(s.val)},
          {"test", to_json(s.test)}};
}

HeadServing head_serving_from_json(const JsonFields& f) {
  const JsonFields sequence = f.object("sequence_roc_auc");
  const JsonFields weights = f.object("weights");
  return {.weights = {.model = weights.number("model"), .trees = weights.number("trees"),
                      .logistic = weights.number("logistic")},
          .temperature = f.number("temperature"),
          .blend_val_auc = metric_from_json(f, "val_roc_auc"),
          .tolerance = f.number("tolerance"),
          .sequence_val_auc = metric_from_json(sequence, "val"),
          .sequence_test_auc = metric_from_json(sequence, "test"),
          .val = split_calibration_from_json(f.object("val")),
          .test = split_calibration_from_json(f.object("test"))};
}

}  // namespace snipe::trainer
