# bash completion for sweep. Installed as share/bash-completion/completions/sweep
# (loaded on demand by bash-completion), or source it from ~/.bashrc.
#
# The binary answers: `sweep __complete -- WORDS...` prints one "candidate<TAB>note"
# line per completion of the last word, or ":files" to ask for file names. So
# subcommands, flags, flag values and sweep/trial ids (read from ./.sweep, or the
# --store / $SWEEP_STORE store) always match the installed sweep.

_sweep() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local line out
  local -a words=("${COMP_WORDS[@]:1:COMP_CWORD}")
  # bash splits "--flag=value" at "=" (COMP_WORDBREAKS); only "--flag value" is
  # completed, so offer nothing rather than a wrong guess.
  if [[ "$cur" == "=" || "${COMP_WORDS[COMP_CWORD-1]}" == "=" ]]; then
    COMPREPLY=()
    return 0
  fi
  out="$("${COMP_WORDS[0]}" __complete -- "${words[@]}" 2>/dev/null)" || return 0
  COMPREPLY=()
  if [[ "$out" == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  while IFS= read -r line; do
    [[ -n "$line" ]] && COMPREPLY+=("${line%%$'\t'*}")
  done <<< "$out"
  return 0
}

complete -F _sweep sweep
