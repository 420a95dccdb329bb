#!/bin/sh
# Static checks (suite lint): cppcheck over the project's own sources, with the
# checks that find bugs (warning: undefined behaviour, bad format strings,
# uninitialised members; portability; performance) and without "style", whose
# advice is taste. Suppressions, each with its reason, are in
# tests/lint/cppcheck-suppressions.txt. Exits 77 (skipped) without cppcheck.
set -eu
src=$1
command -v cppcheck >/dev/null || { echo "cppcheck not installed"; exit 77; }
cd "$src"
exec cppcheck --quiet --error-exitcode=1 --inline-suppr \
  --std=c++20 --language=c++ --enable=warning,performance,portability \
  --suppressions-list=tests/lint/cppcheck-suppressions.txt \
  -D_GNU_SOURCE -DIFCTL_VERSION_STRING='"0"' -DIFCTL_VERSION='"0"' -DIFCTL_PROJECT_VERSION='"0"' \
  -I . -I libifctl/include \
  --template='{file}:{line}: {severity} ({id}): {message}' \
  daemon libifctl cli fuzz bench
