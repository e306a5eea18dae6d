#pragma once
// Internal to cli/config: the one list of every section's keys and the fields they
// fill. Parsing (config.cpp) and describing (config_describe.cpp) both walk this list, so
// a key added here is read, validated by type and printed, and the two cannot drift.
//
// A Fields visitor provides:
//   section(name)                              a new [name] table begins
//   operator()(key, T& field)                  a plain key (numbers, strings, bools, lists, paths)
//   enumerated(key, T& field, parse, name_of)  a key holding a named value of an enum

#include "cli/config/config.h"

namespace snipe::config_detail {

template <class Fields>
void endpoint_fields(Fields& f, collector::EndpointOptions& e, bool keyed) {
  f("base_url", e.base_url);
  if (keyed) {
    f("keys_env", e.keys_env);
    f("key_file", e.key_file);
  }
  f("requests_per_second", e.requests_per_second);
  f("requests_per_minute", e.requests_per_minute);
}

inline std::string_view log_level_name(spdlog::level::level_enum level) {
  const auto view = spdlog::level::to_string_view(level);
  return {view.data(), view.size()};
}

// [split], [model], [train] and [distributed]. Not keys: split.window and split.seed (the train job
// copies train.window and train.seed into them) and model.*_features (fixed by the data).
template <class Fields>
void training_fields(Fields& f, Config& c) {
  f.section("split");
  f("train_fraction", c.split.train_fraction);
  f("val_fraction", c.split.val_fraction);
  f("embargo", c.split.embargo);
  f("whole_tokens", c.split.whole_tokens);

  f.section("model");
  f("lstm1_hidden", c.model.lstm1_hidden);
  f("lstm2_hidden", c.model.lstm2_hidden);
  f("heads", c.model.heads);
  f("attention_dropout", c.model.attention_dropout);
  f.enumerated("pooling", c.model.pooling, trainer::parse_pooling, trainer::pooling_name);
  f("context_hidden", c.model.context_hidden);
  f("head_hidden", c.model.head_hidden);
  f("head_dropout", c.model.head_dropout);

  f.section("train");
  f("window", c.train.window);
  f("batch_size", c.train.batch_size);
  f("epochs", c.train.epochs);
  f("seed", c.train.seed);
  f("threads", c.train.threads);
  f("lr", c.train.lr);
  f("min_lr", c.train.min_lr);
  f("warmup_steps", c.train.warmup_steps);
  f("weight_decay", c.train.weight_decay);
  f("grad_clip", c.train.grad_clip);
  f.enumerated("select", c.train.select.criterion, trainer::parse_selection, trainer::selection_name);
  f("select_rug_weight", c.train.select.rug_weight);
  f("patience", c.train.patience);
  f("checkpoint_every_steps", c.train.checkpoint_every_steps);
  f("keep_checkpoints", c.train.keep_checkpoints);
  f("prefetch", c.train.prefetch);
  f("loss_profitable_weight", c.train.loss.profitable_weight);
  f("loss_max_profit_weight", c.train.loss.max_profit_weight);
  f("loss_rug_weight", c.train.loss.rug_weight);
  f("huber_delta", c.train.loss.huber_delta);
  f("rug_class_weight_power", c.train.loss.rug_class_weight_power);

  f.section("distributed");
  f.enumerated("backend", c.distributed.comm.backend, parse_comm_backend, comm_backend_name);
  f("stall_timeout_s", c.distributed.comm.stall_timeout_s);
  f("bucket_mb", c.distributed.bucket_mb);
  f("pad_shards", c.distributed.pad_shards);
}

template <class Fields>
void config_fields(Fields& f, Config& c) {
  f.section("run");
  f.enumerated("log_level", c.run.log.level, parse_log_level, log_level_name);
  f.enumerated("log_format", c.run.log.format, parse_log_format, log_format_name);

  f.section("source");
  f.enumerated("kind", c.source.kind, collector::parse_source_kind, collector::source_kind_name);
  f("csv_dir", c.source.csv_dir);

  f.section("synthetic");
  f("seed", c.synthetic.seed);
  f("tokens", c.synthetic.tokens);
  f.enumerated("preset", c.synthetic.preset, collector::simulator::parse_preset,
               collector::simulator::preset_name);
  f("min_candles", c.synthetic.min_candles);
  f("max_candles", c.synthetic.max_candles);
  f("start_timestamp", c.synthetic.start_timestamp);
  f("end_timestamp", c.synthetic.end_timestamp);

  f.section("birdeye");
  endpoint_fields(f, c.birdeye.endpoint, /*keyed=*/true);
  f("chain", c.birdeye.source.chain);
  f("tokens", c.birdeye.source.tokens);
  f("discover_limit", c.birdeye.source.discover_limit);
  f("discover_meme_platforms", c.birdeye.source.discover_meme_platforms);
  f("time_from", c.birdeye.source.time_from);
  f("time_to", c.birdeye.source.time_to);
  f("fetch_context", c.birdeye.source.fetch_context);
  f("overview_liquidity", c.birdeye.source.overview_liquidity);

  f.section("geckoterminal");
  endpoint_fields(f, c.geckoterminal.endpoint, /*keyed=*/false);
  f("network", c.geckoterminal.source.network);
  f("pools", c.geckoterminal.source.pools);
  f("limit", c.geckoterminal.source.limit);

  f.section("http");
  f("timeout_ms", c.http.timeout_ms);
  f("max_attempts", c.http.max_attempts);
  f("backoff_base_ms", c.http.backoff_base_ms);
  f("backoff_cap_ms", c.http.backoff_cap_ms);
  f("malformed_retries", c.http.malformed_retries);

  f.section("validation");
  f("interval_s", c.validation.interval_s);
  f("min_candles", c.validation.min_candles);
  f("max_gap_intervals", c.validation.max_gap_intervals);
  f("spike_ratio", c.validation.spike_ratio);
  f("zero_volume_run", c.validation.zero_volume_run);
  f("stale_run", c.validation.stale_run);

  f.section("labels");
  f("horizon", c.labels.horizon);
  f("take_profit", c.labels.take_profit);
  f("stop_loss", c.labels.stop_loss);
  f("rug_drop", c.labels.rug_drop);

  training_fields(f, c);

  f.section("output");
  f("dir", c.output.dir);
}

}  // namespace snipe::config_detail
