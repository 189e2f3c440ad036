#!/usr/bin/env bash
# `make deps` (run first by `make test`): every file the firmware's builds take from the system
# (headers, libraries, the sanitizer and libFuzzer runtimes, newlib's variants) must belong to a
# Debian package that install-deps.sh installs, or that those pull in as hard dependencies. A
# machine that merely happens to have a package (a Recommends, something installed by hand) must
# not be what makes the tests pass: that is how the fuzz link came to need libclang-rt-14-dev
# on a fresh machine with nobody noticing.
#
# Cheap (a few seconds): each build's flags link a trivial program (the ARM build links its real
# sources, which its linker script needs) with `ld --trace`, the real sources are preprocessed
# with -M for their headers, and the files found are given to one `dpkg -S`.
#
# The builds come from the Makefile, in the environment: HOST_CMD/HOST_SRC, FUZZ_CMD/FUZZ_SRC,
# ARM_CMD/ARM_SRC (a compiler with its flags, and the sources it builds).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BUILD:-build}/deps"
mkdir -p "$out"
here=$(pwd -P)

say() { printf 'deps: %s\n' "$@"; }
fail() { printf 'deps: FAIL: %s\n' "$@" >&2; exit 1; }

if ! command -v dpkg-query >/dev/null; then
  say "no dpkg here (not Debian): the package check is skipped; install-deps.sh names Debian 12's packages"
  exit 0
fi

mapfile -t listed < <(./install-deps.sh --list)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
absent=()
for p in "${listed[@]}"; do installed "$p" || absent+=("$p"); done
if [ ${#absent[@]} -gt 0 ]; then
  fail "install-deps.sh lists ${absent[*]}, not installed on this machine." \
       "Install them: sudo panel-bridge/firmware/install-deps.sh (or npm test as root)."
fi

# What apt installs for the list with --no-install-recommends: the list, its Depends and
# Pre-Depends, recursively, and what every Debian system has (Essential or required).
declare -A provided=()
while read -r p; do provided["${p%%:*}"]=1; done < <(
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "${listed[@]}" 2>/dev/null |
    grep -v '^ ' | tr -d '<>'
  dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" { print $1 }'
)

# The package that ships a file a link cannot find is almost always a Recommends (how
# libclang-rt-14-dev went missing) of a package that owns the folder the file should be in.
likely_packages() {
  local f d o
  for f in "$@"; do
    d=$(dirname "$f")
    while [ ! -d "$d" ]; do d=$(dirname "$d"); done
    for o in $(dpkg-query -S "$d" 2>/dev/null | grep -v '^diversion' | sed 's/: .*//; s/,/ /g'); do
      apt-cache depends --no-depends --no-pre-depends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "${o%%:*}" 2>/dev/null |
        awk -v who="${o%%:*}" '/^  Recommends:/ { gsub(/[<>]/, "", $2); print $2 " (recommended by " who ", which owns " dir ")" }' dir="$d"
    done
  done | sort -u | while read -r p rest; do installed "$p" || echo "  $p $rest"; done
}

builds=(host fuzz arm)
cat > "$out/probe-main.c" <<'EOF'
int main(void) { return 0; }
EOF
cat > "$out/probe-fuzz.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
EOF

: > "$out/files"
for b in "${builds[@]}"; do
  case $b in
    host) cmd=${HOST_CMD:?} src=${HOST_SRC:?} link=("$out/probe-main.c") ;;
    fuzz) cmd=${FUZZ_CMD:?} src=${FUZZ_SRC:?} link=("$out/probe-fuzz.c") ;;
    arm)  cmd=${ARM_CMD:?}  src=${ARM_SRC:?}  link=($ARM_SRC) ;;
  esac
  # shellcheck disable=SC2086 # the commands and source lists are word lists by design
  if ! $cmd "${link[@]}" -Wl,--trace -o "$out/$b.probe" > "$out/$b.link" 2>&1; then
    grep -v '^/' "$out/$b.link" >&2 || true
    mapfile -t missing < <(grep -oE "cannot find /[^ :]+" "$out/$b.link" | sed 's/cannot find //' | sort -u || true)
    candidates=$(likely_packages "${missing[@]}")
    fail "the $b build cannot link${missing[*]:+: no package installed here ships ${missing[*]}}" \
         "Packages not installed that are recommended by the owners of those folders (one of them ships it):" \
         "${candidates:-  (none found: apt-file search FILE tells which package ships it)}" \
         "Add it to PKGS in install-deps.sh (--no-install-recommends leaves Recommends out)."
  fi
  # shellcheck disable=SC2086
  $cmd -M -MG $src > "$out/$b.headers" 2> "$out/$b.headers.err" || { cat "$out/$b.headers.err" >&2; fail "the $b build's sources do not preprocess"; }
  { grep -oE '^/[^ ]+|\(/[^)]+\)' "$out/$b.link" | tr -d '()' || true; tr ' \\' '\n\n' < "$out/$b.headers" | grep '^/' || true; } |
    sort -u | xargs -r realpath -s -m | { grep -v -e "^$here/" -e '^/tmp/' || true; } | sed "s|^|$b |" >> "$out/files"
done

# Each file outside the repository and the builds' temporaries ('..' folded above), asked of
# dpkg as it registers paths: as written, else the /usr-merged twin or the symlink's target.
declare -A owner=()
mapfile -t paths < <(awk '{ print $2 }' "$out/files" | sort -u)
query() { dpkg-query -S "$@" 2>/dev/null | grep -v '^diversion' || true; }
record() { while IFS= read -r line; do owner["${line#*: }"]="${line%%: *}"; done; }
record < <(query "${paths[@]}")
variant() {
  case $1 in
    /usr/lib/*|/usr/bin/*|/usr/sbin/*|/usr/lib64/*) echo "${1#/usr}" ;;
    /lib/*|/bin/*|/sbin/*|/lib64/*) echo "/usr$1" ;;
    *) realpath -m "$1" ;;
  esac
}
declare -A alias=()
for p in "${paths[@]}"; do
  [ -n "${owner[$p]:-}" ] && continue
  for v in "$(variant "$p")" "$(realpath -m "$p")" "$(variant "$(realpath -m "$p")")"; do
    [ "$v" = "$p" ] && continue
    alias[$v]=$p
  done
done
if [ ${#alias[@]} -gt 0 ]; then
  while IFS= read -r line; do
    v="${line#*: }"
    [ -n "${alias[$v]:-}" ] && [ -z "${owner[${alias[$v]}]:-}" ] && owner["${alias[$v]}"]="${line%%: *}"
  done < <(query "${!alias[@]}")
fi

problems=()
for p in "${paths[@]}"; do
  users=$(awk -v f="$p" '$2 == f { print $1 }' "$out/files" | sort -u | tr '\n' ' ')
  pkgs=${owner[$p]:-}
  if [ -z "$pkgs" ]; then
    problems+=("$p (used by the ${users% } build) belongs to no Debian package: installed by hand? A fresh machine will not have it.")
    continue
  fi
  ok=0
  IFS=', ' read -r -a each <<< "$pkgs"
  for k in "${each[@]}"; do [ -n "${provided[${k%%:*}]:-}" ] && ok=1; done
  [ $ok = 1 ] || problems+=("$p (used by the ${users% } build) comes from ${pkgs%%:*}, which install-deps.sh neither lists nor pulls in: add ${pkgs%%:*} to PKGS (without it a fresh machine cannot build).")
done
if [ ${#problems[@]} -gt 0 ]; then
  fail "${problems[@]}"
fi
say "${#paths[@]} system files used by the ${builds[*]} builds all come from install-deps.sh's packages or their dependencies"
