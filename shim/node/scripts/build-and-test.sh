#!/usr/bin/env bash
# Builds the Node addon against the main build's libsnipe_shim.so and runs its tests under
# the machine's node and under Debian 12's own Node 18 (the oldest Node package.json allows).
#
#   SNIPE_BUILD_DIR       the main C++ build directory (default: <repo>/build); must hold
#                         shim/libsnipe_shim.so
#   SNIPE_TEST_MODEL_DIR  an export directory (model.pt, scalers.json, metadata.json) for the
#                         addon tests; unset: those tests are skipped (the pure-JS ones run)
#   SNIPE_NODE18_DIR      where Debian's nodejs 18 packages are cached and unpacked
#                         (default: $SNIPE_BUILD_DIR/node18; see with-debian-node18.sh)
#   SNIPE_NODE18          0: no Node 18 run. Otherwise it runs wherever apt offers nodejs 18
#                         and the machine's node is not 18 already; a Node 18 that cannot be
#                         fetched or started fails the script.
#
# Offline once node_modules and the Node 18 cache exist: plain CMake builds the addon with
# the Node-API headers from npm (node-api-headers, node-addon-api).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${here}"
build_dir="$(realpath -m "${SNIPE_BUILD_DIR:-${here}/../../build}")"
node18_dir="$(realpath -m "${SNIPE_NODE18_DIR:-${build_dir}/node18}")"

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
install_modules() {
  local stamp=node_modules/.snipe-lock.sha256 lock_sum
  lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ ! -d node_modules || ! -f "${stamp}" || "$(cat "${stamp}")" != "${lock_sum}" ]]; then
    echo "snipe-shim: npm ci"
    run_logged npm ci --no-audit --no-fund --loglevel=error
    echo "${lock_sum}" >"${stamp}"
  fi
}

# Configured every time, so a changed SNIPE_BUILD_DIR is picked up. A build/ that cmake-js
# configured (before the addon dropped it) is started over: its cache names cmake-js's
# include folders and perhaps another generator.
build_addon() {
  echo "snipe-shim: cmake configure + build (SNIPE_BUILD_DIR=${build_dir})"
  if grep -qs '^CMAKE_JS_INC' build/CMakeCache.txt; then rm -rf build; fi
  run_logged cmake -S . -B build -DSNIPE_BUILD_DIR="${build_dir}"
  run_logged cmake --build build
}

# Runs the node --test suite with the node command "$2..." and prints "$1" (which Node ran)
# then the summary (# tests, # pass, # fail, ...), or the whole log when a test fails.
# Returns node --test's status.
node_tests() {
  local label=$1 status=0
  shift
  echo "snipe-shim: node --test under ${label}"
  "$@" --test --test-reporter=tap test/ >"${log}" 2>&1 || status=$?
  if [[ ${status} -ne 0 ]]; then
    cat "${log}"
  else
    grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "${log}"
  fi
  return "${status}"
}

# The suite under Debian's Node 18, unless the machine's node already is 18, apt offers no
# nodejs 18 (not Debian 12) or SNIPE_NODE18=0. Returns the run's status.
node18_tests() {
  local wrapper=scripts/with-debian-node18.sh apt_version version
  if [[ "${SNIPE_NODE18:-1}" == 0 ]]; then
    echo "snipe-shim: no Node 18 run (SNIPE_NODE18=0)"
    return 0
  fi
  if [[ "$(node --version)" == v18.* ]]; then
    echo "snipe-shim: the machine's node is Node 18 already; no second run"
    return 0
  fi
  if ! apt_version="$(${wrapper} --apt-version)"; then
    echo "snipe-shim: no Node 18 run: apt offers no nodejs 18 (not Debian 12)"
    return 0
  fi
  if ! version="$(${wrapper} "${node18_dir}" /usr/bin/node --version)"; then
    echo "snipe-shim: Debian's Node 18 does not run here (above); SNIPE_NODE18=0 skips it" >&2
    return 1
  fi
  node_tests "Debian's Node ${version} (nodejs ${apt_version}, ${node18_dir})" \
    "${wrapper}" "${node18_dir}" /usr/bin/node
}

install_modules
build_addon

echo "snipe-shim: tsc --noEmit (index.d.ts)"
run_logged npx --no-install tsc -p tsconfig.json

if [[ -z "${SNIPE_TEST_MODEL_DIR:-}" ]]; then
  echo "snipe-shim: SNIPE_TEST_MODEL_DIR is not set; the addon tests will be skipped"
fi
# Both runs always; either failing fails the script.
status=0
node_tests "the machine's Node $(node --version) ($(command -v node))" node || status=1
node18_tests || status=1
exit "${status}"
