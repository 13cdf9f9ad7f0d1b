#!/usr/bin/env bash
# Installs what the tests need, builds, and runs the whole test suite:
# the Release build first, then the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (a clang build, with the fuzz targets' short runs).
#
#   scripts/test.sh           everything (what CI runs)
#   scripts/test.sh --quick   the Release build only
#
# The PostgreSQL backend's tests run against a throwaway cluster that
# scripts/pg-test-cluster.sh starts here (GATEWAY_TEST_PG_URL) and stops at the
# end, however the script ends (one already running for this worktree is used
# and left running); without PostgreSQL's server they skip.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --tests

# A cluster already running for this worktree (started by hand) is used and left running.
pg_status=0
if pg_url=$(scripts/pg-test-cluster.sh env 2>/dev/null); then
  eval "$pg_url"
else
  trap 'scripts/pg-test-cluster.sh stop' EXIT
  pg_url=$(scripts/pg-test-cluster.sh start) || pg_status=$?
  if ((pg_status == 0)); then
    export GATEWAY_TEST_PG_URL="$pg_url"
  elif ((pg_status == 3)); then
    echo "test: PostgreSQL's server is not installed; the PostgreSQL tests skip" >&2
  else
    exit "$pg_status"
  fi
fi
ctest --test-dir build --output-on-failure -j2

if [[ "${1:-}" != "--quick" ]]; then
  # Built with clang, so that the same build also makes the libFuzzer targets of
  # fuzz/; each runs a few seconds on its seed corpus as a test of the suite. A
  # build-asan that an older version configured with gcc is started afresh (cmake
  # keeps a build directory's compiler).
  if [[ -f build-asan/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' build-asan/CMakeCache.txt; then
    rm -rf build-asan
  fi
  # Line tables are all a sanitizer report needs (file:line in every frame), and
  # compile and link faster than full debug information.
  CC=clang CXX=clang++ BUILD_DIR=build-asan BUILD_TYPE=Debug \
    CMAKE_ARGS="-DGATEWAY_ASAN=ON -DGATEWAY_FUZZ=ON -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only" \
    scripts/setup.sh --tests
  # 64 MB thread stacks (glibc takes them from this limit): libstdc++'s std::regex,
  # which httplib routes a path with, recurses once per character, and clang's
  # unoptimised ASan frames overflow 8 MB on a path of the 8 KB a request line may
  # have (a Release build needs a fraction of that).
  (ulimit -s 65536
   ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0" \
     ctest --test-dir build-asan --output-on-failure -j2)
fi
