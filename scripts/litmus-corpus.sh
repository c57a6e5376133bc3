#!/usr/bin/env bash
# Measure `tlbrace litmus` against herd7's recorded results on the litmus maintainer's corpus
# (github.com/paulmckrcu/litmus, luc/ and manual/). The corpus is GPL text: this script reads
# it from where it lies and writes nothing of it into the repository.
#
# usage: scripts/litmus-corpus.sh [CORPUS.tar.xz | CORPUS_DIR]
#   default: ../shared/litmus/paulmckrcu-litmus-luc-manual.tar.xz beside the checkout
# Prints: every disagreement and error, agreement by folder and by family, the summary line,
# the files whose own comment says their Result is not what herd7 with LKMM answers, and the
# lock-heavy manual/absperf tests with their times. Exit: tlbrace litmus's exit code.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/corpus-dir.sh"
corpus_dir litmus-corpus "${1:-}"

list="$(mktemp)"
grep -rlZ --include='*.litmus' 'Result:' "$dir" | xargs -0 -n1 echo | sort > "$list"
echo "corpus: $dir ($(wc -l < "$list") Result-bearing files)"

start=$(date +%s.%N)
out="$(mktemp)"
"$here/tlbrace" litmus --no-witness --table --paths --files-from "$list" > "$out" 2>&1
rc=$?
end=$(date +%s.%N)
grep -E 'DISAGREE|^[^ ]+\.litmus:' "$out" | sed "s|$dir/||"
sed -n '/^folder /,$p' "$out"
printf 'wall time of the whole run, JVM start included: %.1f s\n' "$(echo "$end - $start" | bc)"

echo
echo "Of the disagreements and errors, the files whose own comment says their Result is not what"
echo "herd7 answers with LKMM (a proposed model, a Java causality decision that needs compiler"
echo "analysis, or membarrier's smp_memb(), which linux-kernel.def lacks):"
grep -E 'DISAGREE|\.litmus:[0-9]+:' "$out" | grep -oE "^[^ :]+\.litmus" | while read -r f; do
  grep -qE 'But (LKMM|Sometimes in LKMM)|requires modeling the compiler|^ \* Decision:|smp_memb\(' "$f" \
    && echo "  ${f#$dir/}"
done

echo
echo "manual/absperf (no Result comment; LKMM's answer for SB under one lock is Never):"
"$here/tlbrace" litmus --no-witness "$dir"/manual/absperf/*.litmus | sed "s|$dir/||"
rm -f "$list" "$out"
exit $rc
