#!/usr/bin/env bash
# Refreshes the operator console's vendored browser libraries from npm (package.json / package-lock.json pin them):
# npm ci, then copy the built files into assets/, which the project embeds. The copies are committed, so building and
# running need neither npm nor a network; run this only to change a library's version.
set -euo pipefail
CONSOLE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)/Modules/Operations/OrderSystem.Operations.Console"
cd "$CONSOLE"
npm ci --no-audit --no-fund
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css assets/
cp node_modules/uplot/LICENSE assets/uPlot.LICENSE
echo "[console-assets] uPlot $(node -p "require('./node_modules/uplot/package.json').version") copied into $CONSOLE/assets"
