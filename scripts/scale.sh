#!/usr/bin/env bash
# How the exhaustive lkmm search divides, on the proofs README names the slowest: for each,
# `--jobs 1` then `--jobs 2` (wall and CPU time of the JVM, executions), then `--shard I/N` for
# I = 1..N with `--jobs 1` (executions per shard, max / mean) and their `--merge`, which must
# give the executions of one run. One fresh JVM per run; a copy of the jar, so that a rebuild of
# the worktree does not change what is measured.
#
# usage: [JAR=path/to/tlbrace.jar] scripts/scale.sh [SHARDS [PROOF...]]   PROOF: scenario/variant/form
#   SHARDS (default 4); 0 skips the shard runs. Without PROOFs, the five slowest lkmm proofs.
# Measure --jobs on an otherwise idle machine: the load average is printed with each row.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shards="${1:-4}"
shift || true
proofs=("$@")
[ ${#proofs[@]} -eq 0 ] && proofs=(apic-access-reload/retry-in-progress/migrate kvm-fault-vs-invalidate/lockless-retry/migrate
  kvm-fault-vs-invalidate/lockless-retry/cow apic-access-reload/retry-in-progress/zap apic-access-reload/retry-in-progress/cow)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ -n "${JAR:-}" ]; then
  cp "$JAR" "$tmp/tlbrace.jar"
else
  (cd "$here" && ./tlbrace list >/dev/null) || exit 2 # build first
  cp "$here/stress-tests/target/tlbrace.jar" "$tmp/tlbrace.jar"
fi
jar="$tmp/tlbrace.jar"
load() { cut -d' ' -f1 /proc/loadavg; }
execs() { grep -oE '(exhaustive: |in )[0-9]+ executions' "$1" | grep -oE '[0-9]+' | head -1; }
echo "$(nproc) CPUs, commit $(git -C "$here" rev-parse --short HEAD)"
echo "| proof | --jobs 1: wall / cpu | --jobs 2: wall / cpu | speedup | executions | load |"
echo "|---|---|---|---|---|---|"
for p in "${proofs[@]}"; do
  IFS=/ read -r s v f <<<"$p"
  row="| $s / $v / $f"
  l0=$(load)
  for j in 1 2; do
    /usr/bin/time -f '%e %U %S' -o "$tmp/t$j" java -jar "$jar" explore "$s" --variant "$v" --form "$f" \
      --memory-model lkmm --jobs "$j" >"$tmp/o$j" 2>&1
    read -r w u k <"$tmp/t$j"
    eval "w$j=$w; c$j=$(awk -v u="$u" -v k="$k" 'BEGIN { print u + k }')"
  done
  e1=$(execs "$tmp/o1"); e2=$(execs "$tmp/o2")
  [ "$e1" = "$e2" ] || echo "scale.sh: $p: --jobs 1 ran ${e1:-?} executions, --jobs 2 ${e2:-?}" >&2
  printf '%s | %s s / %s s | %s s / %s s | %sx | %s | %s-%s |\n' "$row" "$w1" "$c1" "$w2" "$c2" \
    "$(awk -v a="$w1" -v b="$w2" 'BEGIN { printf "%.2f", a / b }')" "${e1:-?}" "$l0" "$(load)"
done
[ "$shards" -gt 0 ] || exit 0
echo
echo "| proof | executions per shard (--shard I/$shards, --jobs 1) | max / mean | merged | one run |"
echo "|---|---|---|---|---|"
for p in "${proofs[@]}"; do
  IFS=/ read -r s v f <<<"$p"
  per=()
  for i in $(seq 1 "$shards"); do
    java -jar "$jar" explore "$s" --variant "$v" --form "$f" --memory-model lkmm --jobs 1 \
      --shard "$i/$shards" --out "$tmp/part$i.json" >"$tmp/s$i" 2>&1
    per+=("$(grep -oE '[0-9]+ executions' "$tmp/s$i" | head -1 | grep -oE '[0-9]+')")
  done
  java -jar "$jar" explore "$s" --variant "$v" --form "$f" --memory-model lkmm \
    --merge "$tmp"/part*.json >"$tmp/m" 2>&1
  one=$(java -jar "$jar" explore "$s" --variant "$v" --form "$f" --memory-model lkmm --jobs 2 2>&1 | grep -oE '(exhaustive: )[0-9]+' | grep -oE '[0-9]+')
  printf '| %s | %s | %s | %s | %s |\n' "$p" "$(IFS=' / '; echo "${per[*]}")" \
    "$(printf '%s\n' "${per[@]}" | awk '{ t += $1; if ($1 > m) m = $1 } END { printf "%.2f", m / (t / NR) }')" \
    "$(execs "$tmp/m")" "${one:-?}"
  rm -f "$tmp"/part*.json
done
