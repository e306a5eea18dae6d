#pragma once
// Private to shared/mpi/ and shared/comm/ (and the benchmarks' raw-MPI baselines): the
// one header that exposes <mpi.h>, and the check every MPI call goes through. Code above
// the communicators includes shared/mpi/mpi_context.h and shared/comm/ instead
// (tests/layering/mpi_include_test.cpp holds that line).

#include <mpi.h>

#include "shared/mpi/mpi_context.h"

// Throws MpiError unless `expr` returns MPI_SUCCESS.
#define SNIPE_MPI_CHECK(expr) ::snipe::detail::check_mpi((expr), #expr, __FILE__, __LINE__)

namespace snipe::detail {
void check_mpi(int code, const char* expression, const char* file, int line);
}  // namespace snipe::detail
