#!/bin/sh
# A long fuzz run (docs/testing.md): fuzz/run-long.sh BUILDDIR TARGET RUNS [JOBS]
# e.g. fuzz/run-long.sh build-asan protocol 10000000. The working corpus grows
# in BUILDDIR/fuzz/work-TARGET (seeded from fuzz/corpus/TARGET); a crash, leak
# or sanitizer report stops the run and leaves its input in BUILDDIR/fuzz/.
# Runs at the lowest priority, beside other work; the timeout is wall-clock
# time, generous because a starved process can sit unscheduled for seconds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1 target=$2 runs=$3
exe="$build/fuzz/fuzz-$target"
work="$build/fuzz/work-$target"
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
exec nice -n 19 "$exe" -runs="$runs" -max_len=4096 -timeout=300 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz/crash-$target-" "$work" "$here/corpus/$target"
