#!/usr/bin/env bash
# Margins under load: RUNS consecutive `./tlbrace hunt` (ci, every test, both engines) with a
# CPU-bound busy loop on every core beside them, then, per known bug jcstress ran (not those it
# skips, nor UNREACHABLE_HERE ones: this host cannot show them, the explorer's column does), the bad samples
# per run: runs, DETECTED, min, median, max, and the samples' median. Also each run's wall time,
# exit code and the gate's last line.
#
# usage: scripts/margins.sh [RUNS [EXTRA_HUNT_ARGS...]]     (default 10 runs)
#   e.g. scripts/margins.sh 10 --race '^kvm-fault-vs-invalidate/'
# Check `uptime` first: the machine should be otherwise idle. Exit 0 if every run exited 0 and
# every known bug was DETECTED by jcstress with at least 20 bad samples in every run, else 1.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10}"
shift || true
tmp="$(mktemp -d)"
hogs=()
cleanup() {
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$here" && ./tlbrace list >/dev/null) || exit 2 # build first, without the load
for _ in $(seq 1 "$(nproc)"); do
  (while :; do :; done) &
  hogs+=($!)
done
echo "$(nproc) CPUs, $(nproc) busy loops beside; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ok=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  (cd "$here" && ./tlbrace hunt --progress log --results "$tmp/r$i" "$@" >"$tmp/out$i" 2>&1)
  code=$?
  [ "$code" -eq 0 ] || ok=1
  echo "run $i: exit $code, $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg): $(tail -n 1 "$tmp/out$i")"
  # SCENARIO VARIANT FORM known bug SAMPLES BAD JCSTRESS ...: one row per known bug jcstress graded
  awk -v run="$i" '$4 == "known" && $5 == "bug" && $8 != "SKIPPED" && $8 != "UNREACHABLE_HERE" {
      gsub(",", "", $6); gsub(",", "", $7); print $1 "/" $2 "/" $3, run, $6, $7, $8 }' "$tmp/out$i" >>"$tmp/rows"
done
echo
echo "| scenario / variant / form | runs | DETECTED by jcstress | bad samples min | median | max | samples median |"
echo "|---|---|---|---|---|---|---|"
sort -k1,1 -k4,4n "$tmp/rows" | awk '
  function flush() {
    if (n == 0) return
    printf "| %s | %d | %d | %s | %s | %s | %s |\n", t, n, det, fmt(b[1]), fmt(b[int((n + 1) / 2)]), fmt(b[n]), fmt(med(s, n))
    if (det < n || b[1] < 20) bad = 1
  }
  function fmt(x,   s, r) { s = sprintf("%d", x); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } return s r }
  function med(a, k,   i, j, x) { for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } return a[int((k + 1) / 2)] }
  $1 != t { flush(); t = $1; n = 0; det = 0 }
  { n++; s[n] = $3; b[n] = $4; if ($5 == "DETECTED") det++ }
  END { flush(); exit bad }' || ok=1
exit "$ok"
