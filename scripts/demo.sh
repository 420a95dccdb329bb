#!/usr/bin/env bash
# The main job, as a demonstration: builds ifctl, starts ifctld with its
# embedded default configuration in a private network namespace, and drives it
# with `ifctl`: create a TAP, address it, bring it up, list it, rename it,
# destroy it. Only the socket and state paths are moved into a temporary
# directory, so that the demonstration never meets a real installation.
#
#   ./scripts/demo.sh        (as root; or a user with sudo: it asks sudo itself)
set -euo pipefail
cd "$(dirname "$0")/.."

# Root makes network namespaces and TAPs: a user who has sudo gets it here.
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && exec sudo -- "$0" "$@"
  echo "demo: needs root (to make a network namespace and TAP devices); run it as root" >&2
  exit 1
fi
IFCTL_SANITIZE=0 ./scripts/install-deps.sh   # the plain build only: no clang
builddir=${IFCTL_BUILDDIR:-build}
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" >/dev/null
ninja -C "$builddir" daemon/ifctld cli/ifctl | grep -v '^\[' || true
[ -x "$builddir/daemon/ifctld" ] && [ -x "$builddir/cli/ifctl" ]

# Everything below runs in a network namespace of its own; it and every
# interface in it vanish when the script ends.
exec unshare --net -- bash -s "$PWD/$builddir" <<'INNER'
set -euo pipefail
build=$1
tmp=$(mktemp -d /tmp/ifctl-demo.XXXXXX)
export IFCTL_SOCKET=$tmp/ifctld.sock
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$tmp"' EXIT

ip link set lo up
: >"$tmp/empty.conf"   # the embedded defaults, whatever /etc/ifctl/ifctl.conf says
"$build/daemon/ifctld" --foreground --config "$tmp/empty.conf" --socket "$IFCTL_SOCKET" --state-dir "$tmp/state" \
  2>"$tmp/ifctld.log" &
daemon=$!
# Ready when a client gets an answer (the socket file appears just before listen()).
for _ in $(seq 100); do "$build/cli/ifctl" -l >/dev/null 2>&1 && break; sleep 0.05; done

export PATH="$build/cli:$PATH"
step() { printf '\n$ %s\n' "$*"; "$@"; }

step ifctl -l
printf '\n$ ifctl tap create\n'
tap=$(ifctl tap create)
echo "$tap"
step ifctl "$tap" inet 192.0.2.1/24 up
step ifctl "$tap" inet6 2001:db8::1/64 alias
step ifctl "$tap" mtu 1400
step ifctl
step ip -br addr show dev "$tap"
step ifctl "$tap" name vm0
step ifctl --json vm0
step ifctl vm0 destroy
step ifctl -l
printf '\nifctld log:\n'
sed 's/^/  /' "$tmp/ifctld.log"
INNER
