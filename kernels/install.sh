#!/usr/bin/env bash
# install.sh installs the lesson's Jupyter kernels (GoNB, one per backend).
#
# Usage: kernels/install.sh [--user | --sys-prefix | --prefix DIR] [--no-prebuild]
#
#   --user        (default) $JUPYTER_DATA_DIR/kernels, or ~/.local/share/jupyter/kernels
#   --sys-prefix  <Jupyter's python sys.prefix>/share/jupyter/kernels (e.g. /usr/share/jupyter/kernels)
#   --prefix DIR  DIR/share/jupyter/kernels
#   --no-prebuild skip compiling the lesson package for the pure-Go kernel
#
# It installs the GoNB, goimports and gopls versions pinned in go.mod (go install tool) when the
# binaries in GOBIN are missing or of another version, writes kernel.json files with absolute paths
# (with a JSON encoder, through a temporary file renamed into place),
# and pre-builds what the notebook imports so the first cell is quick. It runs scripts/compute.sh
# first: the kernels build on the patched go backend in .build/compute. Running it twice is harmless;
# kernels/uninstall.sh removes the kernels.
set -euo pipefail

die() { echo "kernels/install.sh: $*" >&2; exit 1; }

mode=user prefix="" prebuild=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --user) mode=user ;;
    --sys-prefix) mode=sys-prefix ;;
    --prefix) [[ $# -ge 2 ]] || die "--prefix needs a directory"; mode=prefix; prefix=$2; shift ;;
    --prefix=*) mode=prefix; prefix=${1#--prefix=} ;;
    --no-prebuild) prebuild=0 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1; see --help" ;;
  esac
  shift
done

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
command -v go >/dev/null || die "go is not on PATH; install Go 1.26 (https://go.dev/dl/) and run again"
# GoNB's --go_work takes a comma-separated list of directories: a comma in the path cannot be passed.
case "$project" in *,*) die "the project path $project contains a comma, which GoNB's --go_work (a comma-separated list) cannot take; move or clone the checkout to a path without one and run again" ;; esac

# The Jupyter data directory the kernels go into.
[[ $mode != prefix ]] || { [[ -n "$prefix" ]] || die "--prefix needs a directory"; mkdir -p "$prefix"; }
# shellcheck source=kernels/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
data=$(jupyter_data_dir "$mode" "$prefix")

# GoNB, goimports and gopls at the versions pinned in go.mod.
cd "$project"
gobin=$(go env GOBIN)
[[ -n "$gobin" ]] || gobin=$(go env GOPATH | cut -d: -f1)/bin
want_version() { go list -m -f '{{.Version}}' "$1"; }
have_version() { [[ -x "$gobin/$1" ]] && go version -m "$gobin/$1" 2>/dev/null | awk '$1 == "mod" {print $3; exit}'; }
need=0
for pair in gonb:github.com/janpfeifer/gonb goimports:golang.org/x/tools gopls:golang.org/x/tools/gopls; do
  bin=${pair%%:*} mod=${pair#*:}
  want=$(want_version "$mod") || die "go.mod does not pin $mod; restore go.mod's tool directives"
  have=$(have_version "$bin" || true)
  if [[ "$have" != "$want" ]]; then
    echo "$bin: ${have:-missing} in $gobin, want $want"
    need=1
  fi
done
if [[ $need == 1 ]]; then
  echo "go install tool   (GoNB, goimports and gopls as pinned in go.mod, into $gobin)"
  GOBIN=$gobin go install tool || die "go install tool failed; check the network or GOPROXY (the pinned modules come from the Go module proxy)"
fi

# The patched go backend in .build/compute, which the kernels' go.work uses (a no-op when current).
"$project/scripts/compute.sh" || die "building the patched go backend failed (see above); the kernels need $project/.build/compute"

# One kernel spec per template, with absolute paths. PATH lists directories separated by colons, so
# a colon in GOBIN or GOROOT cannot be put there.
goroot=$(go env GOROOT)
case "$gobin" in *:*) die "GOBIN $gobin contains a colon, which cannot go into the kernels' PATH; set GOBIN (go env -w GOBIN=DIR) to a directory without one and run again" ;; esac
case "$goroot" in *:*) die "GOROOT $goroot contains a colon, which cannot go into the kernels' PATH; install Go in a directory without one and run again" ;; esac
logo="$(go list -m -f '{{.Dir}}' github.com/janpfeifer/gonb)/internal/kernel/Go_gopher_favicon.svg"
python=$(jupyter_python)
for tmpl in "$project"/kernels/gonb-lesson-*/kernel.json; do
  name=$(basename "$(dirname "$tmpl")")
  dir=$data/kernels/$name
  mkdir -p "$dir" || die "cannot create $dir; pick --user, or run with the rights to write there"
  # A JSON encoder writes it (any character in the paths is escaped), to a temporary file in the
  # same directory that is checked and then renamed over kernel.json: never a half-written one.
  "$python" - "$tmpl" "$dir/kernel.json" "$gobin/gonb" "$project" "$gobin:$goroot/bin" <<'PY' || { rm -f "$dir"/.kernel.json.*.tmp; die "could not write $dir/kernel.json (see above); it was left as it was"; }
import json, os, re, sys, tempfile

tmpl, dest, gonb, project, path_dirs = sys.argv[1:6]
keys = {"argv", "display_name", "language", "interrupt_mode", "env"}
try:
    with open(tmpl, encoding="utf-8") as f:
        spec = json.load(f)
except (OSError, ValueError) as e:
    sys.exit("kernels/install.sh: template %s is not valid JSON (%s); restore it with: git checkout -- %s" % (tmpl, e, tmpl))
# Jupyter expands $NAME in env values (string.Template): a literal $ is written $$.
values = {"GONB": gonb, "PROJECT": project, "PATH": path_dirs}
def fill(v, in_env):
    if isinstance(v, str):
        return re.sub(r"@(GONB|PROJECT|PATH)@",
                      lambda m: values[m.group(1)].replace("$", "$$") if in_env else values[m.group(1)], v)
    if isinstance(v, list):
        return [fill(x, in_env) for x in v]
    if isinstance(v, dict):
        return {k: fill(x, in_env or k == "env") for k, x in v.items()}
    return v
spec = {k: fill(v, k == "env") for k, v in spec.items()}
if set(spec) != keys or not spec["argv"] or spec["argv"][0] != gonb:
    sys.exit("kernels/install.sh: template %s must have exactly the keys %s and argv starting with @GONB@; restore it with: git checkout -- %s" % (tmpl, ", ".join(sorted(keys)), tmpl))
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".kernel.json.", suffix=".tmp")
try:
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    with open(tmp, encoding="utf-8") as f:
        if json.load(f) != spec:
            raise ValueError("%s does not read back as written" % tmp)
    os.chmod(tmp, 0o644)  # mkstemp makes it 0600; Jupyter may run as another user
    os.replace(tmp, dest)
except BaseException as e:
    try:
        os.unlink(tmp)
    except OSError:
        pass
    sys.exit("kernels/install.sh: writing %s: %s" % (dest, e))
PY
  [[ -f "$logo" ]] && cp -f "$logo" "$dir/logo-svg.svg" && chmod u+w "$dir/logo-svg.svg"
  echo "installed kernel $name in $dir"
done

# Pre-build what the pure-Go kernel's cells import, with the kernel's settings, so the first cell
# only links (the Go build cache is keyed by GOEXPERIMENT and build tags).
if [[ $prebuild == 1 ]]; then
  echo "pre-building ./lesson for the pure-Go kernel (GOEXPERIMENT=simd, -tags=noxla)…"
  GOEXPERIMENT=simd GOFLAGS=-tags=noxla go build ./lesson || die "building ./lesson failed; run: GOEXPERIMENT=simd GOFLAGS=-tags=noxla go build ./lesson"
fi
echo "done: open a notebook and pick the kernel \"Go lesson (GoNB, pure Go)\" (or the XLA ones, see kernels/README.md)"
