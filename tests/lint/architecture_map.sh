#!/bin/sh
# Every source file under daemon/, libifctl/ and cli/ is named in
# docs/architecture.md (as FILE, STEM.*, STEM.hpp/.cpp or DIR/FILE), so that
# the map of the code stays whole. Prints the files it misses; fails if any.
root=${1:-.}
doc="$root/docs/architecture.md"
missing=0
for f in $(cd "$root" && find daemon libifctl cli -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.c' -o -name '*.h' \) | sort); do
    base=$(basename "$f")
    stem=${base%.*}
    if ! grep -qE "(^|[\`/ (])$(printf '%s' "$stem" | sed 's/[.+]/\\&/g')\.(\*|hpp|cpp|h|c)([^a-z]|$)" "$doc"; then
        echo "docs/architecture.md does not name $f"
        missing=1
    fi
done
exit $missing
