#!/usr/bin/env bash
# kernels/test_install.sh: checks that kernels/install.sh writes valid kernel.json files whatever
# characters GOBIN holds, refuses what cannot work with a clear message, and leaves no temporary
# file behind when it fails. Run by `make test` (test-go); quick: it reuses the installed GoNB,
# goimports and gopls (symbolic links in a temporary GOBIN) and skips the pre-build.
#
# Usage: kernels/test_install.sh   (needs the binaries kernels/install.sh --user installs)
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
fail() { echo "kernels/test_install.sh: FAIL: $*" >&2; exit 1; }
# shellcheck source=kernels/lib.sh
source "$project/kernels/lib.sh"
python=$(jupyter_python)

real_bin=$(go env GOBIN)
[[ -n "$real_bin" ]] || real_bin=$(go env GOPATH | cut -d: -f1)/bin
for b in gonb goimports gopls; do
  [[ -x "$real_bin/$b" ]] || fail "$real_bin/$b is missing; run kernels/install.sh --user first (make setup-test does)"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# install DATA GOBIN: run install.sh into DATA with GOBIN; its output goes to $tmp/out.
install() {
  JUPYTER_DATA_DIR=$1 GOBIN=$2 "$project/kernels/install.sh" --user --no-prebuild >"$tmp/out" 2>&1
}
# no_tmp DIR: no temporary kernel.json is left under DIR.
no_tmp() {
  local left
  left=$(find "$1" -name '*.tmp' -print)
  [[ -z "$left" ]] || fail "temporary files left behind: $left"
}

# 1. A GOBIN with &, ", |, $, \ and spaces: every kernel.json parses and says exactly that path.
gobin="$tmp/bin & \"quoted\" | \$HOME \\ x"
mkdir -p "$gobin"
for b in gonb goimports gopls; do ln -s "$real_bin/$b" "$gobin/$b"; done
install "$tmp/data" "$gobin" || { cat "$tmp/out"; fail "install.sh failed with GOBIN=$gobin"; }
"$python" - "$tmp/data/kernels" "$gobin" "$project" "$(go env GOROOT)" <<'PY' || fail "the kernel.json files above are wrong"
import glob, json, os, string, sys

kernels, gobin, project, goroot = sys.argv[1:5]
files = sorted(glob.glob(os.path.join(kernels, "gonb-lesson-*", "kernel.json")))
templates = glob.glob(os.path.join(project, "kernels", "gonb-lesson-*", "kernel.json"))
if len(files) != len(templates) or not files:
    sys.exit("%d kernel.json files in %s, want %d" % (len(files), kernels, len(templates)))
for path in files:
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    keys = sorted(spec)
    if keys != sorted(["argv", "display_name", "language", "interrupt_mode", "env"]):
        sys.exit("%s: keys %s" % (path, keys))
    argv = spec["argv"]
    if argv[0] != os.path.join(gobin, "gonb"):
        sys.exit("%s: argv[0] is %r, want %r" % (path, argv[0], os.path.join(gobin, "gonb")))
    want = "--go_work=%s,%s/.build/compute" % (project, project)
    if want not in argv:
        sys.exit("%s: argv %r lacks %r" % (path, argv, want))
    # Jupyter expands $NAME in env values; what the kernel gets must start with GOBIN.
    got = string.Template(spec["env"]["PATH"]).safe_substitute({"PATH": "/usr/bin", "HOME": "/nowhere"})
    if got != "%s:%s/bin:/usr/bin" % (gobin, goroot):
        sys.exit("%s: PATH expands to %r" % (path, got))
    # The Chinese edition's kernel (…-zh) sets LESSON_LANG=zh; the others leave it to the default.
    name = os.path.basename(os.path.dirname(path))
    want_lang = "zh" if name.endswith("-zh") else None
    if spec["env"].get("LESSON_LANG") != want_lang:
        sys.exit("%s: LESSON_LANG is %r, want %r" % (path, spec["env"].get("LESSON_LANG"), want_lang))
    print("ok:", path)
PY
no_tmp "$tmp/data"

# 2. A failure while writing (kernel.json is a directory someone made) exits non-zero, names the
#    file, leaves no temporary file and does not touch what was there.
mkdir -p "$tmp/data2/kernels/gonb-lesson-go/kernel.json"
echo mine >"$tmp/data2/kernels/gonb-lesson-go/kernel.json/keep"
if install "$tmp/data2" "$gobin"; then cat "$tmp/out"; fail "install.sh succeeded although kernel.json is a directory"; fi
grep -q "gonb-lesson-go/kernel.json" "$tmp/out" || { cat "$tmp/out"; fail "the error does not name the kernel.json it could not write"; }
[[ "$(cat "$tmp/data2/kernels/gonb-lesson-go/kernel.json/keep")" == mine ]] || fail "install.sh changed a directory it did not make"
no_tmp "$tmp/data2"
echo "ok: a failed write exits non-zero and leaves no .tmp: $(tail -1 "$tmp/out")"

# 3. What cannot work is refused before anything is written: a colon in GOBIN (PATH) ...
mkdir -p "$tmp/colon:bin"
if install "$tmp/data3" "$tmp/colon:bin"; then fail "install.sh accepted a GOBIN with a colon"; fi
grep -q "GOBIN .* contains a colon" "$tmp/out" || { cat "$tmp/out"; fail "no clear message for a colon in GOBIN"; }
[[ ! -e "$tmp/data3/kernels" ]] || fail "install.sh wrote kernels although it refused GOBIN"
echo "ok: $(tail -1 "$tmp/out")"

# ... and a comma in the project path (GoNB's --go_work is a comma-separated list).
mkdir -p "$tmp/a,b/kernels"
cp "$project/kernels/install.sh" "$project/kernels/lib.sh" "$tmp/a,b/kernels/"
if JUPYTER_DATA_DIR="$tmp/data4" "$tmp/a,b/kernels/install.sh" --user --no-prebuild >"$tmp/out" 2>&1; then
  fail "install.sh accepted a project path with a comma"
fi
grep -q "contains a comma.*--go_work" "$tmp/out" || { cat "$tmp/out"; fail "no clear message for a comma in the project path"; }
[[ ! -e "$tmp/data4" ]] || fail "install.sh wrote kernels although it refused the project path"
echo "ok: $(tail -1 "$tmp/out")"
# 4. uninstall.sh removes the kernels install.sh wrote, and leaves a kernel directory that holds
#    something else (a file of the user's) as it is, with a non-zero exit and a message.
echo mine >"$tmp/data/kernels/gonb-lesson-xla-cpu/notes.txt"
if JUPYTER_DATA_DIR="$tmp/data" "$project/kernels/uninstall.sh" --user >"$tmp/out" 2>&1; then
  cat "$tmp/out"; fail "uninstall.sh succeeded although a kernel directory holds a file it did not write"
fi
grep -q "gonb-lesson-xla-cpu is not a kernel that kernels/install.sh wrote" "$tmp/out" || { cat "$tmp/out"; fail "no clear message for a kernel directory that is not ours"; }
[[ "$(cat "$tmp/data/kernels/gonb-lesson-xla-cpu/notes.txt")" == mine && -f "$tmp/data/kernels/gonb-lesson-xla-cpu/kernel.json" ]] ||
  fail "uninstall.sh changed a kernel directory that holds the user's file"
[[ ! -e "$tmp/data/kernels/gonb-lesson-go" && ! -e "$tmp/data/kernels/gonb-lesson-go-zh" && ! -e "$tmp/data/kernels/gonb-lesson-xla-cuda" ]] ||
  fail "uninstall.sh left the kernels install.sh wrote"
echo "ok: uninstall.sh removed ours and kept the directory with notes.txt"
echo "kernels/test_install.sh: OK"
