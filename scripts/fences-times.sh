#!/usr/bin/env bash
# Wall time of `fences` per race and form, one method or both, one fresh JVM each: the table in
# NOTES/README "Which barriers each fix needs". Prints load beside every figure (the machine is
# shared). A run past LIMIT seconds is killed and shown as "> LIMIT s".
#
# usage: [JAR=path/to/tlbrace.jar] [LIMIT=600] [METHODS="one-pass per-point"] [FORMS=base|all] \
#        scripts/fences-times.sh [RACE...]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${JAR:-$here/stress-tests/target/tlbrace.jar}"
limit="${LIMIT:-600}"
methods="${METHODS:-one-pass per-point}"
forms="${FORMS:-base}"
races=("$@")
if [ ${#races[@]} -eq 0 ]; then
  mapfile -t races < <(java -jar "$jar" list | awk '/^[a-z-]+: /{ s = $1; sub(":", "", s); print s }')
fi
echo "| race / form | method | exit | wall | rows (needed) | load before |"
echo "|---|---|---|---|---|---|"
for s in "${races[@]}"; do
  if [ "$forms" = all ]; then
    mapfile -t fs < <(java -jar "$jar" list | awk -v s="$s" '/^[a-z-]+: /{ c = $1; sub(":", "", c) } c == s && /^  form /{ print $2 }' | grep -v two-vcpu)
  else
    fs=("")
  fi
  for f in "${fs[@]}"; do
    for m in $methods; do
      load="$(cut -d' ' -f1-3 /proc/loadavg)"
      t0=$(date +%s.%N)
      out="$(timeout "$limit" java -jar "$jar" fences "$s" ${f:+--form "$f"} --method "$m" --jobs 2 2>&1)"
      code=$?
      t1=$(date +%s.%N)
      wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }')
      [ $code -eq 124 ] && wall="> $limit s"
      rows=$(printf '%s\n' "$out" | grep -cE '(NEEDED|not needed|UNKNOWN)')
      needed=$(printf '%s\n' "$out" | grep -cE 'NEEDED: ')
      echo "| $s${f:+ / $f} | $m | $code | $wall | $rows ($needed) | $load |"
    done
  done
done
