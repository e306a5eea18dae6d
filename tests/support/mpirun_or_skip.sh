#!/usr/bin/env bash
# ctest's way to run a test binary on several MPI ranks: `mpirun_or_skip.sh MPIRUN N BINARY [ARGS]`
# runs BINARY under MPIRUN with N ranks (--oversubscribe: more ranks than cores), or, when
# MPI cannot start N ranks here at all, says why and exits 77, which the tests' SKIP_RETURN_CODE
# turns into a skip rather than a failure.
set -uo pipefail
mpirun=$1 ranks=$2
shift 2
run=("$mpirun" --allow-run-as-root --oversubscribe -np "$ranks")
if ! probe=$(timeout 60 "${run[@]}" true 2>&1); then
  echo "SKIP: mpirun cannot start $ranks ranks here: ${probe:-timed out}"
  exit 77
fi
exec "${run[@]}" "$@"
