#!/usr/bin/env bash
# Every race's fixed variants and known bugs on every 2-actor form, explored under one memory
# model (lkmm by default; MODEL=armv8 for arm64): the tables in README "Every fix proved under
# `lkmm`" and "... under `armv8`". One fresh JVM per row (JIT warm-up included), --jobs JOBS
# (default 2). Prints a markdown row per scenario x variant x form: verdict, executions,
# blocked, pruned, wall time as the explorer reports it, and exit code.
#
# usage: [MODEL=lkmm|armv8|sc|tso] [JAR=path/to/tlbrace.jar] scripts/lkmm-proofs.sh [JOBS [MAX_EXECUTIONS]]
# JAR: measure a copy of the jar (so that a rebuild of the worktree does not change it mid-run).
# No MAX_EXECUTIONS: no limit, every proof runs to the end.
# Measure on an otherwise idle machine: check `uptime` first.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${1:-2}"
max="${2:-}"
model="${MODEL:-lkmm}"
if [ -n "${JAR:-}" ]; then
  jar="$JAR"
else
  (cd "$here" && ./tlbrace list >/dev/null) || exit 2 # build first
  jar="$here/stress-tests/target/tlbrace.jar"
fi
java -jar "$jar" explore publish-canary --variant wmb-rmb --memory-model "$model" >/dev/null 2>&1
[ $? -eq 2 ] && { echo "lkmm-proofs.sh: unknown memory model '$model'" >&2; exit 2; }
echo "--memory-model $model, $(nproc) CPUs, --jobs $jobs, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$here" rev-parse --short HEAD)"
echo "| scenario / variant / form | expect | verdict | executions | blocked | pruned | time | exit |"
echo "|---|---|---|---|---|---|---|---|"
worst=0
java -jar "$jar" list | awk '/^[a-z-]+: /{ s = $1; sub(":", "", s) } /^  form /{ print s, $2 }' >"${TMPDIR:-/tmp}/lkmm-forms.$$"
java -jar "$jar" list | awk 'NR > 1 && NF >= 4 && $3 ~ /^(known|fixed)$/ { print $1, $2, $3 }' | while read -r s v e; do
  grep "^$s " "${TMPDIR:-/tmp}/lkmm-forms.$$" | while read -r _ f; do
    [ "$f" = two-vcpu ] && continue # three actors: not on 2 CPUs
    out="$(java -jar "$jar" explore "$s" --variant "$v" --form "$f" --memory-model "$model" --jobs "$jobs" \
        ${max:+--max-executions "$max"} 2>&1)"
    code=$?
    line="$(printf '%s\n' "$out" | grep -E '^(exhaustive|counterexample|NOT exhaustive)' | head -1)"
    verdict=$(printf '%s' "$line" | awk '{ print $1 }' | tr -d ':')
    execs=$(printf '%s' "$line" | grep -oE '[0-9]+ executions|after [0-9]+ schedules' | grep -oE '[0-9]+' | head -1)
    blocked=$(printf '%s' "$line" | grep -oE '[0-9]+ blocked' | grep -oE '[0-9]+')
    pruned=$(printf '%s' "$line" | grep -oE '[0-9]+ pruned' | grep -oE '[0-9]+')
    ms=$(printf '%s' "$line" | grep -oE '[0-9]+ ms' | tail -1 | grep -oE '[0-9]+')
    printf '| %s / %s / %s | %s | %s | %s | %s | %s | %s s | %s |\n' "$s" "$v" "$f" "$e" "${verdict:-?}" \
      "${execs:-?}" "${blocked:-0}" "${pruned:-0}" "$(awk -v m="${ms:-0}" 'BEGIN { printf "%.2f", m / 1000 }')" "$code"
  done
done
rm -f "${TMPDIR:-/tmp}/lkmm-forms.$$"
