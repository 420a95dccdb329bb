#!/bin/sh
# Checks that a shared library exports only the C API: every defined dynamic
# symbol must start with ifctl_. Usage: check_exports.sh path/to/libifctl.so
set -eu
lib=${1:?usage: check_exports.sh LIBRARY}
[ -f "$lib" ] || { echo "no such library: $lib" >&2; exit 1; }

syms=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u)
[ -n "$syms" ] || { echo "$lib exports no symbols at all" >&2; exit 1; }

bad=$(printf '%s\n' "$syms" | grep -v '^ifctl_' || true)
if [ -n "$bad" ]; then
    echo "$lib exports symbols outside ifctl_*:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi

# The entry points of ifctl.h that this library defines must be there.
for f in ifctl_open ifctl_close ifctl_message ifctl_list ifctl_get ifctl_version \
         ifctl_create_with ifctl_set_owner ifctl_set_persistent ifctl_move_netns_pid ifctl_move_netns_path \
         ifctl_set_description ifctl_get_description ifctl_description_free ifctl_group_add ifctl_group_del \
         ifctl_get_groups ifctl_groups_free ifctl_move_home ifctl_subscribe ifctl_next_event ifctl_event_kind_name ifctl_event_kinds_parse \
         ifctl_socket ifctl_close_fd; do
    printf '%s\n' "$syms" | grep -qx "$f" || { echo "$lib does not export $f" >&2; exit 1; }
done
echo "$(printf '%s\n' "$syms" | wc -l) symbols, all ifctl_*"
