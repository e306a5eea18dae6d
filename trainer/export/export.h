#pragma once
// The export directory: the contract with the bot (and the inference shim).
//   model.pt       TorchScript; forward(candles [B, T, Fc], indicators [B, T, Fi],
//                  context [B, Fx]) -> (profitable probability [B], max_profit [B],
//                  rug probability [B]); saved in eval mode
//   scalers.json   scalers_to_json (trainer/data/scalers.h)
//   metadata.json  what the bot needs to feed the model and judge it
//                  (shared/store/export_metadata.h)
//   baselines/     the run's baseline models per binary head (trainer/baselines):
//                  <head>.xgboost.json (XGBoost's JSON), <head>.logistic.json
// The directory appears complete or not at all: it is written beside its final name,
// fsynced, and swapped in with one atomic rename (the previous export, if any, is removed
// only after the swap). TorchScript is one format behind this one function, so another
// (torch.export, ONNX) can be added here.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include <torch/script.h>

#include "shared/store/export_format.h"
#include "shared/store/export_metadata.h"
#include "trainer/data/scalers.h"

namespace snipe::trainer {

// "baselines/<head>.<kind>.json": where an export keeps a head's baseline ("xgboost" or
// "logistic"), relative to the export directory.
std::string baseline_file(std::string_view head, std::string_view kind);

// A further file of the export: its path relative to the export directory, its bytes.
struct ExportFile {
  std::string name;  // e.g. "baselines/rug.xgboost.json"
  std::string bytes;
};

// Writes `export_dir` (its parent must exist) with `files` beside the model, all in the
// one atomic swap. The model is saved in eval mode and left in the mode it was in. Throws
// IoError naming the path.
void write_export(const std::filesystem::path& export_dir, torch::jit::Module& model, const Scalers& scalers,
                  const ExportMetadata& metadata, std::span<const ExportFile> files = {});

// Loads `export_dir`/model.pt in eval mode (load_torchscript). Throws ModelError naming
// the file.
torch::jit::Module load_exported_model(const std::filesystem::path& export_dir);

}  // namespace snipe::trainer
