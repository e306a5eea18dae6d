#!/usr/bin/env bash
# Builds the Node addon against the main build's libsnipe_shim.so and runs its tests.
#
#   SNIPE_BUILD_DIR       the main C++ build directory (default: <repo>/build); must hold
#                         shim/libsnipe_shim.so
#   SNIPE_TEST_MODEL_DIR  an export directory (model.pt, scalers.json, metadata.json) for the
#                         addon tests; unset: those tests are skipped (the pure-JS ones run)
#
# Offline: cmake-js downloads no Node headers because package.json declares
# binary.napi_versions (it uses the node-api-headers package instead).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${here}"
build_dir="$(realpath -m "${SNIPE_BUILD_DIR:-${here}/../../build}")"

log="$(mktemp)"
trap 'rm -f "${log}"' EXIT

# Quiet on success; the whole output when a step fails.
run_logged() {
  if ! "$@" >"${log}" 2>&1; then
    cat "${log}" >&2
    echo "snipe-shim: failed: $*" >&2
    return 1
  fi
}

# npm ci only when node_modules is missing or package-lock.json changed since the last one.
stamp=node_modules/.snipe-lock.sha256
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules || ! -f "${stamp}" || "$(cat "${stamp}")" != "${lock_sum}" ]]; then
  echo "snipe-shim: npm ci"
  run_logged npm ci --no-audit --no-fund --loglevel=error
  echo "${lock_sum}" >"${stamp}"
fi

# configure + build rather than `cmake-js compile`: compile configures only when build/ has
# no CMakeCache.txt yet, so a changed SNIPE_BUILD_DIR would be ignored.
echo "snipe-shim: cmake-js configure + build (SNIPE_BUILD_DIR=${build_dir})"
run_logged npx --no-install cmake-js configure --log-level warn --CDSNIPE_BUILD_DIR="${build_dir}"
run_logged npx --no-install cmake-js build --log-level warn

echo "snipe-shim: tsc --noEmit (index.d.ts)"
run_logged npx --no-install tsc -p tsconfig.json

if [[ -z "${SNIPE_TEST_MODEL_DIR:-}" ]]; then
  echo "snipe-shim: SNIPE_TEST_MODEL_DIR is not set; the addon tests will be skipped"
fi
# The per-test lines go to the log, printed in full when a test fails; the summary
# (# tests, # pass, # fail, ...) is always printed. The exit status is node --test's.
status=0
node --test --test-reporter=tap test/ >"${log}" 2>&1 || status=$?
if [[ ${status} -ne 0 ]]; then
  cat "${log}"
else
  grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "${log}"
fi
exit "${status}"
