#!/usr/bin/env bash
# Installs the Debian packages the gateway needs (only those missing), then
# configures and builds it into ./build (Release).
#
#   scripts/setup.sh            runtime + build packages; builds build/gateway only
#   scripts/setup.sh --tests    also the packages the test suite uses (clang and
#                               libFuzzer when CXX is clang, for the sanitizer build), and the Node
#                               tools of package.json (prism for tests/contract,
#                               playwright-core for the browser tests): `npm ci` when
#                               node_modules is missing or older than
#                               package-lock.json; builds everything (tests, bench)
#
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
# CMAKE_ARGS (extra arguments for cmake's configure step); CC and CXX choose the
# compiler as cmake reads them.
set -euo pipefail
cd "$(dirname "$0")/.."

# `file` is what CPack's DEB generator looks at binaries with (`cpack -G DEB`,
# README "Running in production"); dpkg-shlibdeps comes with build-essential.
packages=(
  build-essential cmake pkg-config git file
  libcpp-httplib-dev libcurl4-openssl-dev libsqlite3-dev nlohmann-json3-dev libssl-dev
  libicu-dev libspdlog-dev libcli11-dev libphonenumber-dev libgettextpo-dev libargon2-dev libpq-dev
  libgraphviz-dev libsystemd-dev catch2 ca-certificates
)
tests=0
if [[ "${1:-}" == "--tests" ]]; then
  tests=1
  # promtool (prometheus) checks /metrics; sqlite3 and curl are used by tests;
  # msgfmt (gettext) checks every PO file; python3 runs the check of the modules'
  # include layers (scripts/check_module_layers.py).
  packages+=(prometheus sqlite3 curl gettext python3)
  # PostgreSQL's server runs the throwaway cluster of the PostgreSQL backend's
  # tests (scripts/pg-test-cluster.sh); libpq-dev is in the list above already.
  packages+=(postgresql)
  # The sanitizer build of scripts/test.sh (CXX=clang++) uses clang with libFuzzer
  # and the sanitizer runtimes (libclang-rt-14-dev, only recommended by clang), and
  # llvm-symbolizer (llvm) for readable stack traces; `--quick` needs none of them.
  if [[ "${CXX:-}" == clang* ]]; then packages+=(clang libclang-rt-14-dev llvm); fi
  # Browser tests drive Debian's Chromium with playwright-core (from npm).
  packages+=(chromium)
  # Node runs prism, the mock of Twilio's API the contract tests check requests
  # against. Asked for only when the command is missing: a Node.js from elsewhere
  # (NodeSource bundles npm in its nodejs package and conflicts with Debian's npm)
  # is used as it is.
  if ! command -v node >/dev/null; then packages+=(nodejs); fi
  if ! command -v npm >/dev/null; then packages+=(npm); fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((tests)) && { [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; }; then
  echo "setup: npm ci (package-lock.json)" >&2
  npm ci --no-audit --no-fund
fi

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >/dev/null
if ((tests)); then
  cmake --build "$build_dir" -j2
else
  cmake --build "$build_dir" -j2 --target gateway
fi
