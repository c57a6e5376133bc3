#!/usr/bin/env bash
# Time `./tlbrace hunt` (ci, every test) before and after: the commit BEFORE (default 75dc224, the
# last before one JVM per test and the explorer in the gate) built from `git archive` in a
# temporary directory, then this checkout. Both with a warm Maven cache (mvn -o); the builds are
# not timed. Prints one row per tree: wall time, exit code, the gate's last line, JVMs jcstress
# started, lines of hunt output before the verdict table, and the load average before and after.
#
# usage: scripts/hunt-timing.sh [BEFORE_COMMIT [RUNS]]
#   RUNS (default 1) hunts of each tree, alternating before/after.
# Measure on an otherwise idle machine: check `uptime` first; the load is printed with each row.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="${1:-75dc224}"
runs="${2:-1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/before"
git -C "$here" archive "$before" | tar -x -C "$tmp/before"
for tree in "$tmp/before" "$here"; do
  if ! (cd "$tree" && mvn -o -B -q -DskipTests -pl stress-tests -am package >"$tmp/build.log" 2>&1); then
    echo "hunt-timing: build of $tree failed; see $tmp/build.log" >&2
    cp "$tmp/build.log" "${TMPDIR:-/tmp}/hunt-timing-build.log"
    exit 2
  fi
done

echo "$(nproc) CPUs; $(java -version 2>&1 | head -1)"
printf '| tree | commit | wall | exit | gate | JVMs | lines before the table | load before | load after |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
row() { # name dir commit
  local name="$1" dir="$2" commit="$3" out="$tmp/$1.out" res="$tmp/$1-results"
  local load0 load1 start end code
  rm -rf "$res"
  load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  (cd "$dir" && ./tlbrace hunt --results "$res" >"$out" 2>&1)
  code=$?
  end=$(date +%s.%N)
  load1="$(cut -d' ' -f1-3 /proc/loadavg)"
  local jvms lines gate
  # each jcstress invocation (its banner) plans N test runs, one JVM each: sum them
  jvms=$(awk '/^Java Concurrency Stress Tests/ { total += n; n = 0 }
              match($0, /Results: [0-9]+ planned/) { n = substr($0, RSTART + 9, RLENGTH - 17) + 0 }
              END { print total + n }' "$res/jcstress.log" 2>/dev/null)
  lines=$(awk '/^SCENARIO /{print NR-1; exit}' "$out")
  gate=$(tail -n 1 "$out")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$commit" \
    "$(awk -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "%d:%02d", t / 60, t % 60 }')" \
    "$code" "$gate" "${jvms:-0}" "${lines:-?}" "$load0" "$load1"
  cp "$out" "${TMPDIR:-/tmp}/hunt-timing-$name.out"
}
after="$(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- harness stress-tests model || echo '+')"
for i in $(seq 1 "$runs"); do
  row before "$tmp/before" "$before"
  row after "$here" "$after"
done
