#!/usr/bin/env bash
# scripts/test_lesson.sh checks the Jupyter command scripts/lesson.sh (make lesson) runs, without
# starting Jupyter (LESSON_DRY_RUN=1): --allow-root only as root, --ip=127.0.0.1 unless LESSON_IP
# says otherwise, --no-browser without a display, and clear errors for a bad LESSON_PORT or
# LESSON_NOTEBOOK. Run by `make test` (test-go); as root it also runs the script as nobody.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
script=$project/scripts/lesson.sh
fail() { echo "scripts/test_lesson.sh: FAIL: $*" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# lesson [ENV=VALUE...]: run lesson.sh dry, with no display unless given; the command in $cmd.
lesson() {
  env -u DISPLAY -u WAYLAND_DISPLAY -u BROWSER LESSON_DRY_RUN=1 "$@" "$script" >"$out" 2>&1 ||
    { cat "$out"; fail "lesson.sh $* failed"; }
  cmd=$(tail -1 "$out")
}
has() { [[ " $cmd " == *" $1 "* ]] || fail "$2: the command lacks $1: $cmd"; }
lacks() { [[ " $cmd " != *" $1 "* ]] || fail "$2: the command has $1: $cmd"; }

as_nobody=()
if [[ $(id -u) == 0 ]]; then
  lesson
  has --allow-root "as root"
  grep -q "running as root: starting Jupyter with --allow-root" "$out" || fail "as root: it does not say it passes --allow-root"
  echo "ok: as root: $cmd"
  if command -v runuser >/dev/null && id nobody >/dev/null 2>&1 && runuser -u nobody -- test -x "$script"; then
    as_nobody=(runuser -u nobody --)
  else
    echo "skip: as a user other than root: no runuser/nobody, or nobody cannot run $script"
  fi
else
  echo "skip: as root: this runs as uid $(id -u)"
  as_nobody=(env)
fi
if [[ ${#as_nobody[@]} -gt 0 ]]; then
  lesson "${as_nobody[@]}"
  lacks --allow-root "as $(id -un nobody 2>/dev/null || id -un)"
  echo "ok: not root: $cmd"
fi

lesson
has --ip=127.0.0.1 "by default"
has --port=8888 "by default"
has --no-browser "without a display"
has notebooks/03_convolution.ipynb "by default"
grep -q "open the URL Jupyter prints below, http://127.0.0.1:8888/?token=" "$out" || fail "without a display: it does not say which URL to open"
echo "ok: no display: $cmd"

lesson DISPLAY=:0
lacks --no-browser "with DISPLAY"
lesson WAYLAND_DISPLAY=wayland-0
lacks --no-browser "with WAYLAND_DISPLAY"
echo "ok: with a display: $cmd"

lesson LESSON_IP=0.0.0.0 LESSON_PORT=9999
has --ip=0.0.0.0 "LESSON_IP=0.0.0.0"
has --port=9999 "LESSON_PORT=9999"
echo "ok: LESSON_IP=0.0.0.0 LESSON_PORT=9999: $cmd"

for bad in LESSON_PORT=http LESSON_PORT=70000 LESSON_NOTEBOOK=missing.ipynb "LESSON_IP=a b"; do
  if env LESSON_DRY_RUN=1 "$bad" "$script" >"$out" 2>&1; then fail "$bad was accepted"; fi
  grep -q "${bad%%=*}" "$out" || { cat "$out"; fail "$bad: the error does not name ${bad%%=*}"; }
  echo "ok: $bad: $(tail -1 "$out")"
done
echo "scripts/test_lesson.sh: OK"
