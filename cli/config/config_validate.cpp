// validate_config: each section through the validator of the subsystem that owns it.
// No rule lives here but the config's own ([output]); every field has one rule, checked
// once.

#include "cli/config/config.h"
#include "collector/data_rules.h"
#include "shared/core/option_rule.h"

namespace snipe {

void validate_config(const Config& c, std::string_view origin) {
  collector::validate_data_rules(c.validation, c.labels, origin);
  collector::validate_options(source_config(c), origin);
  trainer::validate_options(c.split, origin);
  trainer::validate_options(c.model, origin);
  trainer::validate_options(c.train, origin);
  trainer::validate_options(c.distributed, origin);
  require_option(!c.output.dir.empty(), origin, "output.dir", "\"\"", "a directory path");
}

}  // namespace snipe
