// snipe: one executable, one subcommand per stage of the pipeline, in the real Env.

#include "cli/command.h"
#include "shared/core/env.h"

int main(int argc, char** argv) {
  snipe::PosixEnv env;
  return snipe::cli::run_cli(argc, argv, env);
}
