#include "trainer/baselines/logistic_fit.h"

#include <linear.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace snipe::trainer {
namespace {

void quiet(const char*) {}

// Column means and population sds of x (sd 1 where 0 or undefined).
void fit_standardiser(MatrixView x, LogisticModel& model) {
  model.mean.assign(x.cols, 0.0);
  model.scale.assign(x.cols, 0.0);
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t c = 0; c < x.cols; ++c) model.mean[c] += x.values[r * x.cols + c];
  }
  for (double& m : model.mean) m /= static_cast<double>(std::max<std::size_t>(x.rows, 1));
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t c = 0; c < x.cols; ++c) {
      const double d = x.values[r * x.cols + c] - model.mean[c];
      model.scale[c] += d * d;
    }
  }
  for (double& s : model.scale) {
    s = std::sqrt(s / static_cast<double>(std::max<std::size_t>(x.rows, 1)));
    if (!(s > 0) || !std::isfinite(s)) s = 1.0;
  }
}

// liblinear's sparse rows: every standardised value (dense), then the bias node and the
// terminator. [rows][cols + 2] nodes, one allocation.
struct SparseRows {
  std::vector<feature_node> nodes;
  std::vector<feature_node*> rows;
};

SparseRows sparse_rows(MatrixView x, const LogisticModel& model) {
  SparseRows out;
  const std::size_t width = x.cols + 2;
  out.nodes.resize(x.rows * width);
  out.rows.resize(x.rows);
  for (std::size_t r = 0; r < x.rows; ++r) {
    feature_node* row = &out.nodes[r * width];
    for (std::size_t c = 0; c < x.cols; ++c) {
      row[c] = {static_cast<int>(c + 1), (x.values[r * x.cols + c] - model.mean[c]) / model.scale[c]};
    }
    row[x.cols] = {static_cast<int>(x.cols + 1), 1.0};  // the bias feature
    row[x.cols + 1] = {-1, 0.0};
    out.rows[r] = row;
  }
  return out;
}

double positive_rate(std::span<const float> labels) {
  double positives = 0;
  for (const float y : labels) positives += y;
  return positives / static_cast<double>(std::max<std::size_t>(labels.size(), 1));
}

}  // namespace

LogisticModel fit_logistic(MatrixView x, std::span<const float> labels, const LogisticOptions& options) {
  if (labels.size() != x.rows) {
    throw std::invalid_argument(fmt::format("fit_logistic: {} labels for {} rows", labels.size(), x.rows));
  }
  LogisticModel model;
  fit_standardiser(x, model);
  model.weights.assign(x.cols, 0.0);
  const double rate = positive_rate(labels);
  if (rate <= 0.0 || rate >= 1.0) {  // one class: liblinear would learn nothing useful
    const double clamped = std::clamp(rate, 1e-6, 1.0 - 1e-6);
    model.bias = std::log(clamped / (1.0 - clamped));
    return model;
  }
  SparseRows rows = sparse_rows(x, model);
  std::vector<double> y(labels.begin(), labels.end());
  problem prob{.l = static_cast<int>(x.rows), .n = static_cast<int>(x.cols + 1), .y = y.data(),
               .x = rows.rows.data(), .bias = -1.0};
  parameter param{.solver_type = L2R_LR, .eps = options.eps, .C = options.c, .nr_weight = 0,
                  .weight_label = nullptr, .weight = nullptr, .p = 0.1, .init_sol = nullptr};
  if (const char* refused = check_parameter(&prob, &param)) {
    throw std::runtime_error(fmt::format("liblinear refused its parameters: {}", refused));
  }
  set_print_string_function(quiet);
  const std::unique_ptr<struct model, void (*)(struct model*)> fitted(
      train(&prob, &param), [](struct model* m) { free_and_destroy_model(&m); });
  // The decision value is for the first label liblinear met; make it label 1's.
  const double sign = fitted->label[0] == 1 ? 1.0 : -1.0;
  for (std::size_t c = 0; c < x.cols; ++c) model.weights[c] = sign * fitted->w[c];
  model.bias = sign * fitted->w[x.cols];
  return model;
}

}  // namespace snipe::trainer
