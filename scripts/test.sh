#!/usr/bin/env bash
# Installs what is needed, builds with warnings as errors, and runs every test
# suite (unit, cli, integration, bench smoke runs). Integration tests need root:
# each runs in a private network namespace of its own and leaves nothing behind.
#
#   sudo ./scripts/test.sh            # everything
#   sudo ./scripts/test.sh --suite unit
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
builddir=${IFCTL_BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" --werror
fi
ninja -C "$builddir"
meson test -C "$builddir" --print-errorlogs "$@"
