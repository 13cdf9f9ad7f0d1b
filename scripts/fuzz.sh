#!/usr/bin/env bash
# Runs one fuzz target of fuzz/ for longer than the test suite does.
#
#   scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]
#   scripts/fuzz.sh form_encoding 600
#   scripts/fuzz.sh icu_message 3600 -jobs=2 -workers=2
#   scripts/fuzz.sh --list
#
# TARGET is a name of fuzz/CMakeLists.txt (form_encoding, telegram_update, …);
# SECONDS defaults to 300. Needs the sanitizer build with the fuzz targets, as
# scripts/test.sh makes it (BUILD_DIR, default build-asan). New inputs go to
# BUILD_DIR/fuzz/corpus/TARGET (copy the few that matter into fuzz/corpus/TARGET
# to keep them), a crashing input to BUILD_DIR/fuzz/artifacts/TARGET/; rerun a
# crash with: BUILD_DIR/fuzz/fuzz_TARGET BUILD_DIR/fuzz/artifacts/TARGET/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${BUILD_DIR:-build-asan}"
if [[ $# -lt 1 || "$1" == "--list" ]]; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]; targets:" >&2
  sed -n 's/^gateway_fuzz_target(\([a-z_0-9]*\) .*/  \1/p' fuzz/CMakeLists.txt >&2
  if [[ $# -lt 1 ]]; then exit 2; fi
  exit 0
fi
target="$1"
seconds="${2:-300}"
shift $(($# >= 2 ? 2 : 1))

binary="$build_dir/fuzz/fuzz_$target"
if [[ ! -x "$binary" ]]; then
  echo "fuzz: $binary is missing; build it with" >&2
  echo "  BUILD_DIR=$build_dir BUILD_TYPE=Debug CC=clang CXX=clang++ \\" >&2
  echo "    CMAKE_ARGS=\"-DGATEWAY_ASAN=ON -DGATEWAY_FUZZ=ON\" scripts/setup.sh --tests" >&2
  exit 2
fi
found="$build_dir/fuzz/corpus/$target"
artifacts="$build_dir/fuzz/artifacts/$target"
mkdir -p "$found" "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}"
exec "$binary" -max_total_time="$seconds" -max_len="$(cat "$build_dir/fuzz/$target.max_len")" -timeout=10 \
  -rss_limit_mb=2048 -close_fd_mask=1 -print_final_stats=1 -artifact_prefix="$artifacts/" \
  "$@" "$found" "fuzz/corpus/$target"
