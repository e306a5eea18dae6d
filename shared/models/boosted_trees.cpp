#include "shared/models/boosted_trees.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <xgboost/c_api.h>

namespace snipe {
namespace {

void check(int rc, std::string_view what) {
  if (rc != 0) throw std::runtime_error(fmt::format("XGBoost {}: {}", what, XGBGetLastError()));
}

// An owned DMatrix over a copy of `x`.
class Matrix {
 public:
  Matrix(MatrixView x, std::span<const float> labels = {}) {
    check(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, std::numeric_limits<float>::quiet_NaN(), &handle_),
          "DMatrix");
    if (!labels.empty()) check(XGDMatrixSetFloatInfo(handle_, "label", labels.data(), labels.size()), "labels");
  }
  ~Matrix() { XGDMatrixFree(handle_); }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

BoosterHandle new_booster(std::span<const DMatrixHandle> cache) {
  BoosterHandle booster = nullptr;
  check(XGBoosterCreate(cache.data(), cache.size(), &booster), "create");
  return booster;
}

void set(BoosterHandle booster, const char* name, const std::string& value) {
  check(XGBoosterSetParam(booster, name, value.c_str()), fmt::format("parameter {} = {}", name, value));
}

void set_options(BoosterHandle booster, const TreeOptions& o) {
  set(booster, "objective", "binary:logistic");
  set(booster, "eval_metric", "auc");
  set(booster, "tree_method", "hist");
  set(booster, "max_depth", std::to_string(o.max_depth));
  set(booster, "eta", fmt::format("{}", o.eta));
  set(booster, "subsample", fmt::format("{}", o.subsample));
  set(booster, "colsample_bytree", fmt::format("{}", o.colsample_bytree));
  set(booster, "min_child_weight", fmt::format("{}", o.min_child_weight));
  set(booster, "lambda", fmt::format("{}", o.lambda));
  set(booster, "nthread", std::to_string(o.threads));
  set(booster, "seed", std::to_string(o.seed % 2147483647u));
  set(booster, "verbosity", "0");
}

// The val AUC after round `round`, parsed from XGBoost's "[r]\tval-auc:0.73" line; NaN
// when undefined (one class in val).
double val_auc(BoosterHandle booster, int round, DMatrixHandle val) {
  const char* name = "val";
  const char* line = nullptr;
  check(XGBoosterEvalOneIter(booster, round, &val, &name, 1, &line), "evaluation");
  const std::string_view text(line);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nan("");
  try {
    return std::stod(std::string(text.substr(colon + 1)));
  } catch (const std::exception&) {
    return std::nan("");
  }
}

// A booster of the first `rounds` rounds of `booster` (which is freed).
BoosterHandle first_rounds(BoosterHandle booster, int rounds) {
  BoosterHandle sliced = nullptr;
  check(XGBoosterSlice(booster, 0, rounds, 1, &sliced), "slice");
  XGBoosterFree(booster);
  return sliced;
}

}  // namespace

BoostedTrees BoostedTrees::fit(MatrixView train, std::span<const float> train_labels, MatrixView val,
                               std::span<const float> val_labels, const TreeOptions& options) {
  const Matrix train_matrix(train, train_labels), val_matrix(val, val_labels);
  const DMatrixHandle cache[] = {train_matrix.get(), val_matrix.get()};
  BoosterHandle booster = new_booster(cache);
  int best_rounds = 1;
  try {
    set_options(booster, options);
    double best_auc = -1.0;
    for (int round = 0; round < options.max_rounds && round + 1 - best_rounds <= options.early_stopping_rounds;
         ++round) {
      check(XGBoosterUpdateOneIter(booster, round, train_matrix.get()), "update");
      const double auc = val_auc(booster, round, val_matrix.get());
      if (auc > best_auc) {  // NaN never improves: one class in val keeps the first round
        best_auc = auc;
        best_rounds = round + 1;
      }
    }
    int boosted = 0;
    check(XGBoosterBoostedRounds(booster, &boosted), "rounds");
    if (boosted > best_rounds) booster = first_rounds(booster, best_rounds);
  } catch (...) {
    XGBoosterFree(booster);
    throw;
  }
  return BoostedTrees(booster, train.cols, best_rounds);
}

BoostedTrees BoostedTrees::from_json(const std::string& json, std::size_t cols, int threads) {
  BoosterHandle booster = new_booster({});
  try {
    check(XGBoosterLoadModelFromBuffer(booster, json.data(), json.size()), "load");
    set(booster, "nthread", std::to_string(threads));
    int rounds = 0;
    check(XGBoosterBoostedRounds(booster, &rounds), "rounds");
    bst_ulong features = 0;
    check(XGBoosterGetNumFeature(booster, &features), "feature count");
    if (features != cols) {
      throw std::runtime_error(fmt::format("XGBoost model: it reads {} features, this build's tabular view has {}",
                                           features, cols));
    }
    return BoostedTrees(booster, cols, rounds);
  } catch (...) {
    XGBoosterFree(booster);
    throw;
  }
}

BoostedTrees::~BoostedTrees() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
}

BoostedTrees::BoostedTrees(BoostedTrees&& other) noexcept
    : booster_(std::exchange(other.booster_, nullptr)),
      cols_(other.cols_),
      rounds_(other.rounds_),
      predicting_(std::move(other.predicting_)) {}

BoostedTrees& BoostedTrees::operator=(BoostedTrees&& other) noexcept {
  if (this != &other) {
    if (booster_ != nullptr) XGBoosterFree(booster_);
    booster_ = std::exchange(other.booster_, nullptr);
    cols_ = other.cols_;
    rounds_ = other.rounds_;
    predicting_ = std::move(other.predicting_);
  }
  return *this;
}

std::vector<float> BoostedTrees::predict(MatrixView x) const {
  if (x.cols != cols_) {
    throw std::invalid_argument(fmt::format("BoostedTrees::predict: {} features given, the model reads {}", x.cols,
                                            cols_));
  }
  if (x.rows == 0) return {};
  const std::lock_guard lock(*predicting_);
  const Matrix matrix(x);
  // type 0: the transformed (probability) output; strict_shape false: a flat [rows].
  const char* config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  check(XGBoosterPredictFromDMatrix(booster_, matrix.get(), config, &shape, &dims, &out), "predict");
  return std::vector<float>(out, out + x.rows);
}

std::string BoostedTrees::to_json() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  check(XGBoosterSaveModelToBuffer(booster_, R"({"format": "json"})", &length, &bytes), "save");
  return std::string(bytes, length);
}

}  // namespace snipe
