#pragma once
// Fits the logistic regression baseline of one binary head (shared/models/logistic_model.h)
// with liblinear (Debian's liblinear-dev), L2-regularised, on features standardised with
// the train rows' mean and population sd (1 where 0).

#include <span>

#include "shared/models/logistic_model.h"
#include "shared/models/matrix_view.h"

namespace snipe::trainer {

struct LogisticOptions {
  double c = 1.0;      // inverse regularisation strength (liblinear's C)
  double eps = 1e-3;   // liblinear's stopping tolerance
};

// Fits on `train` with labels 0/1. Train rows of one class give weights 0 and a bias of
// that class's log-odds (clamped), so the model predicts the train rate. Throws
// std::invalid_argument when the labels do not match the rows, std::runtime_error when
// liblinear refuses.
LogisticModel fit_logistic(MatrixView train, std::span<const float> labels, const LogisticOptions& options = {});

}  // namespace snipe::trainer
