#!/bin/sh
# Installs what `make test`, `make arm` and `make qemu` need on Debian 12. As root it installs
# whatever is missing; otherwise it lists the packages and exits non-zero. With --list-missing it
# only prints the missing package names, one per line (the repo's test runner installs them);
# with --list it prints the whole list (tests/check-build-deps.sh holds the builds to it).
#
# Installed with --no-install-recommends, so every package a build uses is named here, not
# merely recommended: libclang-rt-14-dev (the libFuzzer, ASan and UBSan runtimes that
# -fsanitize=fuzzer,address,undefined links) is only a Recommends of clang's packages, and a
# machine without it fails the fuzz link. `make test` holds this list to what the builds
# actually open (`make deps`, tests/check-build-deps.sh).
set -eu
PKGS="gcc make python3 clang libclang-rt-14-dev gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
if [ "${1:-}" = "--list" ]; then
    for p in $PKGS; do echo "$p"; done
    exit 0
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ "${1:-}" = "--list-missing" ]; then
    for p in $missing; do echo "$p"; done
    exit 0
fi
if [ -z "$missing" ]; then
    echo "all present: $PKGS"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages:$missing" >&2
    echo "run as root, or: sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
