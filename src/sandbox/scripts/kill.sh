# forager's kill script, for sandboxes without the tool process (tool-server.pl `kill` does
# the same). Builtins only: it forks nothing, so a fork bomb holding every PID cannot stop it
# once it runs. argv: mode shell spare…
#   command  the trees of the shell's children not in spare (`pid:starttime`)
#   shell    the shell and everything under it
#   all      every process but PID 1, this one and spare (`pid`)
# Prints: killed NUL confirmed NUL state NUL cputicks NUL syscall wchan=…, then a done line.
mode=$1 shell=$2
shift 2
declare -A keep=([1]=1 [$$]=1)
victims=()
# A PID's children: the kernel's /proc/PID/task/TID/children files where they exist, else
# (gVisor's /proc has none) every process whose parent (stat field 4) it is.
kids() {
  local t k s line rest
  REPLY=()
  if [[ -e /proc/$1/task/$1/children ]]; then
    for t in /proc/$1/task/*/children; do k=(); read -r -a k < "$t" 2>/dev/null; REPLY+=("${k[@]}"); done
    return
  fi
  for s in /proc/[0-9]*/stat; do
    line=; read -r line < "$s" 2>/dev/null || continue
    rest=(${line##*) })
    [[ ${rest[1]} == "$1" ]] && t=${s#/proc/} && REPLY+=("${t%/stat}")
  done
}
field() {
  local s=
  read -r s < "/proc/$1/stat" 2>/dev/null || return 1
  s=(${s##*) })
  REPLY=${s[$2]}
}
# Look until a process is stopped, a zombie or gone (a stop is delivered, not done, when kill
# returns: a process inside fork may still give birth). No sleep: it would need a fork. At
# most 5000 looks in all, so processes that never show stopped cannot hold the kill.
looks=0
stopped() {
  while ((looks < 5000)); do
    field "$1" 0 && [[ $REPLY != [TtZX] ]] || return 0
    ((looks++))
  done
}
# Stop a tree root first (nothing stopped can fork again), collecting its PIDs.
tree() {
  local todo=("$1") p
  while ((${#todo[@]})); do
    p=${todo[0]}; todo=("${todo[@]:1}")
    [[ -n ${keep[$p]} ]] && continue
    keep[$p]=1
    kill -STOP "$p" 2>/dev/null
    stopped "$p"
    victims+=("$p")
    kids "$p"; todo+=("${REPLY[@]}")
  done
}
case $mode in
  all)
    for p in "$@"; do keep[$p]=1; done
    # Until a listing finds nothing new (see tool-server.pl): a bomb refills freed PIDs between listings.
    for ((round = 1; round <= 200; round++)); do
      now=()
      for p in /proc/[0-9]*; do p=${p#/proc/}; [[ -z ${keep[$p]} ]] && now+=("$p"); done
      ((${#now[@]})) || break
      for p in "${now[@]}"; do keep[$p]=1; kill -STOP "$p" 2>/dev/null; victims+=("$p"); done
      for p in "${now[@]}"; do stopped "$p"; done
    done ;;
  shell)
    field "$shell" 0 && tree "$shell" ;;
  *)
    declare -A spare=()
    for s in "$@"; do spare[$s]=1; done
    kids "$shell"
    for c in "${REPLY[@]}"; do
      field "$c" 19 || continue
      [[ -n ${spare[$c:$REPLY]} ]] && continue
      tree "$c"
    done ;;
esac
((${#victims[@]})) && kill -KILL "${victims[@]}" 2>/dev/null
# Confirmed: every victim gone or a zombie its parent reaps.
exec {pause}<> <(:) 2>/dev/null
confirmed=0
for round in {1..5000}; do
  alive=()
  for p in "${victims[@]}"; do field "$p" 0 && [[ $REPLY != [ZX] ]] && alive+=("$p"); done
  ((${#alive[@]})) || { confirmed=1; break; }
  kill -KILL "${alive[@]}" 2>/dev/null
  read -r -t 0.001 -u "${pause:-0}" 2>/dev/null
done
state= cpu= sys= w=
if [[ $mode == command ]] && field "$shell" 0; then
  state=$REPLY
  field "$shell" 11; cpu=$REPLY
  field "$shell" 12; cpu=$((cpu + REPLY))
  read -r sys < "/proc/$shell/syscall" 2>/dev/null
  read -r w < "/proc/$shell/wchan" 2>/dev/null
  sys+=" wchan=$w"
fi
printf '%s\0%s\0%s\0%s\0%s\nforager-killer-done' "${#victims[@]}" "$confirmed" "$state" "$cpu" "$sys"
