#!/usr/bin/env bash
# The service as an operator runs it, under a real systemd (PID 1 in a
# container), with the units, udev rule, sysusers and tmpfiles files that
# `meson install` ships:
#
#   enable; socket activation on first use; create as root for an owner; the
#   owner configures through the group socket, another user is refused; the
#   preload shim under ifconfig; `systemctl reload` applying an edited
#   /etc/ifctl/ifctl.conf; `systemctl restart` while a process holds a queue
#   (same index, owner, carrier); kill -9 and Restart=; move-netns under the
#   sandbox; a batch; the watchdog; the udev mark on any name; a stop for good;
#   no error in the journal; then a reboot: persistent TAPs back with their
#   addresses and MTU, the others gone.
#
# How: `meson install --destdir` into a staging directory; a tmpfs-backed
# overlay of / as the container's root (nothing of the host is written), the
# staged prefix copied into it; `systemd-nspawn --boot` with a private network;
# commands run inside with `nsenter -t LEADER -a`. Everything happens in a
# private mount namespace with a tmpfs over /run, so that the overlay, the
# staging tree and nspawn's own files vanish with it. Exit 77 where no
# container can be booted (no systemd-nspawn, not root, no overlayfs, a
# sanitizer build).
#
#   tests/container/test_service.sh BUILDDIR      (meson test --suite container)
set -euo pipefail

build=$(cd "$1" && pwd)
skip() { echo "skipped: $*"; exit 77; }

if [ "${IFCTL_CT_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || skip "needs root"
  command -v systemd-nspawn >/dev/null || skip "no systemd-nspawn (Debian package systemd-container)"
  [ -x /lib/systemd/systemd ] || skip "no systemd to boot in the container"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems || skip "no overlayfs"
  # nspawn makes cgroups payload/ and supervisor/ under ours: removed at the
  # end unless they were there before.
  own_cgroups=()
  for h in /sys/fs/cgroup /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
    for c in payload supervisor; do
      [ -d "$h" ] && [ ! -e "$h/$c" ] && own_cgroups+=("$h/$c")
    done
  done
  status=0
  unshare -m --propagation private env IFCTL_CT_INNER=1 "$0" "$@" || status=$?
  for c in "${own_cgroups[@]}"; do
    [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  exit "$status"
fi

# ---- inside a private mount namespace ---------------------------------------

mount -t tmpfs -o size=3g,mode=0755 ifctl-ct /run
work=/run/ifctl-ct
mkdir -p "$work"/{stage,upper,ovl,root}

option() {
  meson introspect "$build" --buildoptions |
    python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]][0])' "$1"
}
prefix=$(option prefix)
case $prefix in /usr/local|/usr) ;; *) skip "prefix $prefix is not one systemd and udev search";; esac
# A sanitized daemon is not what operators run, and its runtime does not fit the
# unit's sandbox (MemoryDenyWriteExecute=, the system call filter).
[ "$(option b_sanitize)" = none ] || skip "sanitizer build"
meson install -C "$build" --destdir "$work/stage" --no-rebuild --quiet >/dev/null

root=$work/root
mount -t overlay ifctl-ct -o "lowerdir=/,upperdir=$work/upper,workdir=$work/ovl" "$root" ||
  skip "cannot mount an overlay of /"
cp -a "$work/stage$prefix/." "$root$prefix/"
# A container of its own: no service the host has enabled (a database, timers)
# starts in it; no configuration left from elsewhere.
rm -f "$root"/etc/systemd/system/*.wants/* "$root"/etc/systemd/system/*.requires/* 2>/dev/null || true
rm -rf "$root/etc/ifctl" "$root/var/lib/ifctl"

nspawn_pid='' leader='' console=$work/console.log
boot() {
  systemd-nspawn --quiet --register=no --keep-unit --private-network --link-journal=no \
    --machine=ifctl-ct --directory="$root" --boot >>"$console" 2>&1 &
  nspawn_pid=$!
  # The container's init: nspawn's child in a PID namespace of its own (the
  # first child nspawn forks only makes it, then exits).
  leader=''
  local own_pidns c
  own_pidns=$(readlink /proc/self/ns/pid)
  for _ in $(seq 200); do
    for c in $(pgrep -P "$nspawn_pid" || true); do
      if [ "$(readlink "/proc/$c/ns/pid" 2>/dev/null)" != "$own_pidns" ] &&
         [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ]; then
        leader=$c
      fi
    done
    [ -n "$leader" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$leader" ] || skip "systemd-nspawn started no container: $(tail -3 "$console")"
  local state='' deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    state=$(timeout 30 nsenter -t "$leader" -a systemctl is-system-running --wait 2>/dev/null || true)
    case $state in running|degraded) break;; esac
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.2
  done
  case $state in
    running) ;;
    degraded) fail "the container booted degraded: $(ct systemctl --failed --no-legend)";;
    *) skip "the container did not boot (state '$state'): $(tail -3 "$console")";;
  esac
}
stop_container() {
  [ -n "$nspawn_pid" ] || return 0
  kill -TERM "$nspawn_pid" 2>/dev/null || true  # nspawn: power the container off
  for _ in $(seq 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
  [ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null || true
  kill -KILL "$nspawn_pid" 2>/dev/null || true
  wait "$nspawn_pid" 2>/dev/null || true
  nspawn_pid=''
}
trap stop_container EXIT

ct() { nsenter -t "$leader" -a -- "$@"; }
as() { local user=$1; shift; ct runuser -u "$user" -- "$@"; }
step() { echo "== $*"; }
fail() {
  echo "FAILED: $*" >&2
  if [ -n "$leader" ]; then
    echo "--- journal of ifctld ---" >&2
    ct journalctl -u ifctld -u ifctld.socket --no-pager -o short-monotonic 2>&1 | tail -60 >&2 || true
  fi
  exit 1
}
check() { local what=$1; shift; "$@" >/dev/null 2>&1 || fail "$what"; }
link() { ct ip -j -d link show dev "$1" 2>/dev/null; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
index_of() { link "$1" | jq_py 'd[0]["ifindex"]'; }
carrier_changes() { ct cat "/sys/class/net/$1/carrier_changes"; }
has_lower_up() { link "$1" | jq_py '"LOWER_UP" in d[0]["flags"]' | grep -qx True; }
wait_for() {  # bounded: 10 s
  local what=$1; shift
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "$what"
}
main_pid() { ct systemctl show -P MainPID ifctld.service; }
start_time=$SECONDS

step "boot"
boot
for u in alice bob; do ct id "$u" >/dev/null 2>&1 || ct useradd -m "$u"; done
preload=$(cd "$root" && find ".$prefix" -name libifctl-preload.so | head -1 | cut -c2-)

step "the README's commands: sysusers, tmpfiles, daemon-reload, udev, enable"
ct systemd-sysusers
ct systemd-tmpfiles --create
ct systemctl daemon-reload
ct udevadm control --reload 2>/dev/null || true  # no udevd in a container
ct systemctl enable --now ifctld.socket
ct systemctl enable ifctld.service
ct usermod -aG ifctl alice
ct usermod -aG ifctl bob
[ "$(ct systemctl is-active ifctld.service || true)" = inactive ] || fail "ifctld runs before anyone asked"

step "socket activation on first use"
check "ifctl -a as root" ct ifctl -a
[ "$(ct systemctl is-active ifctld.service)" = active ] || fail "the first request did not start ifctld"

step "create as root for an owner; the owner configures it, another user is refused"
ct ifctl svc0 create owner alice >/dev/null
ct ifctl pv0 create persist >/dev/null
ct ifctl pv0 inet 192.0.2.1/24 mtu 1400 up
ct ifctl idle0 create >/dev/null
ct ifctl idle0 up
check "alice sets the MTU of her svc0" as alice ifctl svc0 mtu 1450 up
out=$(as bob ifctl svc0 mtu 1300 2>&1 && echo exit=0 || echo "exit=$?")
grep -q "exit=1" <<<"$out" || fail "bob changed alice's svc0: $out"
[ "$(link svc0 | jq_py 'd[0]["mtu"]')" = 1450 ] || fail "svc0's MTU changed after bob's refusal"

step "preload: ifconfig as the owner"
check "alice's ifconfig svc0 mtu 1420 through libifctl-preload.so" \
  as alice env LD_PRELOAD="$preload" /sbin/ifconfig svc0 mtu 1420
[ "$(link svc0 | jq_py 'd[0]["mtu"]')" = 1420 ] || fail "ifconfig under the preload shim did not set the MTU"

step "systemctl reload applies an edited /etc/ifctl/ifctl.conf"
out=$(as bob ifctl bob0 create 2>&1 && echo exit=0 || echo "exit=$?")
grep -q "exit=1" <<<"$out" || fail "bob could create before the policy allowed it: $out"
ct mkdir -p /etc/ifctl
ct cp "$prefix/share/doc/ifctl/ifctl.conf.example" /etc/ifctl/ifctl.conf
printf '\n[[policy.rule]]\nname = "bob"\nusers = ["bob"]\ncreate = true\nnames = ["bob*"]\n' |
  ct tee -a /etc/ifctl/ifctl.conf >/dev/null
ct systemctl reload ifctld
check "bob creates bob0 once the policy allows it" as bob ifctl bob0 create

step "udev: a TAP named vm0, and one renamed to vm1, are marked unmanaged"
ct ifctl 'vm%d' create >/dev/null
ct ifctl tap7 create >/dev/null
ct ifctl tap7 name vm1
for t in vm0 vm1; do
  props=$(ct udevadm test "/sys/class/net/$t" 2>&1 || true)
  grep -qx "NM_UNMANAGED=1" <<<"$props" || fail "udev does not mark $t unmanaged: $(tail -30 <<<"$props")"
  grep -qx "IFCTL_TAP=1" <<<"$props" || fail "udev does not set IFCTL_TAP on $t"
done

step "a batch"
printf 'bat%d create inet 10.7.%d.1/24 up\n' 0 0 1 1 | ct ifctl -f - >/dev/null
check "bat0 and bat1 exist" link bat1

step "move-netns under the sandbox"
ct ip netns add ct1
ct ifctl mv0 create >/dev/null
ct ifctl mv0 inet 10.9.0.1/24 up
ct ifctl mv0 netns /run/netns/ct1
ct ip -n ct1 -j addr show dev mv0 | grep -q '"10.9.0.1"' || fail "mv0 lost its address in the namespace"

step "the watchdog is armed and pinged"
[ "$(ct systemctl show -P WatchdogUSec ifctld.service)" = 30s ] || fail "WatchdogSec is not 30s"
wait_for "no watchdog ping" sh -c "[ \"\$(nsenter -t $leader -a systemctl show -P WatchdogTimestampMonotonic ifctld.service)\" != 0 ]"

step "systemctl restart while a process holds a queue of svc0"
# As root: a managed TAP is root's in the kernel, so only root attaches through /dev/net/tun.
ct systemd-run --quiet --unit=vm-queue /usr/bin/python3 -c '
import fcntl, os, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"svc0", 0x0002 | 0x1000 | 0x0100))  # TUNSETIFF: TAP, NO_PI, MULTI_QUEUE
time.sleep(3600)'
queues() { link svc0 | jq_py 'd[0]["linkinfo"]["info_data"].get("numqueues")'; }
for _ in $(seq 100); do [ "$(queues)" = 2 ] && break; sleep 0.1; done
[ "$(queues)" = 2 ] || fail "the process holds no queue of svc0: $(link svc0; ct systemctl status vm-queue)"
declare -A idx cc
for t in svc0 pv0 idle0 vm0 bat0; do idx[$t]=$(index_of $t); cc[$t]=$(carrier_changes $t); done
has_lower_up svc0 || fail "svc0 has no carrier"
pid=$(main_pid)
ct systemctl restart ifctld
[ "$(main_pid)" != "$pid" ] || fail "systemctl restart did not restart ifctld"
for t in svc0 pv0 idle0 vm0 bat0; do
  link $t >/dev/null || fail "$t is gone after systemctl restart"
  [ "$(index_of $t)" = "${idx[$t]}" ] || fail "$t has another index after systemctl restart"
done
ct ifctl svc0 | grep -q "owner alice" || fail "svc0 lost its owner: $(ct ifctl svc0)"
ct journalctl -u ifctld -q -o cat | grep -q "stopping for a restart (restart): every TAP stays" ||
  fail "ifctld did not learn from systemd that it was restarting"
[ "$(carrier_changes svc0)" = "${cc[svc0]}" ] || fail "svc0's carrier dropped during the restart"
has_lower_up svc0 || fail "svc0 has no carrier after the restart"
idle_drops=$(( $(carrier_changes idle0) - ${cc[idle0]} ))
echo "carrier changes of idle0 (no client queue) across systemctl restart: $idle_drops"
[ "$idle_drops" = 0 ] || fail "idle0's carrier dropped during systemctl restart (the fd store was emptied)"

step "kill -9: Restart= brings ifctld back, every TAP kept"
pid=$(main_pid)
ct kill -9 "$pid"
wait_for "ifctld did not come back after kill -9" sh -c \
  "p=\$(nsenter -t $leader -a systemctl show -P MainPID ifctld.service); [ \"\$p\" != 0 ] && [ \"\$p\" != $pid ] && nsenter -t $leader -a systemctl is-active -q ifctld.service"
for t in svc0 pv0 idle0; do
  [ "$(index_of $t)" = "${idx[$t]}" ] || fail "$t is gone or changed after kill -9"
  [ "$(carrier_changes $t)" = "${cc[$t]}" ] || fail "$t's carrier dropped across kill -9"
done
check "alice still configures svc0" as alice ifctl svc0 mtu 1410

step "a stop for good: idle non-persistent TAPs go, a held one and persistent ones stay"
ct systemctl stop ifctld.service
ct journalctl -u ifctld -q -o cat | grep -q "systemd is stopping ifctld for good" ||
  fail "ifctld did not learn from systemd that it was stopped for good"
link idle0 >/dev/null && fail "systemctl stop left the idle non-persistent idle0"
link svc0 >/dev/null || fail "systemctl stop destroyed svc0, whose queue alice's process holds"
link pv0 >/dev/null || fail "systemctl stop destroyed the persistent pv0"
check "the socket starts ifctld again" ct ifctl svc0
ct ifctl svc0 | grep -q "owner alice" || fail "svc0 lost its owner across a stop and start"

step "the journal has no error"
errors=$(ct journalctl -u ifctld -p err --no-pager -q -o cat | grep -v 'Main process exited, code=killed, status=9/KILL\|Failed with result .signal.' || true)
[ -z "$errors" ] || fail "errors in the journal: $errors"

step "reboot: persistent TAPs come back with address and MTU, the others do not"
ct systemctl reboot || true
for _ in $(seq 200); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$nspawn_pid" 2>/dev/null && fail "the container did not go down for its reboot"
wait "$nspawn_pid" || true
nspawn_pid=''
boot
wait_for "ifctld did not start at boot" ct systemctl is-active -q ifctld.service
wait_for "pv0 is not back after the reboot" link pv0
[ "$(link pv0 | jq_py 'd[0]["mtu"]')" = 1400 ] || fail "pv0's MTU is not 1400 after the reboot"
ct ip -j addr show dev pv0 | grep -q '"192.0.2.1"' || fail "pv0's address is not back after the reboot"
for t in svc0 idle0 vm0 bat0; do link $t >/dev/null && fail "non-persistent $t came back after the reboot"; done
errors=$(ct journalctl -b -u ifctld -p err --no-pager -q -o cat || true)
[ -z "$errors" ] || fail "errors in the journal after the reboot: $errors"

stop_container
echo "ok: the operator's story passed in $((SECONDS - start_time)) s"
