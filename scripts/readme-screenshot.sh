#!/usr/bin/env bash
# Refreshes the README's pictures: docs/console-arabic.png (the console),
# docs/studio.png (the content studio: a flow diagram beside Arabic texts) and
# docs/stats.png (the console's statistics of a week of 300 conversations). Runs
# the console, studio and statistics browser tests against build/gateway (which
# save their screenshots beside the binary) and copies the pictures into docs/.
# Tests never write to docs/.
#
#   scripts/readme-screenshot.sh      after scripts/setup.sh --tests (or scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
[[ -x "$build_dir/gateway" ]] || { echo "readme-screenshot: $build_dir/gateway is missing; run scripts/setup.sh --tests first" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || { echo "readme-screenshot: playwright-core is missing; run scripts/setup.sh --tests first" >&2; exit 1; }
rm -f "$build_dir/console-arabic.png" "$build_dir/studio-flow-arabic.png" "$build_dir/stats-dashboard.png"
node tests/e2e/browser/console.test.mjs "$build_dir/gateway"
cp "$build_dir/console-arabic.png" docs/console-arabic.png
echo "readme-screenshot: docs/console-arabic.png updated" >&2
node tests/e2e/browser/studio.test.mjs "$build_dir/gateway"
cp "$build_dir/studio-flow-arabic.png" docs/studio.png
echo "readme-screenshot: docs/studio.png updated" >&2
node tests/e2e/browser/stats.test.mjs "$build_dir/gateway"
cp "$build_dir/stats-dashboard.png" docs/stats.png
echo "readme-screenshot: docs/stats.png updated" >&2
