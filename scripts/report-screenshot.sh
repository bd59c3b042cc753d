#!/bin/sh
# Regenerate docs/images/report.png: the HTML evidence report of the reference template, in headless Chromium.
# Usage: scripts/report-screenshot.sh  (after `make setup`; needs `chromium`, see scripts/ensure-chromium.sh)
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/cfn-iso27001 check template/iot-platform.yaml --output-dir "$work/out" --format html \
    --timestamp "${SOURCE_DATE_EPOCH:-2026-01-01T00:00:00Z}" -q || true  # a FAIL still writes the report
test -s "$work/out/cfn-iso27001.html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$work/profile" \
    --screenshot="$work/report.png" --window-size=1280,2000 "file://$work/out/cfn-iso27001.html" 2>/dev/null
mkdir -p docs/images
cp "$work/report.png" docs/images/report.png
echo "wrote docs/images/report.png"
