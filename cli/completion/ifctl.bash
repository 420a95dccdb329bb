# bash completion for ifctl(8).
#
# The keywords come from `ifctl --list-keywords`, which prints the grammar
# table the command parses with, so this file never lists them; interface
# names come from the daemon through `ifctl -l` (with the --socket given
# earlier on the line, if any). Installed as
# share/bash-completion/completions/ifctl.

# The ifctl being completed, with a leading ~/ and surrounding quotes undone.
_ifctl_dequote() {
    local s=$1
    if [[ $s == \'*\' || $s == \"*\" ]]; then
        s=${s:1:${#s}-2}
    fi
    s=${s//\\ / }
    [[ $s == "~/"* ]] && s=$HOME/${s#"~/"}
    printf '%s' "$s"
}

# Fills _ifctl_kw_words (in table order), _ifctl_kw_nargs and _ifctl_kw_kind
# (the placeholder: N, USER, MAC, ...) once per shell and ifctl binary.
_ifctl_load_keywords() {
    local cmd=$1
    [[ ${_ifctl_kw_cmd-} == "$cmd" ]] && return 0
    declare -gA _ifctl_kw_nargs=() _ifctl_kw_kind=()
    declare -ga _ifctl_kw_words=()
    local word nargs kind help
    while read -r word nargs kind help; do
        [[ $nargs == [0-9] ]] || continue
        _ifctl_kw_words+=("$word")
        _ifctl_kw_nargs[$word]=$nargs
        _ifctl_kw_kind[$word]=$kind
    done < <("$cmd" --list-keywords 2>/dev/null)
    # An ifctl that failed is asked again next time.
    (( ${#_ifctl_kw_words[@]} )) && _ifctl_kw_cmd=$cmd
    return 0
}

_ifctl_reply() {
    mapfile -t COMPREPLY < <(compgen "$@")
}

_ifctl() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local cmd
    cmd=$(_ifctl_dequote "${COMP_WORDS[0]}")
    _ifctl_load_keywords "$cmd"
    COMPREPLY=()

    # Walk the words before the cursor as ifctl's command line does: before
    # NAME a word starting with '-' is an option; after it a keyword owns its
    # arguments; after "--" everything is grammar.
    local -a socket=()
    local want="" owed=0 keyword="" name="" only_words="" nkeywords=0 word i
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word=${COMP_WORDS[i]}
        if [[ $want == socket ]]; then
            [[ $word == = ]] && continue  # --socket=PATH splits at '='
            socket=(--socket "$(_ifctl_dequote "$word")")
            want=""
            continue
        fi
        if (( owed > 0 )); then
            (( --owed == 0 )) && want=""
            continue
        fi
        if [[ -z $only_words && -n $name && -n ${_ifctl_kw_nargs[$word]+x} ]]; then
            keyword=$word
            nkeywords=$((nkeywords + 1))
            owed=${_ifctl_kw_nargs[$word]}
            (( owed > 0 )) && want=arg
            continue
        fi
        if [[ -z $only_words ]]; then
            case $word in
                --) only_words=1; continue ;;
                --socket) want=socket; continue ;;
                --socket=*) socket=(--socket "$(_ifctl_dequote "${word#--socket=}")"); continue ;;
                -?*) continue ;;
            esac
        fi
        if [[ -z $name ]]; then
            name=$word
        else
            keyword=$word  # not a keyword: ifctl will say so; offer the rest anyway
            nkeywords=$((nkeywords + 1))
        fi
    done

    if [[ $want == socket ]]; then
        [[ $cur == = ]] && cur=""
        compopt -o filenames 2>/dev/null
        _ifctl_reply -f -- "$cur"
        return 0
    fi
    if [[ $want == arg ]]; then
        case $keyword:${_ifctl_kw_kind[$keyword]-} in
            ether:* | lladdr:*) _ifctl_reply -W "random" -- "$cur" ;;
            *:USER) _ifctl_reply -u -- "$cur" ;;
            *:GROUP) _ifctl_reply -g -- "$cur" ;;
        esac
        return 0  # numbers, addresses, new names: nothing to offer
    fi

    local options=""
    if [[ -z $only_words && $cur == -* ]]; then
        if [[ -z $name ]]; then
            options="--json --socket --version -h --help -a -l -u -d"
        else
            options="--json --socket -h --help"
        fi
    fi
    if [[ -z $name ]]; then
        local names=""
        [[ $cur != -* ]] && names=$("$cmd" "${socket[@]}" -l 2>/dev/null)
        _ifctl_reply -W "$options $names" -- "$cur"
        return 0
    fi
    [[ $keyword == destroy ]] && return 0  # nothing may follow it
    local candidates="" k
    for k in "${_ifctl_kw_words[@]}"; do
        # create must come first, right after the name.
        [[ $k == create ]] && (( nkeywords > 0 )) && continue
        candidates+=" $k"
    done
    _ifctl_reply -W "$options $candidates" -- "$cur"
    return 0
}

complete -F _ifctl ifctl
