#!/bin/sh
# The daemon stays readable: no source file under daemon/ over 500 lines, no
# function over 80 (a function: from a line at column 0 that opens a body to
# the "}" at column 0 that closes it; namespaces, classes and tables excluded).
root=${1:-.}
cd "$root" || exit 1
status=0
for f in $(find daemon -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort); do
    lines=$(wc -l < "$f")
    if [ "$lines" -gt 500 ]; then
        echo "$f: $lines lines (at most 500)"
        status=1
    fi
    awk -v file="$f" '
        /^[A-Za-z].*\) (const )?(override )?\{$/ && !/^(namespace|struct|class|enum|union)/ { start = NR; name = $0; next }
        /^\}/ && start { if (NR - start + 1 > 80) { printf "%s:%d: function of %d lines (at most 80): %s\n", file, start, NR - start + 1, name; bad = 1 } start = 0 }
        END { exit bad }
    ' "$f" || status=1
done
exit $status
