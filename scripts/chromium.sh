#!/usr/bin/env bash
# The browser of the operator console's tests (Playwright drives it): Debian's chromium package. Playwright's own
# browser download cannot work on these machines, so the tests point Playwright at /usr/bin/chromium instead.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Installing chromium (the console tests' browser)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
