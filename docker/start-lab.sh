#!/bin/bash
# start-lab.sh: the classroom-lab image's command (docker/Dockerfile).
# Copies the lesson's notebooks into ~/work unless the student already has
# them there (a mounted volume keeps their edits), says which GoNB kernels and
# GoMLX backends the image offers, then starts Jupyter Notebook with the
# lesson's notebook open, or the JupyterHub single-user server when a hub
# started the container. Extra arguments go to Jupyter.
#
# Started as root (docker run --user root), it runs itself again as jovyan
# (uid 1000, gid 100), as docker-stacks images do: Jupyter never runs as root.
# Any other uid runs as it is (OpenShift, some hubs): with group 100 the image's
# Go caches, $HOME and ~/work are writable (docker/Dockerfile).
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
    echo "convolutions-lab: started as root: running Jupyter as jovyan (uid 1000, gid 100)"
    # The container's environment (JUPYTER_TOKEN, the Go settings) stays.
    exec setpriv --reuid=1000 --regid=100 --init-groups \
        env HOME=/home/jovyan USER=jovyan LOGNAME=jovyan "$0" "$@"
fi

work="${HOME}/work"
if ! mkdir -p "${work}" 2>/dev/null || [ ! -w "${work}" ]; then
    echo "convolutions-lab: ${work} is not writable by uid $(id -u) gid $(id -g):" \
        "if it is a mounted directory, make it writable for uid 1000 or group 100" \
        "(chown 1000:100 DIR, or chmod g+rwX DIR with group 100), or run the container as its owner (--user UID:100)" >&2
    exit 1
fi
# The English notebooks in ~/work, the Chinese edition in ~/work/zh.
for nb in /opt/lesson/notebooks/*.ipynb /opt/lesson/notebooks/zh/*.ipynb; do
    [ -e "${nb}" ] || continue
    dest="${work}/${nb#/opt/lesson/notebooks/}"
    if [ ! -e "${dest}" ]; then
        mkdir -p "$(dirname "${dest}")"
        cp "${nb}" "${dest}"
    fi
done

echo "convolutions-lab: kernels: $(jupyter kernelspec list --json | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["kernelspecs"])))')"
if compgen -G '/usr/local/lib/go-xla/pjrt_c_api_cpu*plugin.so' >/dev/null; then
    echo "convolutions-lab: XLA CPU plugin installed: the gonb-lesson-xla-cpu kernel runs GoMLX on XLA."
else
    echo "convolutions-lab: no XLA plugin in this image (built with INSTALL_XLA=false):" \
        "the gonb-lesson-go kernel runs GoMLX's pure-Go backend."
fi

url="/notebooks/work/${LAB_NOTEBOOK:-03_convolution.ipynb}"
if [ -n "${JUPYTERHUB_API_TOKEN:-}" ]; then
    # Started by JupyterHub (DockerSpawner, KubeSpawner): the hub passes ip,
    # port and base_url; Spawner.default_url opens the notebook.
    exec jupyterhub-singleuser "$@"
fi
exec jupyter notebook --ip=0.0.0.0 --port=8888 --no-browser --NotebookApp.default_url="${url}" "$@"
