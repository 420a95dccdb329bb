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
status=0
meson test -C "$builddir" --print-errorlogs "$@" || status=$?

# One plain closing line, whatever reads this log: "N passed, N failed, N skipped".
python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for line in open(sys.argv[1]):
    result = json.loads(line).get("result", "")
    if result in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif result == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
PY
exit "$status"
