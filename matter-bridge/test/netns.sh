#!/usr/bin/env bash
# Runs a command in a network namespace of its own (unshare -n, as root): loopback, and a veth
# pair whose two ends both stay inside, so matter.js has a multicast interface for mDNS (it skips
# loopback) and nothing it sends, mDNS included, can reach any network outside this namespace.
#   bash matter-bridge/test/netns.sh <command...>
set -euo pipefail
if [ "${DOORWARD_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "matter-bridge tests need root for a private network namespace (unshare -n)" >&2; exit 1; }
  exec unshare -n env DOORWARD_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
ip link add dwm0 type veth peer name dwm1
ip link set dwm0 multicast on up
ip link set dwm1 multicast on up
ip addr add 10.77.0.1/24 dev dwm0
ip -6 addr add fd77::1/64 dev dwm0 nodad
export MATTER_LOG_LEVEL="${MATTER_LOG_LEVEL:-warn}"
exec "$@"
