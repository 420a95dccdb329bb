#!/bin/sh
# meson test's short fuzz run: TARGET from the seed corpus SEEDS for RUNS
# executions, with a fixed seed so a failure repeats. New inputs go to a scratch
# directory, never into the repository's corpus.
set -eu
target=$1 seeds=$2 runs=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$target" -runs="$runs" -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
  "$scratch" "$seeds"
