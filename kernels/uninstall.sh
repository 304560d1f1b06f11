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
py=$(jupyter_python)
for tmpl in "$project"/kernels/gonb-lesson-*/kernel.json; do
  name=$(basename "$(dirname "$tmpl")")
  dir=$data/kernels/$name
  if [[ ! -e "$dir" ]]; then
    echo "kernel $name: not installed in $data/kernels"
    continue
  fi
  # Remove only what install.sh writes: a directory holding kernel.json (with
  # this template's display name) and its logo, nothing else.
  others=$(find "$dir" -mindepth 1 -not -name kernel.json -not -name logo-svg.svg -print -quit 2>/dev/null || echo "$dir")
  want=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["display_name"])' "$tmpl")
  have=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("display_name", ""))' "$dir/kernel.json" 2>/dev/null || true)
  if [[ ! -d "$dir" || -L "$dir" || -n "$others" || "$have" != "$want" ]]; then
    echo "kernels/uninstall.sh: $dir is not a kernel that kernels/install.sh wrote (other files, or another display name than \"$want\"); left as it is: remove it yourself if it is yours to remove" >&2
    status=1
    continue
  fi
  rm -f "$dir/kernel.json" "$dir/logo-svg.svg" && rmdir "$dir" && echo "removed kernel $name from $dir"
done
exit "${status:-0}"
