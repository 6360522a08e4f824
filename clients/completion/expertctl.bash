# bash completion for expertctl: command words, then the command's options.
# Both come from expertctl itself (`expertctl help` and `expertctl help
# COMMAND`), so they never drift from the program.
_expertctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]}
    local -a words=()
    local i w
    # The command words typed so far, global options (and their values) skipped.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        --endpoint|--key|--server-key|--timeout|--retries|--request-id|--receipts)
            ((i++)) ;;
        -*) ;;
        *) words+=("$w") ;;
        esac
    done
    local list
    list=$(LC_ALL=C "$prog" help 2>/dev/null | sed -n '/^Commands:/,$p' | sed -n 's/^  \([a-z]\+\)\( \([a-z][a-z-]*\)\)\? .*/\1 \3/p')
    if [ ${#words[@]} -eq 0 ]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--endpoint --key --server-key --timeout --retries --request-id --receipts --json --help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(awk '{print $1}' <<<"$list" | sort -u) help" -- "$cur"))
        fi
        return
    fi
    local group=${words[0]}
    [ "$group" = help ] && { COMPREPLY=($(compgen -W "$(awk '{print $1}' <<<"$list" | sort -u)" -- "$cur")); return; }
    local names
    names=$(awk -v g="$group" '$1 == g && $2 != "" {print $2}' <<<"$list")
    if [ ${#words[@]} -eq 1 ] && [ -n "$names" ] && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$(LC_ALL=C "$prog" help "${words[@]:0:2}" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
        [ -n "$opts" ] || opts=$(LC_ALL=C "$prog" help "$group" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _expertctl expertctl
