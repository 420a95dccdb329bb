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
    local want="" owed=0 keyword="" name="" only_words="" nkeywords=0 command="" word i
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word=${COMP_WORDS[i]}
        if [[ $want == socket ]]; then
            [[ $word == = ]] && continue  # --socket=PATH splits at '='
            socket=(--socket "$(_ifctl_dequote "$word")")
            want=""
            continue
        fi
        if [[ $want == value ]]; then  # the value of -f, -g, --events or --format
            [[ $word == = ]] && continue
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
                -f | -g | --events | --format) want=value; continue ;;
                -?*) continue ;;
            esac
        fi
        # The commands a first word may be (ifctl monitor [NAME], show NAME, list).
        if [[ -z $only_words && -z $name && -z $command ]] && [[ $word == monitor || $word == show || $word == list ]]; then
            command=$word
            continue
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
    # The value of the option before the cursor.
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    [[ $prev == = && COMP_CWORD -ge 2 ]] && prev=${COMP_WORDS[COMP_CWORD - 2]}
    [[ $cur == = ]] && cur=""
    if [[ $want == value ]]; then
        case $prev in
            -f)
                compopt -o filenames 2>/dev/null
                _ifctl_reply -f -- "$cur"
                ;;
            --events)
                # A comma-separated list: complete the part after the last comma.
                local done="" part=$cur
                [[ $cur == *,* ]] && done=${cur%,*}, part=${cur##*,}
                local k
                for k in link link-added link-removed renamed flags mtu carrier address address-added \
                    address-removed lladdr; do
                    [[ $k == "$part"* ]] && COMPREPLY+=("$done$k")
                done
                compopt -o nospace 2>/dev/null
                ;;
            --format)
                _ifctl_reply -W "inet:hex inet:dotted inet:cidr inet6:numeric inet6:cidr ether:colon ether:dash ether:dotted" -- "$cur"
                ;;
        esac
        return 0  # -g GROUP: a group name, nothing to offer
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
    if [[ $command == monitor ]]; then
        # monitor [NAME] takes its own options, and no keywords.
        if [[ $cur == -* ]]; then
            _ifctl_reply -W "--json --events --no-timestamp --socket -h --help" -- "$cur"
        elif [[ -z $name ]]; then
            _ifctl_reply -W "$("$cmd" "${socket[@]}" -l 2>/dev/null)" -- "$cur"
        fi
        return 0
    fi
    [[ $command == list ]] && { _ifctl_reply -W "--json --socket -u -d -g" -- "$cur"; return 0; }
    if [[ -z $only_words && $cur == -* ]]; then
        if [[ -z $name ]]; then
            options="--json --socket --version -h --help -a -l -b -u -d -g -C -f --format --reload"
        else
            options="--json --socket -h --help"
        fi
    fi
    if [[ -z $name ]]; then
        local names="" commands=""
        [[ $cur != -* ]] && names=$("$cmd" "${socket[@]}" -l 2>/dev/null)
        [[ $cur != -* && -z $command ]] && commands="monitor show list"
        _ifctl_reply -W "$options $commands $names" -- "$cur"
        return 0
    fi
    [[ $command == show ]] && { _ifctl_reply -W "$options" -- "$cur"; return 0; }  # show NAME: no keywords
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
