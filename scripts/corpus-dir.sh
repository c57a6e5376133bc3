# Sourced by the corpus scripts: corpus_dir NAME SRC sets $dir to the litmus corpus at SRC (a
# folder, or a .tar.xz unpacked into a temporary folder removed on exit); exits 2 when there is none.
corpus_dir() {
  if [ -d "$2" ]; then
    dir="$2"
  elif [ -f "$2" ]; then
    dir="$(mktemp -d)"
    trap 'rm -rf "$dir"' EXIT
    tar -xJf "$2" -C "$dir"
  else
    echo "$1: no corpus at $2" >&2
    exit 2
  fi
}
