#!/usr/bin/env bash
# Installs what the tests need, builds, and runs the whole test suite:
# the Release build first, then the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer.
#
#   scripts/test.sh           everything (what CI runs)
#   scripts/test.sh --quick   the Release build only
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --tests
ctest --test-dir build --output-on-failure -j2

if [[ "${1:-}" != "--quick" ]]; then
  BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_ARGS="-DGATEWAY_ASAN=ON" scripts/setup.sh --tests
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0" \
    ctest --test-dir build-asan --output-on-failure -j2
fi
