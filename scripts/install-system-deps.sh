#!/usr/bin/env bash
# The Debian 12 packages `npm test` needs: installed when run as root, otherwise named (exit 1).
# `npm test` (scripts/test-all.sh) runs this first; scripts/fresh-machine-check.sh proves it on
# a bare Debian root. --list prints every package, one per line.
#
# Chromium comes with its recommended packages (fonts, GL), as it was tested; the rest without,
# so each package a test uses is named here: the firmware's in panel-bridge/firmware/install-deps.sh
# (`make deps` holds that list to what its builds link), and these for the app's tests:
# mosquitto (the broker tests), postgresql-15 (the site hub's tests start a PostgreSQL of their
# own beside PGlite), openssl (the LAN certificate), lld (wasm-ld, which rebuilds the
# matcher's WebAssembly kernel to check the committed bytes), gcc and make (the firmware's tools),
# iproute2 (`ip`: the Matter bridge test's private network namespace and its veth pair).
set -euo pipefail
cd "$(dirname "$0")/.."

browser=(chromium fonts-dejavu-core)
tools=(mosquitto postgresql-15 openssl lld gcc make iproute2)
mapfile -t firmware < <(panel-bridge/firmware/install-deps.sh --list)

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${browser[@]}" "${tools[@]}" "${firmware[@]}" | awk '!seen[$0]++'
  exit 0
fi

if ! command -v dpkg-query >/dev/null; then
  echo "Not Debian: install the equivalents of ${browser[*]} ${tools[*]} ${firmware[*]} (Debian 12 names)." >&2
  exit 0
fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing() { local p; for p in "$@"; do installed "$p" || echo "$p"; done; }
mapfile -t want_browser < <(missing "${browser[@]}")
mapfile -t want < <(missing "${tools[@]}" "${firmware[@]}" | awk '!seen[$0]++')
[ $((${#want_browser[@]} + ${#want[@]})) -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${want_browser[*]} ${want[*]}" >&2
  [ ${#want_browser[@]} -eq 0 ] || echo "Install them: sudo apt-get install -y ${want_browser[*]}" >&2
  [ ${#want[@]} -eq 0 ] || echo "and: sudo apt-get install -y --no-install-recommends ${want[*]}" >&2
  echo "then run npm test again (or run npm test as root, which installs them)." >&2
  exit 1
fi
printf '\n\033[1m== %s\033[0m\n' "installing system packages: ${want_browser[*]} ${want[*]}"
apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
if [ ${#want_browser[@]} -gt 0 ]; then apt-get install -y -qq "${want_browser[@]}"; fi
if [ ${#want[@]} -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${want[@]}"; fi
