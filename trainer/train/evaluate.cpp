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

std::vector<std::uint32_t> strided_share(const std::vector<std::uint32_t>& examples, int rank, int world) {
  std::vector<std::uint32_t> share;
  for (auto i = static_cast<std::size_t>(rank); i < examples.size(); i += static_cast<std::size_t>(world)) {
    share.push_back(examples[i]);
  }
  return share;
}

Predictions gather_predictions(const Predictions& mine, const std::vector<std::uint32_t>& examples,
                               Communicator& comm) {
  const std::size_t n = examples.size();
  const auto world = static_cast<std::size_t>(comm.size());
  const auto rank = static_cast<std::size_t>(comm.rank());
  TORCH_CHECK(mine.examples.size() == (n + world - 1 - rank) / world,
              "gather_predictions: this rank's predictions are not of its strided share");
  const std::vector<const std::vector<float>*> parts = {&mine.profitable,   &mine.max_profit,   &mine.rug,
                                                        &mine.profitable_y, &mine.max_profit_y, &mine.rug_y};
  std::vector<float> all(parts.size() * n, 0.0f);  // [part, position in `examples`]
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const std::vector<float>& values = *parts[p];
    for (std::size_t i = 0; i < values.size(); ++i) {
      all[p * n + rank + i * world] = values[i];
    }
  }
  comm.allreduce(buffer_of(std::span(all)), ReduceOp::kSum);
  const auto part = [&](std::size_t p) {
    return std::vector<float>(all.begin() + static_cast<std::ptrdiff_t>(p * n),
                              all.begin() + static_cast<std::ptrdiff_t>((p + 1) * n));
  };
  return {.profitable = part(0), .max_profit = part(1), .rug = part(2), .profitable_y = part(3),
          .max_profit_y = part(4), .rug_y = part(5), .examples = examples};
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
