# Shared by the benchmark scripts (sourced, not run): the binary check and the work folder.

# Exits unless build/joulesim exists; $1 names the calling script in the message.
require_joulesim() {
  bin=build/joulesim
  if [[ ! -x $bin ]]; then
    echo "$1: $bin not found; build first (scripts/build.sh)" >&2
    exit 1
  fi
}

# Sets $dir: the folder given in $1 (kept), or a temporary one removed on exit.
make_work_dir() {
  if [[ -n $1 ]]; then
    dir=$1
    mkdir -p "$dir"
  else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
  fi
}
