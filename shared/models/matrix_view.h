#pragma once
// A row-major float matrix that the caller owns: what the tabular models (trees,
// logistic regression) fit on and predict from.

#include <cstddef>
#include <span>

namespace snipe {

struct MatrixView {
  std::span<const float> values;  // [rows * cols]; NaN counts as missing (trees)
  std::size_t rows = 0;
  std::size_t cols = 0;
};

}  // namespace snipe
