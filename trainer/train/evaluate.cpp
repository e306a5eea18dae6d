#include "trainer/train/evaluate.h"

#include <torch/torch.h>

#include "trainer/model/eval_mode.h"
#include "trainer/train/batch_tensors.h"

namespace snipe::trainer {
namespace {

void append(std::vector<float>& out, const torch::Tensor& values) {
  const torch::Tensor contiguous = values.contiguous();
  const float* data = contiguous.data_ptr<float>();
  out.insert(out.end(), data, data + contiguous.numel());
}

}  // namespace

Predictions predict(torch::jit::Module& model, WindowLoader& loader, std::size_t window) {
  const EvalMode eval(model);
  const torch::NoGradGuard no_grad;
  Predictions out;
  Batch batch;
  loader.start_epoch(0);
  while (loader.next(batch)) {
    const BatchTensors in = batch_tensors(batch, window);
    const auto heads = model.forward({in.candles, in.indicators, in.context}).toTuple()->elements();
    append(out.profitable, heads[0].toTensor());
    append(out.max_profit, heads[1].toTensor());
    append(out.rug, heads[2].toTensor());
    append(out.profitable_y, in.targets.profitable);
    append(out.max_profit_y, in.targets.max_profit);
    append(out.rug_y, in.targets.rug);
    out.examples.insert(out.examples.end(), batch.examples.begin(), batch.examples.begin() + batch.size);
  }
  return out;
}

MetricsRecord evaluate_predictions(const Predictions& p, const std::string& split, std::int64_t epoch,
                                   std::int64_t step) {
  MetricsRecord record;
  record.split = split;
  record.epoch = epoch;
  record.step = step;
  record.profitable = binary_metrics(p.profitable, p.profitable_y);
  record.rug = binary_metrics(p.rug, p.rug_y);
  record.max_profit = regression_metrics(p.max_profit, p.max_profit_y);
  return record;
}

}  // namespace snipe::trainer
