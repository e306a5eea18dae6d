#include "trainer/train/train_options.h"

#include "shared/core/option_rule.h"

namespace snipe::trainer {
namespace {

// The train.loss_* weights, huber_delta and rug_class_weight_power.
void validate_loss(const LossOptions& l, std::string_view origin) {
  require_option(l.profitable_weight >= 0.0, origin, "train.loss_profitable_weight", l.profitable_weight, ">= 0");
  require_option(l.max_profit_weight >= 0.0, origin, "train.loss_max_profit_weight", l.max_profit_weight, ">= 0");
  require_option(l.rug_weight >= 0.0, origin, "train.loss_rug_weight", l.rug_weight, ">= 0");
  const double total = l.profitable_weight + l.max_profit_weight + l.rug_weight;
  require_option(total > 0.0, origin, "train.loss_profitable_weight + loss_max_profit_weight + loss_rug_weight",
                 total, "> 0 (at least one head must be trained)");
  require_option(l.huber_delta > 0.0, origin, "train.huber_delta", l.huber_delta, "> 0 (a fraction of profit)");
  require_option(l.rug_class_weight_power >= 0.0 && l.rug_class_weight_power <= 1.0, origin,
                 "train.rug_class_weight_power", l.rug_class_weight_power,
                 "in [0, 1] (1: balanced class weights, 0: unweighted)");
}

// The optimizer and schedule: lr, min_lr, warmup_steps, weight_decay, grad_clip.
void validate_optimizer(const TrainOptions& t, std::string_view origin) {
  require_option(t.lr > 0.0, origin, "train.lr", t.lr, "> 0");
  require_option(t.min_lr >= 0.0 && t.min_lr <= t.lr, origin, "train.min_lr", t.min_lr,
                 fmt::format("in [0, train.lr ({})]: the cosine decays from lr down to it", t.lr));
  require_option(t.warmup_steps >= 1, origin, "train.warmup_steps", t.warmup_steps, ">= 1 (optimizer steps)");
  require_option(t.weight_decay >= 0.0, origin, "train.weight_decay", t.weight_decay, ">= 0");
  require_option(t.grad_clip > 0.0, origin, "train.grad_clip", t.grad_clip, "> 0 (a global L2 norm)");
}

}  // namespace

void validate_options(const TrainOptions& t, std::string_view origin) {
  require_option(t.window >= 2, origin, "train.window", t.window, ">= 2 (candles per example window)");
  require_option(t.batch_size >= 1, origin, "train.batch_size", t.batch_size, ">= 1");
  require_option(t.epochs >= 1, origin, "train.epochs", t.epochs, ">= 1");
  require_option(t.threads >= 0, origin, "train.threads", t.threads, ">= 0 (0: the cores of each rank)");
  validate_optimizer(t, origin);
  validate_loss(t.loss, origin);
  validate_options(t.select, origin);
  require_option(t.patience >= 1, origin, "train.patience", t.patience, ">= 1 (epochs)");
  require_option(t.checkpoint_every_steps >= 0, origin, "train.checkpoint_every_steps", t.checkpoint_every_steps,
                 ">= 0 (0: checkpoint at epoch ends only)");
  require_option(t.keep_checkpoints >= 1, origin, "train.keep_checkpoints", t.keep_checkpoints, ">= 1");
  require_option(t.prefetch >= 1, origin, "train.prefetch", t.prefetch, ">= 1 (batches)");
}

void validate_options(const DistributedOptions& d, std::string_view origin) {
  require_option(d.comm.stall_timeout_s >= 0.0, origin, "distributed.stall_timeout_s", d.comm.stall_timeout_s,
                 ">= 0 (seconds; 0: never)");
  require_option(d.bucket_mb >= 0.0, origin, "distributed.bucket_mb", d.bucket_mb,
                 ">= 0 (MB; 0: one fused all-reduce)");
}

}  // namespace snipe::trainer
