// validate_config: every range and cross-field rule of the settings, in one place.

#include <fmt/format.h>

#include "shared/config/config.h"
#include "shared/core/errors.h"
#include "shared/features/model_features.h"

namespace snipe {
namespace {

// Throws "origin: field = value must be <rule>" unless `ok`.
template <class T>
void require(bool ok, std::string_view origin, std::string_view field, const T& value,
             std::string_view rule) {
  if (!ok) throw ConfigError(fmt::format("{}: {} = {} must be {}", origin, field, value, rule));
}

void validate_source(const Config& c, std::string_view origin) {
  if (c.source.kind == SourceKind::kCsv) {
    require(!c.source.csv_dir.empty(), origin, "source.csv_dir", "\"\"",
            "a directory of <token>.csv files when source.kind = \"csv\" (or pass --csv-dir)");
  }
  if (c.source.kind == SourceKind::kGeckoTerminal) {
    require(!c.geckoterminal.source.pools.empty(), origin, "geckoterminal.pools", "[]",
            "a list of pool addresses when source.kind = \"geckoterminal\"");
  }
}

void validate_synthetic(const collector::simulator::SimulatorOptions& s, std::string_view origin) {
  require(s.tokens >= 1, origin, "synthetic.tokens", s.tokens, ">= 1");
  require(s.min_candles >= 1, origin, "synthetic.min_candles", s.min_candles, ">= 1");
  require(s.max_candles >= s.min_candles, origin, "synthetic.max_candles", s.max_candles,
          fmt::format(">= synthetic.min_candles ({})", s.min_candles));
  require(s.start_timestamp > 0, origin, "synthetic.start_timestamp", s.start_timestamp,
          "> 0 (Unix seconds)");
  require(s.end_timestamp == 0 || s.end_timestamp > s.start_timestamp, origin,
          "synthetic.end_timestamp", s.end_timestamp, "0 (no cut) or after synthetic.start_timestamp");
}

void validate_endpoint(const collector::EndpointOptions& e, std::string_view section,
                       std::string_view origin) {
  const auto field = [&](std::string_view key) { return fmt::format("{}.{}", section, key); };
  require(e.base_url.starts_with("http://") || e.base_url.starts_with("https://"), origin,
          field("base_url"), fmt::format("\"{}\"", e.base_url), "an http:// or https:// URL");
  require(!e.base_url.ends_with('/'), origin, field("base_url"), fmt::format("\"{}\"", e.base_url),
          "without a trailing slash");
  require(e.requests_per_second > 0, origin, field("requests_per_second"), e.requests_per_second,
          "> 0 (per account)");
  require(e.requests_per_minute > 0, origin, field("requests_per_minute"), e.requests_per_minute,
          "> 0 (per account)");
}

void validate_providers(const Config& c, std::string_view origin) {
  validate_endpoint(c.birdeye.endpoint, "birdeye", origin);
  validate_endpoint(c.geckoterminal.endpoint, "geckoterminal", origin);
  const auto& b = c.birdeye.source;
  require(!b.tokens.empty() || b.discover_limit >= 1, origin, "birdeye.discover_limit",
          b.discover_limit, ">= 1 when birdeye.tokens is empty");
  require(b.time_to == 0 || b.time_to >= b.time_from, origin, "birdeye.time_to", b.time_to,
          "0 (now) or >= birdeye.time_from");
  const int limit = c.geckoterminal.source.limit;
  require(limit >= 1 && limit <= 1000, origin, "geckoterminal.limit", limit, "in 1..1000");
  const collector::RetryOptions& h = c.http;
  require(h.timeout_ms > 0, origin, "http.timeout_ms", h.timeout_ms, "> 0");
  require(h.max_attempts >= 1, origin, "http.max_attempts", h.max_attempts, ">= 1");
  require(h.backoff_base_ms >= 0, origin, "http.backoff_base_ms", h.backoff_base_ms, ">= 0");
  require(h.backoff_cap_ms >= h.backoff_base_ms, origin, "http.backoff_cap_ms", h.backoff_cap_ms,
          ">= http.backoff_base_ms");
  require(h.malformed_retries >= 0, origin, "http.malformed_retries", h.malformed_retries, ">= 0");
}

void validate_data_rules(const Config& c, std::string_view origin) {
  const ValidationOptions& v = c.validation;
  require(v.interval_s > 0, origin, "validation.interval_s", v.interval_s, "> 0 (seconds)");
  require(v.min_candles >= 1, origin, "validation.min_candles", v.min_candles, ">= 1");
  require(v.max_gap_intervals >= 1.0, origin, "validation.max_gap_intervals",
          v.max_gap_intervals, ">= 1 (a gap is a step wider than this many intervals)");
  require(v.spike_ratio > 0.0, origin, "validation.spike_ratio", v.spike_ratio,
          "> 0 (10 flags a close more than +1000% over the previous one)");
  require(v.zero_volume_run >= 1, origin, "validation.zero_volume_run", v.zero_volume_run, ">= 1");
  require(v.stale_run >= 2, origin, "validation.stale_run", v.stale_run, ">= 2");
  const LabelOptions& l = c.labels;
  require(l.horizon >= 1, origin, "labels.horizon", l.horizon, ">= 1 (candles)");
  require(l.take_profit > 0.0, origin, "labels.take_profit", l.take_profit,
          "> 0 (a fraction above the entry)");
  require(l.stop_loss > 0.0 && l.stop_loss < 1.0, origin, "labels.stop_loss", l.stop_loss,
          "in (0, 1) (a fraction below the entry)");
  require(l.rug_drop > 0.0 && l.rug_drop < 1.0, origin, "labels.rug_drop", l.rug_drop,
          "in (0, 1) (0.8 = a fall of 80%)");
  require(l.rug_drop >= l.stop_loss, origin, "labels.rug_drop", l.rug_drop,
          fmt::format(">= labels.stop_loss ({}): a rug is at least as deep as a stop-loss",
                      l.stop_loss));
  const std::size_t shortest_useful = kModelFeatureWarmup + l.horizon + 1;
  require(v.min_candles >= shortest_useful, origin, "validation.min_candles", v.min_candles,
          fmt::format(">= {} (feature warm-up {} + labels.horizon {} + 1), or an accepted "
                      "series could yield no example",
                      shortest_useful, kModelFeatureWarmup, l.horizon));
}

void validate_split(const trainer::SplitOptions& s, std::string_view origin) {
  require(s.train_fraction > 0.0 && s.train_fraction < 1.0, origin, "split.train_fraction",
          s.train_fraction, "in (0, 1) (the oldest share of each token's examples)");
  require(s.val_fraction > 0.0 && s.val_fraction < 1.0, origin, "split.val_fraction",
          s.val_fraction, "in (0, 1)");
  const double both = s.train_fraction + s.val_fraction;
  require(both < 1.0, origin, "split.train_fraction + split.val_fraction", both,
          "< 1 (test gets the rest): lower one of them");
  // split.embargo >= 0 holds by type: the reader rejects a negative count.
}

// The train.loss_* weights and huber_delta.
void validate_loss(const trainer::LossOptions& l, std::string_view origin) {
  require(l.profitable_weight >= 0.0, origin, "train.loss_profitable_weight", l.profitable_weight,
          ">= 0");
  require(l.max_profit_weight >= 0.0, origin, "train.loss_max_profit_weight", l.max_profit_weight,
          ">= 0");
  require(l.rug_weight >= 0.0, origin, "train.loss_rug_weight", l.rug_weight, ">= 0");
  const double total = l.profitable_weight + l.max_profit_weight + l.rug_weight;
  require(total > 0.0, origin,
          "train.loss_profitable_weight + loss_max_profit_weight + loss_rug_weight", total,
          "> 0 (at least one head must be trained)");
  require(l.huber_delta > 0.0, origin, "train.huber_delta", l.huber_delta,
          "> 0 (a fraction of profit)");
}

// The optimizer and schedule: lr, min_lr, warmup_steps, weight_decay, grad_clip.
void validate_optimizer(const trainer::TrainOptions& t, std::string_view origin) {
  require(t.lr > 0.0, origin, "train.lr", t.lr, "> 0");
  require(t.min_lr >= 0.0 && t.min_lr <= t.lr, origin, "train.min_lr", t.min_lr,
          fmt::format("in [0, train.lr ({})]: the cosine decays from lr down to it", t.lr));
  require(t.warmup_steps >= 1, origin, "train.warmup_steps", t.warmup_steps,
          ">= 1 (optimizer steps)");
  require(t.weight_decay >= 0.0, origin, "train.weight_decay", t.weight_decay, ">= 0");
  require(t.grad_clip > 0.0, origin, "train.grad_clip", t.grad_clip, "> 0 (a global L2 norm)");
}

void validate_train(const trainer::TrainOptions& t, std::string_view origin) {
  require(t.window >= 2, origin, "train.window", t.window, ">= 2 (candles per example window)");
  require(t.batch_size >= 1, origin, "train.batch_size", t.batch_size, ">= 1");
  require(t.epochs >= 1, origin, "train.epochs", t.epochs, ">= 1");
  require(t.threads >= 0, origin, "train.threads", t.threads, ">= 0 (0: the cores of each rank)");
  validate_optimizer(t, origin);
  validate_loss(t.loss, origin);
  require(t.patience >= 1, origin, "train.patience", t.patience, ">= 1 (epochs)");
  require(t.checkpoint_every_steps >= 0, origin, "train.checkpoint_every_steps",
          t.checkpoint_every_steps, ">= 0 (0: checkpoint at epoch ends only)");
  require(t.keep_checkpoints >= 1, origin, "train.keep_checkpoints", t.keep_checkpoints, ">= 1");
  require(t.prefetch >= 1, origin, "train.prefetch", t.prefetch, ">= 1 (batches)");
}

void validate_distributed(const trainer::DistributedOptions& d, std::string_view origin) {
  require(d.comm.stall_timeout_s >= 0.0, origin, "distributed.stall_timeout_s", d.comm.stall_timeout_s,
          ">= 0 (seconds; 0: never)");
  require(d.bucket_mb >= 0.0, origin, "distributed.bucket_mb", d.bucket_mb, ">= 0 (MB; 0: one fused all-reduce)");
}

void validate_training(const Config& c, std::string_view origin) {
  validate_split(c.split, origin);
  validate_model_options(c.model, origin);
  validate_train(c.train, origin);
  validate_distributed(c.distributed, origin);
}

}  // namespace

void validate_model_options(const trainer::ModelOptions& m, std::string_view origin) {
  require(m.candle_features >= 1, origin, "model.candle_features", m.candle_features, ">= 1");
  require(m.indicator_features >= 0, origin, "model.indicator_features", m.indicator_features,
          ">= 0");
  require(m.context_features >= 0, origin, "model.context_features", m.context_features, ">= 0");
  require(m.lstm1_hidden >= 1, origin, "model.lstm1_hidden", m.lstm1_hidden, ">= 1");
  require(m.lstm2_hidden >= 1, origin, "model.lstm2_hidden", m.lstm2_hidden, ">= 1");
  require(m.heads >= 1 && (2 * m.lstm2_hidden) % m.heads == 0, origin, "model.heads", m.heads,
          fmt::format("a divisor of the attention width 2 * model.lstm2_hidden ({})",
                      2 * m.lstm2_hidden));
  require(m.attention_dropout >= 0.0 && m.attention_dropout < 1.0, origin,
          "model.attention_dropout", m.attention_dropout, "in [0, 1)");
  require(m.context_hidden >= 1, origin, "model.context_hidden", m.context_hidden, ">= 1");
  require(m.head_hidden >= 1, origin, "model.head_hidden", m.head_hidden, ">= 1");
  require(m.head_dropout >= 0.0 && m.head_dropout < 1.0, origin, "model.head_dropout",
          m.head_dropout, "in [0, 1)");
}

void validate_config(const Config& c, std::string_view origin) {
  validate_source(c, origin);
  validate_synthetic(c.synthetic, origin);
  validate_providers(c, origin);
  validate_data_rules(c, origin);
  validate_training(c, origin);
  require(!c.output.dir.empty(), origin, "output.dir", "\"\"", "a directory path");
}

}  // namespace snipe
