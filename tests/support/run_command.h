#pragma once
// Runs `snipe` (or any shell command line) from a test the way a user would.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "shared/core/atomic_file.h"

namespace snipe::testing {

// Runs a shell command line with stdout discarded; returns its exit status (-1 when it
// died of a signal) and, when `err` is given, its stderr (kept in `dir`/stderr.txt).
inline int run_command(const std::string& command, const std::filesystem::path& dir, std::string* err = nullptr) {
  const std::filesystem::path err_file = dir / "stderr.txt";
  const int status = std::system((command + " >/dev/null 2>" + err_file.string()).c_str());
  if (err != nullptr) *err = read_file(err_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// "mpirun ... -np N " as the tests launch jobs (as root too; more ranks than cores).
inline std::string mpirun(int ranks) {
  return "mpirun --allow-run-as-root --oversubscribe -np " + std::to_string(ranks) + " ";
}

inline bool have_mpirun() { return std::system("command -v mpirun >/dev/null 2>&1") == 0; }

}  // namespace snipe::testing
