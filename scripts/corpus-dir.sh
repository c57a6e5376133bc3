# Sourced by the corpus scripts (after setting $here to the checkout): corpus_dir NAME [SRC] sets
# $dir to the litmus corpus at SRC (a folder, or a .tar.xz unpacked into a temporary folder removed
# on exit; default: ../shared/litmus/paulmckrcu-litmus-luc-manual.tar.xz beside the checkout);
# exits 2 when there is none.
corpus_dir() {
  local src="${2:-$here/../shared/litmus/paulmckrcu-litmus-luc-manual.tar.xz}"
  if [ -d "$src" ]; then
    dir="$src"
  elif [ -f "$src" ]; then
    dir="$(mktemp -d)"
    trap 'rm -rf "$dir"' EXIT
    tar -xJf "$src" -C "$dir"
  else
    echo "$1: no corpus at $src" >&2
    exit 2
  fi
}
