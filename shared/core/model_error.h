#pragma once
// The one model error of snipe, beside errors.h's kinds (in its own header so that the
// many files that include errors.h do not depend on it).

#include "shared/core/errors.h"

namespace snipe {

// An exported model cannot be loaded or served: a missing or damaged model.pt, metadata of
// another schema or feature version, a model that fails its self-check. Thrown by the
// trainer's and the shim's TorchScript loader alike (shared/store/torchscript_loader.h);
// the shim, whose public header stands alone, turns it into snipe::shim::ModelError at
// its edge (shim/src/model_version.cpp).
class ModelError : public DataError {
 public:
  using DataError::DataError;
};

}  // namespace snipe
