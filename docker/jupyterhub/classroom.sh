#!/bin/bash
# classroom.sh: exercise JupyterHub with a class of students inside the lab
# image, on one machine without Docker. Run as root in the image:
#
#	docker run --rm --user root convolutions-lab /opt/lesson/docker/jupyterhub/classroom.sh 3
#
# It adds STUDENTS users (all uid 1000, like one container each), starts
# Debian's JupyterHub 3.0 with local_config.py, runs classroom.py (every
# student runs the notebook at once through the hub's proxy), prints the
# numbers, and stops the hub. Usage: classroom.sh [STUDENTS [CELLS]] (CELLS:
# code cells to run, 0 = all). LESSON_EPOCHS / LESSON_TRAIN_SIZE size the
# training (default 1 / 2000).
set -euo pipefail
students=${1:-2}
cells=${2:-0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" = 0 ] || { echo "classroom.sh: run as root (docker run --user root ...)" >&2; exit 1; }

for i in $(seq "$students"); do
    id "student$i" >/dev/null 2>&1 ||
        useradd --non-unique --uid 1000 --gid 100 --create-home --home-dir "/home/student$i" \
            --shell /bin/bash "student$i"
done
export LESSON_EPOCHS=${LESSON_EPOCHS:-1} LESSON_TRAIN_SIZE=${LESSON_TRAIN_SIZE:-2000}
HUB_TEST_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export HUB_TEST_TOKEN
mkdir -p /tmp/hub
cd /tmp/hub
jupyterhub -f "$here/local_config.py" >/tmp/hub/hub.log 2>&1 &
hub=$!
stop() {
    kill "$hub" 2>/dev/null || true
    wait "$hub" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 60); do
    if python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/hub/api", timeout=2)' 2>/dev/null; then
        break
    fi
    kill -0 "$hub" 2>/dev/null || { tail -30 /tmp/hub/hub.log; echo "classroom.sh: the hub exited" >&2; exit 1; }
    sleep 1
done
echo "classroom.sh: JupyterHub $(jupyterhub --version) up; $students students, LESSON_EPOCHS=$LESSON_EPOCHS LESSON_TRAIN_SIZE=$LESSON_TRAIN_SIZE"
if ! timeout 1800 python3 "$here/classroom.py" "$students" "$cells"; then
    echo "--- hub log (last 40 lines) ---"
    tail -40 /tmp/hub/hub.log
    exit 1
fi
