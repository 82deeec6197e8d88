#!/bin/sh
# Regenerates the evidence-packet screenshots from the demo (Debian: chromium, poppler-utils).
# Run from the repository root after `npm run build`: sh docs/screenshots/make-screenshots.sh
set -eu
out=docs/screenshots
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node bin/auscult.js replay fixtures/demo/hospital-demo.pcapng --db "$tmp/demo.db" --no-progress
node bin/auscult.js import fixtures/demo/sor-export.csv --db "$tmp/demo.db"
node bin/auscult.js report --db "$tmp/demo.db" --out "$tmp/packet" --stream "$tmp/demo.ndjson"
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=$tmp/profile"
# shellcheck disable=SC2086
chromium $flags --window-size=1400,2000 --screenshot="$out/report-screen.png" "file://$tmp/packet/index.html"
# shellcheck disable=SC2086
chromium $flags --no-pdf-header-footer --print-to-pdf="$tmp/packet.pdf" "file://$tmp/packet/index.html"
pdftoppm -png -r 60 -f 1 -l 2 "$tmp/packet.pdf" "$out/report-pdf-page"
