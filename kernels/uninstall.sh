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

[[ $mode != prefix || -n "$prefix" ]] || die "--prefix needs a directory"
# shellcheck source=kernels/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
data=$(jupyter_data_dir "$mode" "$prefix")

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
