#!/usr/bin/env bash
# Refreshes docs/console-arabic.png, the console picture in the README: runs the
# console browser test against build/gateway (which saves its screenshot beside
# the binary) and copies the picture into docs/. Tests never write to docs/.
#
#   scripts/readme-screenshot.sh      after scripts/setup.sh --tests (or scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
[[ -x "$build_dir/gateway" ]] || { echo "readme-screenshot: $build_dir/gateway is missing; run scripts/setup.sh --tests first" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || { echo "readme-screenshot: playwright-core is missing; run scripts/setup.sh --tests first" >&2; exit 1; }
rm -f "$build_dir/console-arabic.png"
node tests/e2e/browser/console.test.mjs "$build_dir/gateway"
cp "$build_dir/console-arabic.png" docs/console-arabic.png
echo "readme-screenshot: docs/console-arabic.png updated" >&2
