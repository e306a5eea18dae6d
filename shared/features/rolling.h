#pragma once
// Fixed-size building blocks of the streaming indicators. Window statistics are
// recomputed from the N stored values on every call (N <= 50) instead of kept as running
// sums: no drift over a long series, and a value depends only on the last N inputs.
// Not thread-safe; one instance per series.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

namespace snipe::rolling {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The last N values pushed.
template <std::size_t N>
class Window {
 public:
  void push(double x) {
    values_[next_] = x;
    next_ = (next_ + 1) % N;
    if (size_ < N) ++size_;
  }
  bool full() const { return size_ == N; }
  // REQUIRES: ago < size(). ago = 0 is the newest value.
  double back(std::size_t ago) const { return values_[(next_ + N - 1 - ago) % N]; }
  std::size_t size() const { return size_; }

  // Sums run oldest to newest, so a result depends on the stored values alone (bit for
  // bit), not on where the ring happens to start.
  double sum() const {
    double s = 0.0;
    for_each_oldest_first([&](double x) { s += x; });
    return s;
  }
  // Mean shifted by the oldest value: exact for a constant window (a flat price must give
  // a zero-width Bollinger band, not rounding noise) and less cancellation otherwise.
  double mean() const {
    const double origin = back(size_ - 1);
    double shifted = 0.0;
    for_each_oldest_first([&](double x) { shifted += x - origin; });
    return origin + shifted / static_cast<double>(size_);
  }
  // Sum of squared deviations from the mean (two-pass, so no cancellation).
  double sum_squared_deviations() const {
    const double m = mean();
    double s = 0.0;
    for_each_oldest_first([&](double x) { s += (x - m) * (x - m); });
    return s;
  }
  // NaN when any stored value is NaN (std::min_element would skip it silently).
  double min() const { return extreme([](double a, double b) { return b < a; }); }
  double max() const { return extreme([](double a, double b) { return b > a; }); }

 private:
  template <class Better>
  double extreme(Better better) const {
    double best = values_[0];
    for (std::size_t i = 0; i < size_; ++i) {
      if (std::isnan(values_[i])) return kNaN;
      if (better(best, values_[i])) best = values_[i];
    }
    return best;
  }

  template <class F>
  void for_each_oldest_first(F&& f) const {
    const std::size_t oldest = size_ < N ? 0 : next_;
    for (std::size_t i = oldest; i < size_; ++i) f(values_[i]);
    for (std::size_t i = 0; i < oldest; ++i) f(values_[i]);
  }

  std::array<double, N> values_{};
  std::size_t next_ = 0;
  std::size_t size_ = 0;
};

// Exponential average seeded with the simple mean of its first N inputs: NaN for the
// first N - 1 inputs, then the SMA, then prev + alpha * (x - prev) in the textbook form.
//   Ema:    alpha = 2 / (N + 1), value = alpha * x + (1 - alpha) * prev
//   Wilder: alpha = 1 / N,       value = (prev * (N - 1) + x) / N
enum class Smoothing { kEma, kWilder };

template <std::size_t N, Smoothing S>
class SeededAverage {
 public:
  double push(double x) {
    if (count_ < N) {
      seed_sum_ += x;
      if (++count_ < N) return kNaN;
      value_ = seed_sum_ / static_cast<double>(N);
    } else if constexpr (S == Smoothing::kEma) {
      constexpr double alpha = 2.0 / (static_cast<double>(N) + 1.0);
      value_ = alpha * x + (1.0 - alpha) * value_;
    } else {
      value_ = (value_ * static_cast<double>(N - 1) + x) / static_cast<double>(N);
    }
    return value_;
  }
  bool ready() const { return count_ >= N; }
  double value() const { return ready() ? value_ : kNaN; }

 private:
  std::size_t count_ = 0;
  double seed_sum_ = 0.0;
  double value_ = kNaN;
};

template <std::size_t N>
using Ema = SeededAverage<N, Smoothing::kEma>;
template <std::size_t N>
using WilderAverage = SeededAverage<N, Smoothing::kWilder>;

}  // namespace snipe::rolling
