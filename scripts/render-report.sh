#!/usr/bin/env bash
# Renders a report.html written by `backprop train --report` to a PNG screenshot with headless
# Chromium, to check by eye that the page draws without network access.
#   scripts/render-report.sh RUN_DIR/report.html [OUT.png] [WIDTHxHEIGHT]
# Needs Chromium (Debian: apt-get install chromium). Not used by the tests.
set -euo pipefail

report=${1:?usage: render-report.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]}
shot=${2:-${report%.html}.png}
size=${3:-1200x1600}
[[ -f $report ]] || { echo "render-report: no file $report" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n $browser ]] || { echo "render-report: Chromium not found (Debian: apt-get install chromium)" >&2; exit 1; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# Every switch that would reach the network or keep a process around is turned off.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="${size/x/,}" \
    --screenshot="$(realpath -m "$shot")" "file://$(realpath "$report")" 2>/dev/null
echo "$shot"
