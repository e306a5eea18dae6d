#pragma once
// One loaded version of the model: its TorchScript module, scalers and window, checked
// and warmed up before anyone predicts with it. Immutable once built: any number of
// threads may run() it at once (TorchScript's executor is thread-safe for inference).
// Versions are shared: the shim's serving pointer holds one, and each prediction in
// flight holds the one it started on, so a swap never pulls a model from under a caller.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "shared/features/scaling.h"
#include "shared/store/export_metadata.h"
#include "shim/src/version_dir.h"

namespace snipe::shim {

// The model's three outputs for a batch, [B] each.
struct BatchOutputs {
  std::span<double> profitable, max_profit, rug;
};

class ModelVersion {
 public:
  // Loads `ref.dir` (metadata, scalers, model.pt), then the self-check: the model must
  // give finite outputs (probabilities in [0, 1]) on a fixed synthetic token, alone and
  // in a batch of two identical tokens (equal answers, to 1e-5), which also warms up the
  // executor. Throws ModelError naming the file and the reason.
  static std::shared_ptr<const ModelVersion> load(const VersionRef& ref, int intra_op_threads);
  ~ModelVersion();

  const VersionRef& ref() const { return ref_; }
  const std::string& name() const { return ref_.name; }
  std::size_t window() const { return window_; }
  const Scalers& scalers() const { return scalers_; }

  // Runs forward in eval mode without autograd on B tokens:
  //   candles [B, T, Fc], indicators [B, T, Fi], context [B, Fx] (scaled, row-major).
  // The binary heads come out calibrated: the export's temperatures applied to the
  // model's probabilities (none: as they are). The calling thread uses
  // `intra_op_threads` LibTorch threads. Throws ModelError.
  void run(std::size_t batch, std::span<const float> candles, std::span<const float> indicators,
           std::span<const float> context, const BatchOutputs& out) const;

 private:
  struct Module;  // the TorchScript module, behind a pointer to keep LibTorch out of this header
  ModelVersion(VersionRef ref, std::size_t window, Scalers scalers, ExportCalibration calibration,
               std::unique_ptr<Module> module, int intra_op_threads);
  void self_check() const;

  VersionRef ref_;
  std::size_t window_;
  Scalers scalers_;
  ExportCalibration calibration_;  // temperatures 1 when the export has none
  std::unique_ptr<Module> module_;
  int intra_op_threads_;
};

}  // namespace snipe::shim
