#!/usr/bin/env bash
# Compare `tlbrace litmus`'s two engines on every file of the litmus maintainer's corpus
# (github.com/paulmckrcu/litmus, luc/ and manual/; GPL text: read where it lies, nothing of it
# written into the repository) and on the project's own suite: the checker (--engine check) and
# the explorer (--engine explore: each test an explorer program on the scenarios' memory API).
#
# usage: scripts/explore-corpus.sh [CORPUS.tar.xz | CORPUS_DIR] [extra litmus --compare options]
#   default: ../shared/litmus/paulmckrcu-litmus-luc-manual.tar.xz beside the checkout
#   e.g. --explore-without-dependencies (the explorer's graphs as the scenarios build them),
#        --memory-model armv8
# Prints: every file where the engines differ, classified (by design: needs load buffering /
# needs dependencies; else a BUG of the explorer or its reductions), every file the explorer
# refuses with the construct, agreement by folder and by family, refusals by construct, the
# summary line and the wall time. Exit: 1 when a BUG is found, else 0.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/corpus-dir.sh"
corpus_dir explore-corpus "${1:-}"
shift || true

list="$(mktemp)"
{ find "$dir" -name '*.litmus' | sort; ls "$here"/harness/src/test/resources/litmus/*.litmus; } > "$list"
echo "corpus: $dir and the project's suite ($(wc -l < "$list") files)"
start=$(date +%s.%N)
"$here/tlbrace" litmus --compare --time-limit 20 "$@" --files-from "$list" | sed "s|$dir/||"
rc=${PIPESTATUS[0]}
end=$(date +%s.%N)
printf 'wall time of the whole run, JVM start included: %.1f s\n' "$(echo "$end - $start" | bc)"
rm -f "$list"
exit "$rc"
