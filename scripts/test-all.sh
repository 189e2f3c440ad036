#!/usr/bin/env bash
# `npm test`: every test the project has, from a fresh clone. Installs the system packages the
# tests need when run as root (Debian), or names them and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# The Debian packages (installed as root, else named and stopped): scripts/install-system-deps.sh.
bash scripts/install-system-deps.sh

[ -d node_modules ] || { step "npm ci"; npm ci; }

if [ -f scripts/provision-models.mjs ]; then step "model weights"; node scripts/provision-models.mjs; fi
step "type check"; npm run --silent check
step "unit tests"; npx vitest run
step "Matter bridge (commissioned by matter.js, in a network namespace of its own)"; npm run --silent test:matter
if [ -f panel-bridge/firmware/Makefile ]; then step "firmware (host, sanitizers, fuzz, ARM)"; make -C panel-bridge/firmware test; fi
step "build"; npx vite build --logLevel warn
step "end-to-end (Chromium, fake camera)"; npx playwright test
