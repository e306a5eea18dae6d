#!/usr/bin/env bash
# Runs a command with Debian 12's own Node.js 18 as /usr/bin/node, without installing it.
#
#   with-debian-node18.sh --apt-version        prints the nodejs 18 version apt offers
#                                              (nothing, status 1, when it offers none)
#   with-debian-node18.sh CACHE_DIR COMMAND... runs COMMAND (e.g. /usr/bin/node --test)
#
# Fetching: nodejs and its libnode at the highest 18.x apt offers, plus every package of
# their dependency closure that dpkg does not list as installed (Debian's node-undici,
# node-acorn, ...), are fetched with `apt-get download` into CACHE_DIR/debs and unpacked
# with `dpkg -x` into CACHE_DIR/prefix, never into /. CACHE_DIR/prefix/.complete holds
# the version: a later run with the same version downloads nothing and needs no network.
#
# Running: Debian's libnode loads some builtins from fixed paths (/usr/share/nodejs/undici,
# acorn, cjs-module-lexer), so PATH and LD_LIBRARY_PATH into the prefix are not enough.
# COMMAND runs in a private mount namespace (unshare) in which the prefix's usr/ is laid
# over /usr (a read-only overlayfs): there /usr/bin/node and libnode.so.108 are Debian's
# and everything else under /usr is the machine's. Nothing changes outside the namespace.
# Needs root, or unprivileged user namespaces (on by default in Debian 12).
#
# Exit status: COMMAND's; 2, with the reason on stderr, when Node 18 cannot be fetched or
# started.
set -euo pipefail

# Prints the highest nodejs 18.x version apt offers; nothing when none (or no apt).
apt_node18_version() {
  { apt-cache madison nodejs 2>/dev/null || true; } |
    awk -F'|' '{ gsub(/ /, "", $2); if ($2 ~ /^18\./) print $2 }' | sort -V | tail -n 1
}

# Prints what to download, one apt-get argument a line: nodejs and libnode pinned to
# $1 (they must match), and the rest of their dependency closure that is not installed.
packages_to_fetch() {
  local version=$1 pkg status
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "nodejs=${version}" |
    grep -v -e '^ ' -e '^<' | sort -u |
    while read -r pkg; do
      if [[ "${pkg}" == nodejs || "${pkg}" == libnode[0-9]* ]]; then
        echo "${pkg}=${version}"
        continue
      fi
      status=$(dpkg-query -W -f='${db:Status-Status}' "${pkg}" 2>/dev/null || true)
      [[ "${status}" == installed ]] || echo "${pkg}"
    done
}

# Fills $1/debs and $1/prefix with Debian's nodejs $2 unless $1/prefix/.complete says so.
fetch() {
  local cache=$1 version=$2 log
  [[ "$(cat "${cache}/prefix/.complete" 2>/dev/null)" == "${version}" ]] && return 0
  rm -rf "${cache}/debs" "${cache}/prefix"
  mkdir -p "${cache}/debs" "${cache}/prefix"
  local packages
  mapfile -t packages < <(packages_to_fetch "${version}")
  ((${#packages[@]} > 0)) || fail "apt-cache found no packages for nodejs=${version}"
  echo "with-debian-node18: fetching ${packages[*]} into ${cache}" >&2
  log=$(mktemp)
  # The apt output only when it fails (as root it warns that _apt cannot write the folder).
  if ! (cd "${cache}/debs" && apt-get download -q "${packages[@]}") >"${log}" 2>&1; then
    cat "${log}" >&2
    rm -f "${log}"
    fail "apt-get download failed; HINT: it needs the Debian mirror once, then ${cache} is reused"
  fi
  rm -f "${log}"
  local deb
  for deb in "${cache}"/debs/*.deb; do
    dpkg -x "${deb}" "${cache}/prefix"
  done
  echo "${version}" >"${cache}/prefix/.complete"
}

fail() {
  echo "with-debian-node18: $*" >&2
  exit 2
}

# In the new mount namespace: lays $1/usr over /usr, checks node is 18, runs the rest.
inside_namespace() {
  local prefix=$1
  shift
  mount -t overlay snipe-node18 -o "lowerdir=${prefix}/usr:/usr" /usr ||
    fail "cannot mount an overlay on /usr in the namespace"
  local version
  version=$(/usr/bin/node --version) || fail "Debian's node does not start"
  [[ "${version}" == v18.* ]] || fail "/usr/bin/node is ${version}, not 18, under the overlay"
  exec "$@"
}

main() {
  if [[ "${1:-}" == --apt-version ]]; then
    local offered
    offered=$(apt_node18_version)
    [[ -n "${offered}" ]] && echo "${offered}"
    return $((${#offered} == 0))
  fi
  if [[ "${1:-}" == --inside-namespace ]]; then
    shift
    inside_namespace "$@"
  fi
  (($# >= 2)) || fail "usage: $0 CACHE_DIR COMMAND [ARGS...]"
  local cache
  cache=$(realpath -m "$1")
  shift
  # overlayfs options are split on ':' and ','.
  [[ "${cache}" != *[:,]* ]] || fail "the cache folder ${cache} must not contain ':' or ','"
  local version
  version=$(apt_node18_version)
  [[ -n "${version}" ]] || fail "apt offers no nodejs 18 (not Debian 12?)"
  fetch "${cache}" "${version}"
  local as_user=()
  ((EUID == 0)) || as_user=(--map-root-user)
  exec unshare "${as_user[@]}" --mount -- "${BASH}" "$0" --inside-namespace "${cache}/prefix" "$@"
}

main "$@"
