# complete-driver.bash - what bash-completion offers for a command line,
# as if Tab were pressed at its end, through bash-completion's own loader
# (sourced by completion.sh and debian.sh; run with bash).
#
#   bash complete-driver.bash WORD...
#
# The completion file is found as bash-completion finds it: in
# $BASH_COMPLETION_USER_DIR/completions or $XDG_DATA_DIRS'
# bash-completion/completions.  Prints "complete: ..." (complete -p)
# then one candidate a line.
set -u
. "${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}"
cmd=$1
_completion_loader "$cmd" >/dev/null 2>&1
spec=$(complete -p "$cmd" 2>/dev/null) || { echo "complete: none"; exit 1; }
echo "complete: $spec"
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
fn=$(echo "$spec" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
"$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
