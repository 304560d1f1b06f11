#!/usr/bin/env bash
# scripts/setup.sh prepares a Debian or Ubuntu machine with Go 1.26 for the lesson. It is what
# `make lesson` and `make test` run first, and running it twice is harmless.
#
# Usage: scripts/setup.sh [--test]
#
#   --test   also install what the tests need beyond the lesson (jupyter_kernel_test; chromium,
#            its emoji font and Node.js with npm for the browser test)
#
# It installs, when missing: Jupyter Notebook, nbconvert and ipykernel from the distribution
# (as root, or through passwordless sudo; otherwise it prints the exact command to run), the
# Fashion-MNIST files (Debian's dataset-fashion-mnist, else a verified download into the user
# cache), the patched go backend (scripts/compute.sh: the pinned github.com/gomlx/compute with
# third_party/compute/*.patch applied, in .build/compute, used through a generated go.work), the
# GoNB, goimports and gopls versions pinned in go.mod, the lesson's Jupyter kernels
# (kernels/install.sh --user), and it pre-builds what the notebook and cmd/lesson03 import.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$project"
say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $arg; see --help" ;;
  esac
done

# Go 1.26 or newer, with the toolchain go.mod asks for.
command -v go >/dev/null || die "Go is not installed: install Go 1.26 or newer (https://go.dev/dl/), put it on PATH, and run again"
gover=$(go env GOVERSION)
case "$gover" in
  go1.2[6-9]*|go1.[3-9][0-9]*|go[2-9]*) ;;
  *) die "Go $gover is too old: the lesson needs Go 1.26 or newer (https://go.dev/dl/)" ;;
esac
export GOEXPERIMENT=simd # the go backend's AVX2 matmul is only compiled with it

# Distribution packages.
pkgs=(jupyter-notebook jupyter-nbconvert python3-ipykernel dataset-fashion-mnist)
if [[ $with_test == 1 ]]; then
  pkgs+=(python3-jupyter-kernel-test chromium fonts-noto-color-emoji)
  # Node.js and npm for notebooks/browser; another install of them (NodeSource's node bundles npm,
  # and conflicts with Debian's npm package) is kept.
  command -v npm >/dev/null || pkgs+=(nodejs npm)
fi
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  as_root=()
  if [[ $(id -u) != 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo); else as_root=(none); fi
  fi
  if [[ ${as_root[0]:-} == none ]]; then
    say "missing distribution packages: ${missing[*]}"
    say "run:  sudo apt-get install -y ${missing[*]}   (then run this again)"
    for p in "${missing[@]}"; do
      [[ $p == dataset-fashion-mnist ]] || die "cannot continue without ${missing[*]}"
    done
  else
    say "installing ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
  fi
fi
if [[ $with_test == 1 ]]; then
  nodever=$(node --version 2>/dev/null || true)
  case "$nodever" in
    v1[89].*|v[2-9][0-9].*) ;;
    *) die "Node.js ${nodever:-is missing}: the browser test (notebooks/browser) needs Node.js 18 or newer with npm: sudo apt-get install -y nodejs npm" ;;
  esac
fi
[[ -x /usr/bin/jupyter ]] || command -v jupyter >/dev/null ||
  die "jupyter is not installed: sudo apt-get install -y jupyter-notebook jupyter-nbconvert python3-ipykernel"

# The patched go backend, before anything is built.
scripts/compute.sh

# Fashion-MNIST: Debian's package, $LESSON_DATA_DIR, or a verified download into the user cache.
if [[ -n "${LESSON_DATA_DIR:-}" ]]; then
  say "data: LESSON_DATA_DIR=$LESSON_DATA_DIR"
elif compgen -G '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte*' >/dev/null; then
  say "data: /usr/share/datasets/fashion-mnist (dataset-fashion-mnist)"
else
  say "data: downloading Fashion-MNIST into the user cache"
  go run -tags noxla ./cmd/lesson03 download
fi

# GoNB, goimports, gopls and the kernels; kernels/install.sh also pre-builds the lesson package
# the way the notebook's pure-Go kernel compiles it.
kernels/install.sh --user
say "pre-building cmd/lesson03 and the benchmark"
go build -o /dev/null ./cmd/lesson03
go build -tags noxla ./...

say "ready. Start the lesson with:  scripts/lesson.sh   (make lesson does; LESSON_IP=0.0.0.0 to serve the network)"
say "the notebook's kernel picks the backend: 'Go lesson (GoNB, pure Go)' works everywhere;"
say "the XLA kernels need a PJRT plugin (see README.md, 'Backends')."
