#pragma once
// A dense row-major matrix of doubles: rows are timesteps, columns are named features.

#include <cassert>
#include <cstddef>
#include <span>
#include <vector>

namespace snipe {

struct Table {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> data;  // [rows, cols], row-major

  Table() = default;
  Table(std::size_t r, std::size_t c, double fill = 0.0) : rows(r), cols(c), data(r * c, fill) {}

  double& at(std::size_t r, std::size_t c) {
    assert(r < rows && c < cols);
    return data[r * cols + c];
  }
  double at(std::size_t r, std::size_t c) const {
    assert(r < rows && c < cols);
    return data[r * cols + c];
  }
  std::span<double> row(std::size_t r) { return {data.data() + r * cols, cols}; }
  std::span<const double> row(std::size_t r) const { return {data.data() + r * cols, cols}; }
};

}  // namespace snipe
