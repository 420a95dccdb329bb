#!/usr/bin/env bash
# The installed units: `systemd-analyze verify` reports nothing and
# `systemd-analyze security` rates the service at most 2.0. The units are
# installed (meson install) into a scratch DESTDIR; ExecStart is pointed at the
# ifctld installed there so that verify can check it is executable.
set -euo pipefail
build=$1
command -v systemd-analyze >/dev/null || { echo "skipped: no systemd-analyze"; exit 77; }
dest=$(mktemp -d /tmp/ifctl-units.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() { echo "units: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
service=$(find "$dest" -name ifctld.service | head -1)
socket=$(find "$dest" -name ifctld.socket | head -1)
daemon=$(find "$dest" -path '*/sbin/ifctld' | head -1)
[ -n "$service" ] && [ -n "$socket" ] && [ -n "$daemon" ] || fail "ifctld, ifctld.service or ifctld.socket not installed"
# The unit directory follows the prefix (pkg-config systemd, rootprefix = prefix).
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
case $service in "$dest$prefix"/*) ;; *) fail "ifctld.service is outside the prefix: ${service#$dest}";; esac

units=$dest/units
mkdir "$units"
sed "s|^ExecStart=[^ ]*|ExecStart=$daemon|" "$service" >"$units/ifctld.service"
cp "$socket" "$units/ifctld.socket"

out=$(systemd-analyze verify --man=no "$units/ifctld.service" "$units/ifctld.socket" 2>&1) \
  || fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify is not clean: $out"

sec=$(systemd-analyze security --offline=yes "$units/ifctld.service" 2>&1) || true
level=$(sed -n 's/.*Overall exposure level for ifctld.service: \([0-9.]*\).*/\1/p' <<<"$sec")
[ -n "$level" ] || fail "no exposure level in: $sec"
awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || fail "exposure $level is above 2.0: $(grep '✗' <<<"$sec")"

# Socket activation and the service agree on the socket.
grep -q '^ListenSequentialPacket=/run/ifctl/ifctld.sock$' "$units/ifctld.socket" || fail "socket path"
for want in '^Type=notify$' '^NotifyAccess=main$' '^WatchdogSec=' '^FileDescriptorStoreMax=' \
            '^WantedBy=multi-user.target$' '^LimitNOFILE=16384$'; do
  grep -q "$want" "$units/ifctld.service" || fail "ifctld.service lacks $want"
done
echo "units: verify clean, exposure $level"
