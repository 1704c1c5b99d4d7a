# forager's session helper in bash, for images without perl: the same protocol as
# session-helper.pl (read that first). Builtins only once started: nothing here forks per step.
# argv ($1…): NAME=VALUE or NAME (unset) pairs restoring the agent's environment for bash.
exec 3>&1 4<&0
exec {ctl}< <(
  for pair; do if [[ $pair == *=* ]]; then export "${pair%%=*}=${pair#*=}"; else unset "$pair"; fi; done
  exec /bin/bash --noprofile --norc 252>&1 250>&3 251>&2 1>/dev/null 2>/dev/null 0<&4 3>&- 4>&-
)
pid=$!
exec 3>&- 4<&-
trap '' PIPE
if [[ -n ${SRANDOM-} ]]; then
  printf -v secret '%08x%08x%08x%08x' "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM"
else
  # bash before 5.1: 128 bits from the kernel, read once.
  read -r -N 32 secret < <(od -An -vtx1 -N16 /dev/urandom | tr -d ' \n')
fi
printf '\036FORAGER-SESSION %s %s bash %s\n' "$secret" "$pid" "$$"
nonce= started=
micros() { [[ $1 =~ ^([0-9]+)[.,]([0-9]{6})$ ]] && REPLY=$((10#${BASH_REMATCH[1]} * 1000000 + 10#${BASH_REMATCH[2]})); }
while IFS= read -r -u "$ctl" line; do
  if [[ $line =~ /proc/self/stat/\|([0-9a-f]{16,64})S([0-9.,]*)\| ]]; then
    nonce=${BASH_REMATCH[1]} started=${BASH_REMATCH[2]}
    continue
  fi
  [[ $line =~ /proc/self/stat/\|([0-9a-f]{16,64})E([0-9]{1,3})\|([0-9.,]*)\| ]] || continue
  [[ ${BASH_REMATCH[1]} == "$nonce" ]] || continue
  status=${BASH_REMATCH[2]} ended=${BASH_REMATCH[3]} took=
  if micros "$started"; then s=$REPLY; micros "$ended" && ((REPLY >= s)) && took=$((REPLY - s)); fi
  cwd=
  cd -P "/proc/$pid/cwd" 2>/dev/null && cwd=$PWD
  kids=()
  # gVisor's /proc has no children files: there, every process whose parent is bash.
  k=()
  if [[ -e /proc/$pid/task/$pid/children ]]; then
    for t in /proc/$pid/task/*/children; do c=(); read -r -a c < "$t" 2>/dev/null; k+=("${c[@]}"); done
  else
    k=(/proc/[0-9]*); k=("${k[@]#/proc/}")
  fi
  for c in "${k[@]}"; do
    stat=; read -r stat < "/proc/$c/stat" 2>/dev/null || continue
    rest=(${stat##*) })
    [[ ${rest[1]} == "$pid" ]] || continue
    kids+=("$c:${rest[19]}")
  done
  printf '\036%s%sR' "$secret" "$nonce" >&2
  printf '\036%s%sO%s\0%s\0%s\0%s\036%s%sE' "$secret" "$nonce" "$status" "$cwd" "$took" "${kids[*]}" "$secret" "$nonce"
  nonce= started=
done
wait "$pid"; code=$?
printf '\036%sX%s\036' "$secret" "$code" >&2
printf '\036%sX%s\036' "$secret" "$code"
