#!/bin/bash
# How long a stop for good takes with N TAPs (docs/persistence.md): a daemon in
# a private network namespace, N non-persistent TAPs made with `ifctl -f`,
# then SIGTERM, timed until the daemon has exited.
#   sudo bench/stop-time.sh [N [BUILD_DIR]]     (default 1000, build)
# IFCTLD=PATH times another daemon binary (an older build, for a comparison).
set -euo pipefail
if [ "${IFCTL_STOP_TIME_INNER:-}" != 1 ]; then
    exec env IFCTL_STOP_TIME_INNER=1 unshare --net -- "$0" "$@"
fi
n=${1:-1000}
build=$(realpath "${2:-build}")
daemon=${IFCTLD:-$build/daemon/ifctld}
dir=$(mktemp -d /tmp/ifctl-stop-time.XXXXXX)
trap 'rm -rf "$dir"' EXIT
ip link set lo up
"$daemon" --foreground --socket "$dir/sock" --state-dir "$dir/state" --log-level info --on-stop destroy > "$dir/log" 2>&1 &
pid=$!
for _ in $(seq 500); do [ -S "$dir/sock" ] && break; sleep 0.01; done
for ((i = 0; i < n; i++)); do echo "st$i create"; done > "$dir/batch"
t0=$(date +%s.%N)
"$build/cli/ifctl" --socket "$dir/sock" -f "$dir/batch" > /dev/null
t1=$(date +%s.%N)
kill -TERM "$pid"
wait "$pid" || true
t2=$(date +%s.%N)
printf 'create %d TAPs: %.2f s; clean stop: %.2f s; links left: %d\n' "$n" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(ip -o link | grep -vc ': lo:')"
