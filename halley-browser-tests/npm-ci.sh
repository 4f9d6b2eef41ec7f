#!/bin/sh
# Installs node_modules exactly as package-lock.json says (npm ci), unless they already match it.
# Without npm the browser tests skip themselves, or fail under CI=true (see Chromium.java).
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "[halley-browser-tests] npm not found and CI=true: install nodejs and npm (.ci/run does)" >&2
    exit 1
  fi
  echo "[halley-browser-tests] npm not found: skipping npm ci; the browser tests will be skipped"
  exit 0
fi
stamp=node_modules/.halley-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "[halley-browser-tests] node_modules up to date with package-lock.json"
  exit 0
fi
npm ci --no-audit --no-fund
echo "$want" > "$stamp"
