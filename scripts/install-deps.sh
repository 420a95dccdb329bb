#!/usr/bin/env bash
# Installs every Debian 12 package that building, running and testing ifctl needs.
# Idempotent: packages already present are left alone, and apt-get update runs
# only when something is missing.
set -euo pipefail

packages=(
  # toolchain and build system
  build-essential g++ meson ninja-build pkg-config
  # libraries the code links against
  libboost-dev libnl-3-dev libnl-route-3-dev libspdlog-dev libfmt-dev
  libsystemd-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
  # tests
  catch2 iproute2 util-linux net-tools busybox passwd procps python3 zsh
  # the README's example pipes JSON through jq (suite docs)
  jq
  # systemd-analyze (unit checks) and systemd-socket-activate (socket activation test)
  systemd
  # the installed service booted under systemd in a container (tests/container):
  # systemd-nspawn, and udevadm to check the rule that marks managed TAPs
  systemd-container udev
  # man pages
  scdoc
  # static checks (suite lint)
  cppcheck
)
# The sanitizer build (scripts/test.sh, unless IFCTL_SANITIZE=0) uses clang, whose
# sanitizer and libFuzzer runtimes (fuzz/) are in libclang-rt-14-dev.
if [ "${IFCTL_SANITIZE:-1}" != 0 ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or: sudo $0" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# No service is started while packages install: on a machine whose init is not
# systemd, udev's own script would start udevd and replay every device's "add"
# event; only udevadm and the rules are wanted. (The usual policy-rc.d of
# images; one the machine already has is left alone.)
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
