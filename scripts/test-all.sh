#!/usr/bin/env bash
# `npm test`: every test the project has, from a fresh clone. Installs the system packages the
# tests need when run as root (Debian), or names them and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Chromium comes with its recommended packages (fonts, GL), as it was tested; the rest without.
browser=()
[ -x /usr/bin/chromium ] || browser+=(chromium fonts-dejavu-core)
need=()
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
for tool in gcc make openssl; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ -x panel-bridge/firmware/install-deps.sh ]; then
  mapfile -t fw < <(panel-bridge/firmware/install-deps.sh --list-missing)
  need+=("${fw[@]}")
fi
if [ $((${#browser[@]} + ${#need[@]})) -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing system packages: ${browser[*]} ${need[*]}"
    apt-get update -qq
    if [ ${#browser[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${browser[@]}"; fi
    if [ ${#need[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; fi
  else
    echo "Missing system packages: ${browser[*]} ${need[*]}" >&2
    echo "Install them (sudo apt-get install ${browser[*]} ${need[*]}) and run npm test again." >&2
    exit 1
  fi
fi

[ -d node_modules ] || { step "npm ci"; npm ci; }

if [ -f scripts/provision-models.mjs ]; then step "model weights"; node scripts/provision-models.mjs; fi
step "type check"; npm run --silent check
step "unit tests"; npx vitest run
if [ -f panel-bridge/firmware/Makefile ]; then step "firmware (host, sanitizers, fuzz, ARM)"; make -C panel-bridge/firmware test; fi
step "build"; npx vite build --logLevel warn
step "end-to-end (Chromium, fake camera)"; npx playwright test
