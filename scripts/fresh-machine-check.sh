#!/usr/bin/env bash
# Proves that `npm test` installs what it needs on a fresh Debian 12 machine, as root: a bare
# Debian root made with debootstrap (minbase: only what every Debian system has), a fresh clone
# of this repository's HEAD in it, then in a chroot, timed:
#   1. scripts/install-system-deps.sh     the package-install part of `npm test`
#   2. make -C panel-bridge/firmware deps unit fuzz arm qemu
#                                         the package check, host tests, libFuzzer run, ARM builds
#   3. with --full: npm ci && npm test    everything, as CI runs it (.ci/run)
#
#   sudo scripts/fresh-machine-check.sh [--full] [--keep] [--rebase] [--work DIR]
#
# Too slow for `npm test` itself (minutes of downloads). Needs root, debootstrap (installed when
# missing) and Debian's mirrors. The README's own precondition, Node 20 and npm 11, is copied in
# from this machine, as is the CA bundle in NODE_EXTRA_CA_CERTS when one is set (a site whose
# network re-signs TLS needs it to reach the npm registry; it is no package of the project's).
# Only committed work is cloned. The bare root is kept as a tarball under --work (default
# /var/tmp/doorward-fresh) and unpacked afresh for every run; --rebase makes it again.
# While this runs, the chroot shares this machine's network: the end-to-end run uses E2E_PORT,
# HARNESS_PORT and E2E_DIST from the environment when set, like a run outside.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=/var/tmp/doorward-fresh
full=0 keep=0 rebase=0
while [ $# -gt 0 ]; do
  case $1 in
    --full) full=1 ;;
    --keep) keep=1 ;;
    --rebase) rebase=1 ;;
    --work) work=$2; shift ;;
    *) echo "usage: $0 [--full] [--keep] [--rebase] [--work DIR]" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "fresh-machine-check: run as root (debootstrap and chroot need it)" >&2; exit 1; }
node_bin=$(command -v node) || { echo "fresh-machine-check: needs this machine's Node 20 to copy in" >&2; exit 1; }
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
declare -a report=()
timed() { # label, command to run in the chroot
  local label=$1 start rc=0
  shift
  step "$label"
  start=$(date +%s)
  in_root "$@" || rc=$?
  report+=("$(printf '%-50s %5ss  %s' "$label" $(($(date +%s) - start)) "$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  return $rc
}

mkdir -p "$work"
base="$work/base-bookworm-minbase.tgz"
if [ $rebase = 1 ] || [ ! -f "$base" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
  step "debootstrap --variant=minbase bookworm"
  start=$(date +%s)
  rm -rf "$work/base"
  debootstrap --variant=minbase bookworm "$work/base" http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/base" -czf "$base" . && rm -rf "$work/base"
  report+=("$(printf '%-50s %5ss' 'debootstrap (once, then cached)' $(($(date +%s) - start)))")
fi

root=$(mktemp -d "$work/root.XXXXXX")
cleanup() {
  for m in dev sys proc; do mountpoint -q "$root/$m" && umount -R -l "$root/$m"; done
  if [ $keep = 1 ]; then echo "kept: $root (chroot $root bash)"; else rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
tar -C "$root" -xzf "$base"

# What a freshly installed Debian 12 has configured: its three suites, and name resolution.
cat > "$root/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Daemons the packages bring (mosquitto, avahi) must not start inside the chroot: they would
# take this machine's ports. The tests start their own.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
cp "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" && cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$root/usr/local/share/site-ca.crt"
  extra_ca=(NODE_EXTRA_CA_CERTS=/usr/local/share/site-ca.crt)
fi

[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] || echo "note: uncommitted changes are not part of the clone" >&2
commit=$(git -C "$repo" rev-parse HEAD)
git clone -q --no-local "$repo" "$root/root/doorward"
git -C "$root/root/doorward" checkout -q "$commit"

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"

pass=()
for v in E2E_PORT HARNESS_PORT E2E_DIST FUZZ_SECONDS; do [ -z "${!v:-}" ] || pass+=("$v=${!v}"); done
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb "${extra_ca[@]}" "${pass[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "cd /root/doorward && $*"
}

echo "fresh Debian 12 root: $root, clone of $commit"
in_root 'echo "packages before: $(dpkg-query -W | wc -l)"; node --version; npm --version'
rc=0
timed "install-system-deps.sh (npm test's install part)" 'bash scripts/install-system-deps.sh' || rc=$?
[ $rc = 0 ] && { timed "firmware: make deps unit fuzz arm qemu" 'make -C panel-bridge/firmware deps unit fuzz arm qemu' || rc=$?; }
[ $rc = 0 ] && [ $full = 1 ] && { timed "npm ci && npm test" 'npm ci && npm test' || rc=$?; }

step "summary ($(nproc) cores, clone of ${commit:0:12})"
printf '%s\n' "${report[@]}"
exit $rc
