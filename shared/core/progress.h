#pragma once
// Progress of long work: a redrawn bar on a terminal, a log line every `interval`
// otherwise (CI logs, Slurm output files). Not thread-safe; one per loop.

#include <chrono>
#include <cstddef>
#include <string>

namespace snipe {

class Progress {
 public:
  // `enabled` false prints nothing (e.g. ranks other than 0).
  Progress(std::string label, std::size_t total, bool enabled,
           std::chrono::seconds interval = std::chrono::seconds(10));
  ~Progress();

  void advance(std::size_t n = 1);
  // Draws the final state and ends the bar's line.
  void finish();

 private:
  void draw(bool force);

  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace snipe
