#!/usr/bin/env bash
# scripts/lesson.sh starts Jupyter Notebook with the lesson's notebook open; `make lesson` runs it
# after scripts/setup.sh. Extra arguments go to Jupyter.
#
# Usage: scripts/lesson.sh [JUPYTER ARGUMENTS...]
#
#   LESSON_IP=ADDR     the address Jupyter listens on (default 127.0.0.1: this machine only;
#                      LESSON_IP=0.0.0.0 make lesson  serves the network, with the token)
#   LESSON_PORT=N      the port (default 8888; Jupyter takes the next free one if it is busy)
#   LESSON_NOTEBOOK=F  the notebook to open (default notebooks/03_convolution.ipynb)
#   LESSON_DRY_RUN=1   print the command instead of running it
#
# As root (containers, cloud machines) it passes --allow-root, and says so. Without a display
# ($DISPLAY, $WAYLAND_DISPLAY) or $BROWSER it passes --no-browser: open the URL with the token that
# Jupyter prints (http://127.0.0.1:8888/?token=...), e.g. through an SSH tunnel (ssh -L 8888:127.0.0.1:8888).
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$project"
say() { printf 'lesson: %s\n' "$*"; }
die() { printf 'lesson: %s\n' "$*" >&2; exit 1; }
case "${1:-}" in -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

if [[ -x /usr/bin/jupyter ]]; then jupyter=/usr/bin/jupyter
else jupyter=$(command -v jupyter) || die "jupyter is not installed: run scripts/setup.sh (make lesson does), or: sudo apt-get install -y jupyter-notebook"; fi

ip=${LESSON_IP:-127.0.0.1}
[[ -n "$ip" && "$ip" != *[[:space:]/]* ]] || die "LESSON_IP='$ip' is not an address; use e.g. LESSON_IP=127.0.0.1 (this machine) or LESSON_IP=0.0.0.0 (every interface)"
port=${LESSON_PORT:-8888}
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
  die "LESSON_PORT='$port' is not a port number (1-65535); use e.g. LESSON_PORT=8888"
fi
port=$((10#$port))
notebook=${LESSON_NOTEBOOK:-notebooks/03_convolution.ipynb}
[[ -f "$notebook" ]] || die "LESSON_NOTEBOOK: $notebook is not a file (relative paths start at $project)"

args=(notebook "$notebook" "--ip=$ip" "--port=$port")
if [[ $(id -u) == 0 ]]; then
  say "running as root: starting Jupyter with --allow-root"
  args+=(--allow-root)
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${BROWSER:-}" && "$(uname)" != Darwin ]]; then
  if [[ "$ip" == 0.0.0.0 || "$ip" == "::" ]]; then
    say "no display here: open the URL Jupyter prints below, http://THIS-MACHINE:$port/?token=..., in a browser"
  else
    say "no display here: open the URL Jupyter prints below, http://$ip:$port/?token=..., in a browser"
    [[ "$ip" != 127.0.0.1 ]] || say "(from another machine: ssh -L $port:127.0.0.1:$port THIS-MACHINE, then open that URL there)"
  fi
  args+=(--no-browser)
fi
args+=("$@")

if [[ "${LESSON_DRY_RUN:-}" == 1 ]]; then
  printf '%q' "$jupyter"
  printf ' %q' "${args[@]}"
  printf '\n'
  exit 0
fi
exec "$jupyter" "${args[@]}"
