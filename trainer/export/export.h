#pragma once
// The export directory: the contract with the bot (and the inference shim).
//   model.pt       TorchScript; forward(candles [B, T, Fc], indicators [B, T, Fi],
//                  context [B, Fx]) -> (profitable probability [B], max_profit [B],
//                  rug probability [B]); saved in eval mode
//   scalers.json   scalers_to_json (trainer/data/scalers.h)
//   metadata.json  what the bot needs to feed the model and judge it
//                  (shared/store/export_metadata.h)
// The directory appears complete or not at all: it is written beside its final name,
// fsynced, and swapped in with one atomic rename (the previous export, if any, is removed
// only after the swap). TorchScript is one format behind this one function, so another
// (torch.export, ONNX) can be added here.

#include <filesystem>

#include <torch/script.h>

#include "shared/store/export_format.h"
#include "shared/store/export_metadata.h"
#include "trainer/data/scalers.h"

namespace snipe::trainer {

// Writes `export_dir` (its parent must exist). The model is saved in eval mode and left in
// the mode it was in. Throws IoError naming the path.
void write_export(const std::filesystem::path& export_dir, torch::jit::Module& model, const Scalers& scalers,
                  const ExportMetadata& metadata);

// Loads `export_dir`/model.pt in eval mode (load_torchscript). Throws ModelError naming
// the file.
torch::jit::Module load_exported_model(const std::filesystem::path& export_dir);

}  // namespace snipe::trainer
