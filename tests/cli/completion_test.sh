#!/bin/bash
# The shell completions (cli/completion), without a daemon:
#  - ifctl --list-keywords prints every keyword of the grammar table;
#  - the bash completion, sourced here, answers a few command lines (COMPREPLY);
#  - the zsh completion parses (zsh -n), when zsh is installed;
#  - the install plan puts both files under the prefix's datadir.
# Usage: completion_test.sh IFCTL SOURCE_ROOT BUILD_ROOT
set -u
ifctl=$1 src=$2 build=$3
passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- --list-keywords ----
list=$("$ifctl" --list-keywords) || fail "ifctl --list-keywords exited $?"
# Every keyword the grammar tests exercise (tests/cli/test_grammar.cpp), with its argument count.
expected="create:0 queues:1 owner:1 tapgroup:1 group:1 -group:1 description:1 descr:1 -description:0 -descr:0
vnet_hdr:0 persist:0 -persist:0 uniqueid:1 destroy:0 netns:1 vnet:1 -vnet:0
inet:1 inet6:1 netmask:1 prefixlen:1 broadcast:1 dest:1 alias:0 add:0 -alias:0 delete:0 remove:0
no_dad:0 -no_dad:0 auto_linklocal:0 -auto_linklocal:0
mtu:1 metric:1 txqueuelen:1 ether:1 lladdr:1 name:1 up:0 down:0 promisc:0 -promisc:0
allmulti:0 -allmulti:0 arp:0 -arp:0 txcsum:0 -txcsum:0 tso:0 -tso:0 tso4:0 -tso4:0 tso6:0 -tso6:0
monitor:0 -monitor:0 wait-up:0 timeout:1 addm:1 deletem:1"
count=0
for e in $expected; do
    count=$((count + 1))
    word=${e%:*} nargs=${e##*:}
    if grep -q -x -e "$word $nargs [^ ]* .*" <<<"$list"; then ok; else fail "--list-keywords lacks \"$word $nargs\""; fi
done
lines=$(grep -c . <<<"$list")
if [[ $lines == "$count" ]]; then ok; else fail "--list-keywords prints $lines keywords, expected $count"; fi

# ---- bash completion ----
# A stand-in ifctl: the real keyword list, and interface names that depend on --socket.
cat >"$tmp/ifctl" <<STUB
#!/bin/sh
case "\$*" in
  --list-keywords) exec "$ifctl" --list-keywords ;;
  "--socket /tmp/other.sock -l") echo "other0 other1" ;;
  -l) echo "tap0 tap1 vm0" ;;
  *) exit 1 ;;
esac
STUB
chmod +x "$tmp/ifctl"

# shellcheck source=../../cli/completion/ifctl.bash
source "$src/cli/completion/ifctl.bash"
if [[ $(complete -p ifctl 2>/dev/null) == *"-F _ifctl"* ]]; then ok; else fail "ifctl.bash does not register _ifctl"; fi

# complete_line CMD WORD... : sets COMP_WORDS, COMP_CWORD (the last word) and runs _ifctl.
complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _ifctl
}
# expect "WORDS" has|lacks|is CANDIDATE...  (WORDS split at spaces; a last word '' is empty)
expect() {
    local line=$1 how=$2 c
    shift 2
    local -a words
    read -r -a words <<<"$line"
    [[ ${words[-1]} == "''" ]] && words[-1]=""  # '' stands for an empty current word
    complete_line "${words[@]}"
    local got=" ${COMPREPLY[*]-} "
    case $how in
        has) for c; do [[ $got == *" $c "* ]] && ok || fail "[$line] -> [${COMPREPLY[*]-}]: no $c"; done ;;
        lacks) for c; do [[ $got != *" $c "* ]] && ok || fail "[$line] -> [${COMPREPLY[*]-}]: has $c"; done ;;
        is) [[ "${COMPREPLY[*]-}" == "$*" ]] && ok || fail "[$line] -> [${COMPREPLY[*]-}], expected [$*]" ;;
    esac
}
I=$ifctl S=$tmp/ifctl
expect "$I tap0 m" has mtu metric monitor
expect "$I tap0 m" lacks up create
expect "$I tap0 ether ''" is random
expect "$I tap0 lladdr r" is random
expect "$I tap0 addm ''" is ""
expect "$I tap0 mtu ''" is ""
expect "$I tap0 name ''" is ""
expect "$I tap0 inet ''" is ""
expect "$I --so" is --socket
expect "$I -" has --json --socket --version -h -a -l -u -d
expect "$I tap0 -" has --json -alias -promisc
expect "$I tap0 -" lacks -l --version
expect "$I tap cr" is create
expect "$I tap0 up cr" is ""
expect "$I tap0 mtu 1500 ''" has up inet6 destroy
expect "$I tap0 destroy ''" is ""
expect "$I tap0 -- -al" has -alias -allmulti
expect "$I tap create owner roo" is root
expect "$I tap create tapgroup roo" is root
expect "$I tap0 group ''" is ""
expect "$I tap0 desc" is description descr
expect "$I tap0 ts" has tso tso4 tso6
# -f takes a file, --events kinds of event, --format formats; monitor has options of its own.
touch "$tmp/batch.txt"
expect "$I -f $tmp/bat" is "$tmp/batch.txt"
expect "$I monitor --events ''" has link mtu address-added lladdr
expect "$I monitor --events ''" lacks up -alias
expect "$I monitor --events mtu,addr" is mtu,address mtu,address-added mtu,address-removed
expect "$I monitor -" is "--json --events --no-timestamp --socket -h --help"
expect "$I monitor -" lacks -persist -alias
expect "$I --format ''" has inet:cidr inet6:cidr ether:dash
expect "$I -" has -f --reload -b -C -g --format
expect "$I mon" is monitor
expect "$I show ''" lacks monitor create
expect "$I show tap0 ''" is ""
expect "$I list -" has --json -u -d -g
expect "$S ''" is "monitor show list tap0 tap1 vm0"
expect "$S monitor ''" is "tap0 tap1 vm0"
expect "$S show ''" is "tap0 tap1 vm0"
expect "$S v" is vm0
expect "$S --json ''" is "monitor show list tap0 tap1 vm0"
expect "$S --socket /tmp/other.sock ''" is "monitor show list other0 other1"
expect "$S --socket = /tmp/other.sock ''" is "monitor show list other0 other1"
expect "$S --socket=/tmp/other.sock ''" is "monitor show list other0 other1"
touch "$tmp/ifctld.sock"
expect "$S --socket $tmp/ifctld.s" is "$tmp/ifctld.sock"
expect "$S --socket = $tmp/ifctld.s" is "$tmp/ifctld.sock"
# An ifctl that cannot list keywords (or interfaces) offers nothing, quietly.
expect "$tmp/missing tap0 ''" is ""

# ---- zsh completion ----
# zsh -n, then _ifctl driven with stand-ins for the completion system's
# functions (compadd, _describe, _files, ...), which print what they were
# given: each case sets words, CURRENT and PREFIX as zsh would and checks the
# candidates offered (FILES, USERS, GROUPS, MESSAGE stand for those helpers).
if command -v zsh >/dev/null; then
    if zsh -n "$src/cli/completion/_ifctl"; then ok; else fail "zsh -n _ifctl"; fi
    zsh_out=$(IFCTL=$ifctl STUB=$tmp/ifctl TMPD=$tmp zsh -f -s "$src/cli/completion/_ifctl" <<'ZSH'
typeset -ga got
add() { local c; for c; do [[ $c == ${PREFIX}* ]] && got+=("$c"); done }
compadd() {
  while (( $# )); do
    case $1 in
      -a) shift; add "${(@P)1}"; return 0 ;;
      -) shift; add "$@"; return 0 ;;
      -*) shift ;;
      *) add "$@"; return 0 ;;
    esac
  done
}
_wanted() { shift 3; "$@"; }
_describe() {
  local arr=${@[-1]} e
  for e in "${(@P)arr}"; do add "${e%%:*}"; done
}
_values() { shift 3; add "$@"; }
_files() { got+=(FILES); }
_users() { got+=(USERS); }
_groups() { got+=(GROUPS); }
_message() { got+=(MESSAGE); }
compset() { return 1; }
_call_program() { shift; eval "$*"; }
# case EXPECTED WORD...: the last word is the one being completed.
check() {
  local expected=$1; shift
  words=("$@"); CURRENT=$#; PREFIX=${@[-1]}; got=()
  _ifctl
  local -a sorted=(${(o)got})
  local have="${(j: :)sorted}"
  [[ $have == $expected ]] && print ok || print "FAIL: zsh [$*] -> [$have], expected [$expected]"
}
words=(ifctl ''); CURRENT=2; PREFIX=''
source $1 >/dev/null 2>&1
I=$IFCTL S=$STUB
touch $TMPD/batch.txt
check "FILES" $I -f ''
check "address address-added address-removed carrier flags link link-added link-removed lladdr mtu renamed" $I monitor --events ''
check "--events --help --json --no-timestamp --socket -h" $I monitor -
check "ether:colon ether:dash ether:dotted inet6:cidr inet6:numeric inet:cidr inet:dotted inet:hex" $I --format ''
check "--format" $I --for
check "-f" $I -f
check "list monitor other0 other1 show" $S --socket /tmp/other.sock ''
check "tap0 tap1 vm0" $S monitor ''
check "list monitor show tap0 tap1 vm0" $S ''
check "monitor" $I mon
check "tso tso4 tso6" $I tap0 ts
check "descr description" $I tap0 desc
check "GROUPS" $I tap create tapgroup ''
check "MESSAGE" $I tap0 group ''
check "USERS" $I tap create owner ''
check "random" $I tap0 ether ''
check "" $I tap0 destroy ''
check "--help --json --socket -h" $S show tap0 -
ZSH
) || fail "zsh harness exited $?"
    while IFS= read -r line; do
        if [[ $line == ok ]]; then ok; else fail "${line#FAIL: }"; fi
    done <<<"$zsh_out"
else
    echo "SKIP: zsh not installed, _ifctl not checked"
    skipped=$((skipped + 1))
fi

# ---- install plan: both files under the prefix's datadir ----
plan=$(python3 - "$build" "$src" <<'PY'
import json, os, sys
build, src = sys.argv[1], sys.argv[2]
info = os.path.join(build, "meson-info")
installed = json.load(open(os.path.join(info, "intro-installed.json")))
opts = {o["name"]: o["value"] for o in json.load(open(os.path.join(info, "intro-buildoptions.json")))}
datadir = os.path.join(opts["prefix"], opts["datadir"])
for source, want in [("cli/completion/ifctl.bash", "bash-completion/completions/ifctl"),
                     ("cli/completion/_ifctl", "zsh/site-functions/_ifctl")]:
    got = installed.get(os.path.realpath(os.path.join(src, source)), installed.get(os.path.join(src, source)))
    expected = os.path.join(datadir, want)
    print(("ok " if got == expected else "bad ") + f"{source} -> {got} (expected {expected})")
PY
) || fail "reading the install plan of $build"
while read -r verdict rest; do
    [[ $verdict == ok ]] && ok || fail "install: $rest"
done <<<"$plan"

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
