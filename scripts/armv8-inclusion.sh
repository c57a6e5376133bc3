#!/usr/bin/env bash
# armv8 inside lkmm: for every litmus file of the maintainer's corpus and of the project's own
# suite, the final states arm64 hardware may reach (--memory-model armv8) must be among those the
# Linux-kernel memory model allows, wherever lkmm finds no data race. Prints each file where that
# fails, the counts, and how often armv8 says Never where lkmm says Sometimes. The corpus is GPL
# text: this script reads it from a temporary directory and writes nothing of it into the repository.
#
# usage: scripts/armv8-inclusion.sh [CORPUS.tar.xz | CORPUS_DIR] [--timeout SECONDS]
#   default: ../shared/litmus/paulmckrcu-litmus-luc-manual.tar.xz beside the checkout
# Exit: 0 inclusion holds everywhere, 1 it fails somewhere, 2 no corpus or build failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/corpus-dir.sh"
corpus_dir armv8-inclusion "${1:-}"
shift || true
# the jar (for the dependencies) and the test classes (for the measuring main)
if ! (cd "$here" && mvn -B -q -o -DskipTests -pl stress-tests -am package >/dev/null 2>&1 \
      && mvn -B -q -o -pl harness test-compile >/dev/null 2>&1); then
  echo "armv8-inclusion: build failed" >&2
  exit 2
fi
cp="$here/harness/target/test-classes:$here/stress-tests/target/tlbrace.jar"
java -cp "$cp" dev.tlbrace.harness.graph.Armv8Inclusion "$@" "$dir" "$here/harness/src/test/resources/litmus" \
  | sed -u "s|$dir/||"
exit "${PIPESTATUS[0]}"
