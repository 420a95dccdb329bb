#!/usr/bin/env bash
# Installs what is needed, builds with warnings as errors, and runs every test
# suite (unit, cli, integration, lint, bench smoke runs); then builds the tree a
# second time under AddressSanitizer and UndefinedBehaviorSanitizer (with clang,
# which adds the libFuzzer targets and their short runs, suite fuzz) and runs the
# suites again there: any sanitizer report fails it (docs/testing.md).
# Integration tests need root: each runs in a private network namespace of its
# own and leaves nothing behind.
#
#   ./scripts/test.sh                   # both builds (this is .ci/run)
#   IFCTL_SANITIZE=0 ./scripts/test.sh  # the plain build only (quicker, by hand)
#   ./scripts/test.sh --suite unit      # arguments go to each meson test run
# As root; a user who has sudo is taken there (sudo keeps IFCTL_* variables
# only if its policy allows: pass them after sudo, as `sudo IFCTL_SANITIZE=0 ...`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && exec sudo -- "$0" "$@"
  echo "test: needs root (TAP devices in private network namespaces); run it as root" >&2
  exit 1
fi

builddir=${IFCTL_BUILDDIR:-build}
asandir=${IFCTL_ASAN_BUILDDIR:-build-asan}
# On by default: .ci/run is this script, and every change must pass the sanitizer
# run in it. IFCTL_SANITIZE=0 leaves it out (install-deps.sh then skips clang).
sanitize=${IFCTL_SANITIZE:-1}
export IFCTL_SANITIZE=$sanitize
./scripts/install-deps.sh

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" --werror
fi
ninja -C "$builddir"
status=0
meson test -C "$builddir" --print-errorlogs "$@" || status=$?
logs=("$builddir/meson-logs/testlog.json")

if [ "$sanitize" != 0 ]; then
  if [ ! -f "$asandir/build.ninja" ]; then
    # clang builds the fuzz targets too; b_lundef=false because the sanitizer
    # runtimes are linked into executables, not into libifctl.so.
    compilers=()
    command -v clang++ >/dev/null && compilers=(env CC=clang CXX=clang++)
    # --werror as the plain tree: clang warns of things gcc does not (an unused
    # counter in a test was one), and a warning should stop CI, not scroll by.
    "${compilers[@]}" meson setup "$asandir" --werror -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbench=false -Dman=disabled
  fi
  ninja -C "$asandir"
  # Stop at the first report (UBSan too), with a stack, and check leaks at exit.
  export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1
  export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
  # cppcheck reads sources, not builds: once (above) is enough.
  meson test -C "$asandir" --print-errorlogs --no-suite lint "$@" || status=$?
  logs+=("$asandir/meson-logs/testlog.json")
fi

# One plain closing line over both runs, whatever reads this log:
# "N passed, N failed, N skipped" (each run's own counts come first).
python3 - "${logs[@]}" <<'PY'
import json, os, sys
total = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for line in open(path):
        result = json.loads(line).get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            counts["passed"] += 1
        elif result == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
    for k in total:
        total[k] += counts[k]
    print(f"({os.path.basename(os.path.dirname(os.path.dirname(path)))}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped)")
print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
PY
exit "$status"
