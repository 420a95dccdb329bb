#!/usr/bin/env bash
# The installed layout: `meson install` into a scratch DESTDIR puts ifctld,
# ifctl, the versioned library, the headers, libifctl.pc and the units where
# they belong, and a C program builds with
#   cc prog.c $(pkg-config --cflags --libs libifctl)
# and runs against the installed library; a BSD source including
# <net/if_dl.h>, <sys/sockio.h>, ... builds with
#   cc prog.c $(pkg-config --cflags --libs libifctl-bsd)
set -euo pipefail
build=$1
src=$2
dest=$(mktemp -d /tmp/ifctl-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root=$dest$prefix

fail() { echo "install: $*" >&2; exit 1; }
for f in sbin/ifctld bin/ifctl include/ifctl/ifctl.h; do
  [ -e "$root/$f" ] || fail "missing $prefix/$f"
done
lib=$(find "$root" -name 'libifctl.so.*.*' -type f | head -1)
[ -n "$lib" ] || fail "no versioned libifctl.so.X.Y.Z"
# A sanitizer build's library needs its runtime loaded first: a plain program cannot use it.
# g++ links the runtime as a shared library (ldd shows it); clang leaves its
# symbols (and the fuzzer's coverage hooks) undefined, for the executable to provide.
# (Captured first: with pipefail, grep -q closing the pipe early fails the pipeline.)
deps=$(ldd "$lib") undefined=$(nm -D --undefined-only "$lib")
if grep -q 'libasan\|libubsan' <<<"$deps" || grep -q ' __asan_\| __ubsan_\| __sanitizer_cov_' <<<"$undefined"; then
  echo "skipped: sanitizer build"
  exit 77
fi
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[ "$soname" = "libifctl.so.1" ] || fail "soname is '$soname', not libifctl.so.1"
# The preload shim sits next to the library (LD_PRELOAD=libifctl-preload.so
# finds it by name there) and exports ioctl and the calls that make, copy and
# close descriptors (it watches them to know a socket's family), nothing else.
shim=$(find "$root" -name libifctl-preload.so -type f | head -1)
[ -n "$shim" ] || fail "no libifctl-preload.so"
[ "$(dirname "$shim")" = "$(dirname "$lib")" ] || fail "libifctl-preload.so is not in the library's directory"
shim_syms=$(nm -D --defined-only "$shim" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u)
expected="close close_range dup2 dup3 fclose ioctl socket socketpair"
[ "$(echo $shim_syms)" = "$expected" ] || fail "libifctl-preload.so exports '$(echo $shim_syms)', not just $expected"
pc=$(find "$root" -name libifctl.pc | head -1)
[ -n "$pc" ] || fail "no libifctl.pc"
find "$root" -name ifctld.service | grep -q . || fail "no ifctld.service"
find "$root" -name ifctld.socket | grep -q . || fail "no ifctld.socket"
# The example configuration is the daemon's own --print-config, and checks clean.
example=$root/share/doc/ifctl/ifctl.conf.example
[ -f "$example" ] || fail "no share/doc/ifctl/ifctl.conf.example"
cmp -s "$example" <("$build/daemon/ifctld" --print-config) || fail "ifctl.conf.example differs from ifctld --print-config"
"$build/daemon/ifctld" --check-config "$example" >/dev/null || fail "ifctl.conf.example does not check clean"

cat > "$dest/prog.c" <<'C'
#include <ifctl/ifctl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    ifctl_t *h = NULL;
    char why[256] = "";
    int rc = ifctl_open(&h, "/nonexistent/ifctld.sock", why, sizeof why);
    printf("%s %d %s\n", ifctl_version(), rc == -ENOENT, strstr(why, "not running") ? "ok" : why);
    return 0;
}
C
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
cc -std=c99 -Wall -Wextra -Werror "$dest/prog.c" -o "$dest/prog" $(pkg-config --cflags --libs libifctl) \
  || fail "a C program does not build with pkg-config libifctl"
out=$(LD_LIBRARY_PATH=$(dirname "$lib") "$dest/prog")
[ "$out" = "$(meson introspect "$build" --projectinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])') 1 ok" ] \
  || fail "the program printed '$out'"

# The BSD header names, each forwarding to compat.h, in the directory libifctl-bsd.pc names.
for h in net/if_dl.h net/if_types.h sys/sockio.h netinet/in_var.h netinet6/in6_var.h; do
  [ -e "$root/include/ifctl/bsd/$h" ] || fail "missing $prefix/include/ifctl/bsd/$h"
done
[ -n "$(find "$root" -name libifctl-bsd.pc)" ] || fail "no libifctl-bsd.pc"
cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror "$src/tests/unit/bsd_headers.c" -o "$dest/bsd_headers" \
  $(pkg-config --cflags --libs libifctl-bsd) || fail "a BSD source does not build with pkg-config libifctl-bsd"
LD_LIBRARY_PATH=$(dirname "$lib") "$dest/bsd_headers" >/dev/null || fail "the BSD source built against the installed headers failed"
echo "install layout and pkg-config build: ok ($soname)"
