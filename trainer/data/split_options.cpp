#include "trainer/data/split_options.h"

#include "shared/core/option_rule.h"

namespace snipe::trainer {

void validate_options(const SplitOptions& s, std::string_view origin) {
  require_option(s.train_fraction > 0.0 && s.train_fraction < 1.0, origin, "split.train_fraction",
                 s.train_fraction, "in (0, 1) (the oldest share of each token's examples)");
  require_option(s.val_fraction > 0.0 && s.val_fraction < 1.0, origin, "split.val_fraction", s.val_fraction,
                 "in (0, 1)");
  const double both = s.train_fraction + s.val_fraction;
  require_option(both < 1.0, origin, "split.train_fraction + split.val_fraction", both,
                 "< 1 (test gets the rest): lower one of them");
  // split.embargo >= 0 holds by type: the reader rejects a negative count.
}

}  // namespace snipe::trainer
