#!/usr/bin/env bash
# uninstall.sh removes the lesson's Jupyter kernels that kernels/install.sh wrote.
#
# Usage: kernels/uninstall.sh [--user | --sys-prefix | --prefix DIR]   (same meaning as install.sh)
#
# It leaves the GoNB, goimports and gopls binaries in GOBIN (other projects may use them); remove
# them with: rm "$(go env GOPATH)"/bin/{gonb,goimports,gopls}
set -euo pipefail

die() { echo "kernels/uninstall.sh: $*" >&2; exit 1; }

mode=user prefix=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --user) mode=user ;;
    --sys-prefix) mode=sys-prefix ;;
    --prefix) [[ $# -ge 2 ]] || die "--prefix needs a directory"; mode=prefix; prefix=$2; shift ;;
    --prefix=*) mode=prefix; prefix=${1#--prefix=} ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1; see --help" ;;
  esac
  shift
done

case "$mode" in
  user)
    if [[ -n "${JUPYTER_DATA_DIR:-}" ]]; then data=$JUPYTER_DATA_DIR
    elif [[ "$(uname)" == Darwin ]]; then data=$HOME/Library/Jupyter
    else data=${XDG_DATA_HOME:-$HOME/.local/share}/jupyter; fi ;;
  sys-prefix)
    py=python3
    if jup=$(command -v jupyter 2>/dev/null); then
      shebang=$(head -n1 "$jup"); [[ "$shebang" == '#!'/* ]] && py=${shebang#\#!}
    fi
    data=$($py -c 'import sys; print(sys.prefix)')/share/jupyter ;;
  prefix) [[ -n "$prefix" ]] || die "--prefix needs a directory"; data=$prefix/share/jupyter ;;
esac

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
for tmpl in "$project"/kernels/gonb-lesson-*/kernel.json; do
  name=$(basename "$(dirname "$tmpl")")
  dir=$data/kernels/$name
  if [[ -d "$dir" ]]; then
    rm -rf "$dir" && echo "removed kernel $name from $dir"
  else
    echo "kernel $name: not installed in $data/kernels"
  fi
done
