#pragma once
// Loading an exported TorchScript model: the one loader of the trainer
// (trainer/export/export.h) and the inference shim (shim/src/model_version.cpp). Header
// only, so the shim links LibTorch but not the training library; include it only from
// LibTorch translation units.

#include <filesystem>

#include <fmt/format.h>
#include <torch/script.h>

#include "shared/core/model_error.h"

namespace snipe {

// `file` (a model.pt) loaded on the CPU in eval mode. Throws ModelError naming the file
// and what to do when it is missing or not a TorchScript archive.
inline torch::jit::Module load_torchscript(const std::filesystem::path& file) {
  try {
    torch::jit::Module module = torch::jit::load(file.string());
    module.eval();
    return module;
  } catch (const c10::Error& e) {
    throw ModelError(fmt::format("{}: not a loadable TorchScript model ({}); HINT: re-export it with `snipe train`",
                                 file.string(), e.what_without_backtrace()));
  }
}

}  // namespace snipe
