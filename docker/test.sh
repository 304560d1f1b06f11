#!/usr/bin/env bash
# docker/test.sh: build the classroom-lab image from a clean state and
# smoke-test it, on a machine without a Docker engine or registry access.
#
# It uses buildah and podman (Debian packages) as root, in a container store
# of its own that it deletes at exit, also on failure. The base images the
# Dockerfile names are made locally under the same names: Debian from
# debootstrap (cached in $LAB_CACHE so reruns are fast), Go from this
# machine's toolchain of the pinned version (or the module proxy's
# golang.org/toolchain). It builds exactly `docker build -f docker/Dockerfile .`
# with INSTALL_XLA=false (GitHub is unreachable here), then, inside the image:
#   - checks the user is jovyan, uid 1000, gid 100;
#   - runs the notebook test (go test ./notebooks/) offline (--network none);
#   - times the notebook's first code cell in a fresh kernel (nbconvert);
#   - checks the image has a HEALTHCHECK (lab-healthcheck);
#   - starts the server as the image's CMD does, fetches /api/kernelspecs
#     from this host with the token, checks the lesson's kernel is listed and
#     that a request without the token is refused, and that the HEALTHCHECK
#     says healthy;
#   - starts it as an arbitrary uid in group 100 (--user 12345:100, as
#     OpenShift does): healthy, the notebooks copied to ~/work, and the first
#     code cell compiles and runs;
#   - starts it as root (--user root): it runs Jupyter as jovyan (uid 1000).
#   - starts Debian's JupyterHub 3.0 inside the image with a local spawner and
#     has LAB_CLASS_SIZE students (2) each run the notebook's first
#     LAB_CLASS_CELLS code cells (1; 0 = all) through the hub at once.
# It prints the build time, image size and first-cell time, and exits
# non-zero on any failure. Every step has a time limit.
#
# Environment: LAB_CACHE (default /var/tmp/convolutions-docker) caches the
# Debian root file system; LAB_KEEP=1 keeps the store for debugging;
# LAB_EPOCHS / LAB_TRAIN_SIZE size the in-image notebook run (1 / 2000).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LAB_CACHE:-/var/tmp/convolutions-docker}
epochs=${LAB_EPOCHS:-1}
train_size=${LAB_TRAIN_SIZE:-2000}
class_size=${LAB_CLASS_SIZE:-2}
class_cells=${LAB_CLASS_CELLS:-2}
image=localhost/convolutions-lab:test
notebook=03_convolution.ipynb
debian_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

log() { printf '\n==> docker/test.sh: %s\n' "$*"; }
die() { printf 'docker/test.sh: FAIL: %s\n' "$*" >&2; exit 1; }
# t SECONDS CMD...: run CMD with a time limit (then SIGKILL 15 s later).
t() { local s=$1; shift; timeout --kill-after=15 "$s" "$@"; }
# step SECONDS CMD...: the same for a long step, run in the background and
# waited for, so that an interrupt stops it at once (bash defers its traps
# while a foreground command runs, and timeout puts CMD in a process group of
# its own, out of reach of a signal to ours).
child=""
step() {
    local s=$1 rc=0
    shift
    timeout --kill-after=15 "$s" "$@" <&0 &
    child=$!
    wait "$child" || rc=$?
    child=""
    return "$rc"
}

[ "$(id -u)" = 0 ] || die "must run as root (buildah/podman with a private store)"
# What it needs from Debian; .ci/run installs it, and so does this when it can.
packages=(buildah podman runc debootstrap slirp4netns fuse-overlayfs uidmap curl shellcheck iproute2)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    t 900 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
        --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed; install them and run again"
fi
for tool in buildah podman runc debootstrap slirp4netns curl shellcheck ss go python3; do
    command -v "$tool" >/dev/null || die "$tool not found"
done

# Base image names and the Go version, read from the Dockerfile's ARGs so the
# stand-ins always match what it pulls.
dockerfile_arg() {
    sed -n "s/^ARG $1=//p" "$repo/docker/Dockerfile" | head -n1
}
debian_image=$(dockerfile_arg DEBIAN_IMAGE)
golang_image=$(dockerfile_arg GOLANG_IMAGE)
go_version=$(sed -n 's/^golang:\([0-9.]*\)-.*/\1/p' <<<"$golang_image")
if [ -z "$debian_image" ] || [ -z "$go_version" ]; then
    die "cannot read DEBIAN_IMAGE / GOLANG_IMAGE (golang:X.Y.Z-...) from docker/Dockerfile"
fi

# A private store: nothing outside $work is touched, and all of it goes at exit.
mkdir -p "$cache"
work=$(mktemp -d /var/tmp/convolutions-docker-run.XXXXXX)
cat >"$work/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
EOF
cat >"$work/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/events.log"
runtime = "runc"
tmp_dir = "$work/tmp"
volume_path = "$work/volumes"
EOF
export CONTAINERS_STORAGE_CONF="$work/storage.conf"
export CONTAINERS_CONF="$work/containers.conf"
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"

server=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    if [ -n "$server" ] && [ "$rc" != 0 ]; then
        echo "--- server log (last 40 lines) ---"
        t 30 podman logs --tail 40 "$server" 2>&1
    fi
    if [ "${LAB_KEEP:-}" = 1 ]; then
        echo "docker/test.sh: LAB_KEEP=1: store kept in $work (CONTAINERS_STORAGE_CONF=$work/storage.conf)"
        exit "$rc"
    fi
    t 60 podman rm --all --force --time 5 >/dev/null 2>&1
    t 60 buildah rm --all >/dev/null 2>&1
    t 120 podman system reset --force >/dev/null 2>&1
    # Anything still mounted under the store (a killed build) goes too.
    grep -o " ${work}[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$work"
    [ "$rc" = 0 ] || echo "docker/test.sh: FAILED (exit $rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Lint --------------------------------------------------------------------
log "lint: BuildKit's checks (docker build --check) and shellcheck of RUN bodies (docker/lint), shellcheck of the scripts"
# docker/lint and docker/xlainstall are modules of their own, outside the
# go.work that scripts/compute.sh writes at the root: GOWORK=off.
step 900 env GOWORK=off go -C "$repo/docker/lint" build -o "$work/lint" . || die "building docker/lint failed"
(cd "$repo" && "$work/lint" docker/Dockerfile && "$work/lint" docker/jupyterhub/Dockerfile) ||
    die "lint: fix the findings above"
t 120 shellcheck "$repo"/docker/*.sh "$repo"/docker/jupyterhub/*.sh || die "shellcheck: fix the findings above"
want=$(go -C "$repo" list -m -f '{{.Version}}' github.com/gomlx/go-xla)
have=$(GOWORK=off go -C "$repo/docker/xlainstall" list -m -f '{{.Version}}' github.com/gomlx/go-xla)
[ "$want" = "$have" ] ||
    die "docker/xlainstall pins go-xla $have, the project $want: (cd docker/xlainstall && go get github.com/gomlx/go-xla@$want && go mod tidy)"
echo "ok: docker/xlainstall uses go-xla $have, as go.mod"

# --- Base images -------------------------------------------------------------
debian_tar="$cache/debian-bookworm-minbase.tar"
if [ ! -s "$debian_tar" ]; then
    log "debootstrap Debian bookworm (minbase) into $debian_tar"
    rootfs="$work/rootfs"
    step 900 debootstrap --variant=minbase bookworm "$rootfs" "$debian_mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
    cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $debian_mirror bookworm main
deb $debian_mirror bookworm-updates main
deb ${debian_mirror%/debian}/debian-security bookworm-security main
EOF
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$debian_tar.tmp" . && mv "$debian_tar.tmp" "$debian_tar"
    rm -rf "$rootfs"
fi

# qualified NAME: the full name Docker gives a short image name.
qualified() {
    case "$1" in
    */*/*) echo "$1" ;;
    */*) echo "docker.io/$1" ;;
    *) echo "docker.io/library/$1" ;;
    esac
}

# new_image: make a working container from the cached root file system plus
# this host's extra CA certificates (HTTPS through this network needs them;
# they stay out of the repository and of a real build); print its name.
new_image() {
    local ctr mnt
    ctr=$(buildah from --pull=never scratch)
    mnt=$(buildah mount "$ctr")
    tar -C "$mnt" -xf "$debian_tar"
    mkdir -p "$mnt/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$mnt/usr/local/share/ca-certificates/" 2>/dev/null || true
    buildah umount "$ctr" >/dev/null
    buildah config --cmd bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    echo "$ctr"
}

log "base image $debian_image (local stand-in)"
ctr=$(new_image)
t 120 buildah commit --quiet --rm "$ctr" "$(qualified "$debian_image")" >/dev/null

log "base image $golang_image (local stand-in: Debian + build tools + Go $go_version)"
goroot=$(cd /tmp && GOTOOLCHAIN="go$go_version" t 600 go env GOROOT) ||
    die "Go $go_version: not on this machine and not from the module proxy"
[ "$(cd /tmp && "$goroot/bin/go" env GOVERSION)" = "go$go_version" ] || die "$goroot is not Go $go_version"
ctr=$(new_image)
step 600 buildah run --isolation=chroot "$ctr" -- sh -c \
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       ca-certificates curl gcc git libc6-dev make pkg-config >/dev/null && rm -rf /var/lib/apt/lists/*' ||
    die "apt-get in the golang stand-in failed"
mnt=$(buildah mount "$ctr")
cp -a "$goroot" "$mnt/usr/local/go"
buildah umount "$ctr" >/dev/null
buildah config --env GOLANG_VERSION="$go_version" --env GOTOOLCHAIN=local --env GOPATH=/go \
    --env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --workingdir /go "$ctr"
t 300 buildah commit --quiet --rm "$ctr" "$(qualified "$golang_image")" >/dev/null

# --- Build -------------------------------------------------------------------
log "build: docker build -f docker/Dockerfile --build-arg INSTALL_XLA=false . (buildah bud)"
start=$(date +%s)
step 3600 buildah bud --pull=never --isolation=chroot --layers=false --jobs=1 --format=docker \
    --build-arg INSTALL_XLA=false -f "$repo/docker/Dockerfile" -t "$image" "$repo" ||
    die "image build failed"
build_s=$(($(date +%s) - start))
size_bytes=$(t 60 podman image inspect --format '{{.Size}}' "$image")
size_mb=$((size_bytes / 1000000))
log "built $image in ${build_s}s, ${size_mb} MB"

log "HEALTHCHECK in the image config"
hc=$(t 60 podman image inspect --format '{{json .HealthCheck}}' "$image")
case "$hc" in
*lab-healthcheck*) echo "ok: $hc" ;;
*) die "the image has no HEALTHCHECK running lab-healthcheck: '$hc' (buildah bud --format=docker keeps it)" ;;
esac

# run ARGS...: run a command in the image, offline.
run() {
    step 1800 podman run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@" \
        2> >(grep -v 'systemd connection' >&2)
}

# serve ARGS...: start the image's CMD in the background with podman run ARGS
# (before the image name); print the container's id. podman 4.3 cannot reach
# systemd here to schedule the health checks; its complaints are dropped and
# the checks are run by hand (podman healthcheck run).
serve() {
    t 120 podman run -d --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@" "$image" \
        2> >(grep -v 'systemd connection' >&2)
}
# wait_healthy CONTAINER: run the HEALTHCHECK until it passes (120 s at most).
wait_healthy() {
    local out=""
    for _ in $(seq 60); do
        if out=$(t 30 podman healthcheck run "$1" 2>&1); then
            echo "ok: healthcheck: $(t 30 podman inspect --format '{{.State.Health.Status}}' "$1")" \
                "($(t 30 podman inspect --format '{{range .State.Health.Log}}{{.Output}}{{end}}' "$1" | tail -n1))"
            return 0
        fi
        [ "$(t 30 podman inspect --format '{{.State.Running}}' "$1")" = true ] || die "the server exited"
        sleep 2
    done
    die "the HEALTHCHECK did not pass within 120 s: $out"
}
# procs CONTAINER: "UID PID COMMAND" for every process in the container but
# the one that lists them.
procs() {
    t 30 podman exec "$1" python3 -c '
import os
for p in sorted(os.listdir("/proc")):
    if not p.isdigit() or int(p) == os.getpid():
        continue
    try:
        cmd = open("/proc/%s/cmdline" % p, "rb").read().replace(b"\0", b" ").decode().strip()
        uid = [l.split()[1] for l in open("/proc/%s/status" % p) if l.startswith("Uid:")][0]
    except (OSError, IndexError):
        continue
    print(uid, p, cmd)
'
}

# --- Checks inside the image --------------------------------------------------
log "user"
# shellcheck disable=SC2016 # expanded in the container
ids=$(run "$image" sh -c 'echo "$(id -un) $(id -u) $(id -g) $HOME"')
[ "$ids" = "jovyan 1000 100 /home/jovyan" ] || die "user: got '$ids', want 'jovyan 1000 100 /home/jovyan'"
echo "ok: $ids"

log "notebook test in the image (offline): go test ./notebooks/ with LESSON_EPOCHS=$epochs LESSON_TRAIN_SIZE=$train_size"
run -e LESSON_EPOCHS="$epochs" -e LESSON_TRAIN_SIZE="$train_size" -w /opt/lesson "$image" \
    go test -count=1 -v -timeout 25m ./notebooks/ >"$work/notebook-test.log" 2>&1 ||
    { cat "$work/notebook-test.log"; die "notebook test failed in the image"; }
cat "$work/notebook-test.log"
notebook_s=$(sed -n 's/.*nbconvert --execute .* took \(.*\)$/\1/p' "$work/notebook-test.log" | head -n1)

log "first-cell time: a fresh kernel runs the notebook's first code cell (offline)"
run -i "$image" python3 - "/opt/lesson/notebooks/$notebook" gonb-lesson-go \
    <"$repo/docker/first_cell.py" >"$work/first-cell.log" 2>&1 ||
    { cat "$work/first-cell.log"; die "executing the first cell in the image failed"; }
timing=$(cat "$work/first-cell.log")
echo "$timing"
first_cell_s=$(sed -n 's/.*first_cell_s=\([0-9.]*\).*/\1/p' <<<"$timing")
with_start_s=$(sed -n 's/.*with_kernel_start_s=\([0-9.]*\).*/\1/p' <<<"$timing")

log "server: the image's CMD, token from JUPYTER_TOKEN, /api/kernelspecs from this host"
port=0
for _ in $(seq 20); do
    p=$((20000 + RANDOM % 30000))
    if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then port=$p; break; fi
done
[ "$port" != 0 ] || die "no free port"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
server=$(serve --network slirp4netns -p "127.0.0.1:$port:8888" -e JUPYTER_TOKEN="$token") ||
    die "podman run (server) failed"
specs=""
for _ in $(seq 60); do
    if specs=$(curl -fsS --max-time 5 -H "Authorization: token $token" "http://127.0.0.1:$port/api/kernelspecs" 2>/dev/null); then
        break
    fi
    specs=""
    [ "$(t 30 podman inspect --format '{{.State.Running}}' "$server")" = true ] || die "server exited"
    sleep 2
done
[ -n "$specs" ] || die "no answer from http://127.0.0.1:$port/api/kernelspecs within 120 s"
python3 -c '
import json, sys
specs = json.loads(sys.argv[1])["kernelspecs"]
names = sorted(specs)
print("kernelspecs:", " ".join(names))
if "gonb-lesson-go" not in specs:
    sys.exit("gonb-lesson-go missing from /api/kernelspecs")
' "$specs" || die "kernel spec check"
code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$port/api/kernelspecs")
[ "$code" = 403 ] || die "/api/kernelspecs without the token: HTTP $code, want 403"
echo "ok: without the token: HTTP $code"
where=$(curl -s -o /dev/null --max-time 5 -w '%{redirect_url}' "http://127.0.0.1:$port/?token=$token")
case "$where" in
*/notebooks/work/03_convolution.ipynb*) echo "ok: / opens $where" ;;
*) die "/ redirects to '$where', want the lesson's notebook" ;;
esac
uid=$(t 30 podman exec "$server" sh -c 'cat /proc/[0-9]*/status | sed -n "s/^Uid:[[:space:]]*\([0-9]*\).*/\1/p" | sort -u | paste -sd,')
[ "$uid" = 1000 ] || die "uids of the server's processes: '$uid', want 1000 only"
echo "ok: the server's processes all run as uid $uid"
wait_healthy "$server"
t 60 podman stop --time 10 "$server" >/dev/null

log "arbitrary uid: the server as --user 12345:100 (offline), then a first cell that compiles Go"
server=$(serve --network none --user 12345:100) || die "podman run --user 12345:100 failed"
wait_healthy "$server"
# shellcheck disable=SC2016 # expanded in the container
t 30 podman exec "$server" sh -c 'echo "uid $(id -u) gid $(id -g) HOME=$HOME"; ls -l "$HOME/work/'"$notebook"'"' ||
    die "as uid 12345: start-lab.sh did not copy the notebook into ~/work"
t 900 podman exec -i "$server" python3 - "/opt/lesson/notebooks/$notebook" gonb-lesson-go \
    <"$repo/docker/first_cell.py" >"$work/first-cell-uid.log" 2>&1 ||
    { cat "$work/first-cell-uid.log"; die "as uid 12345 gid 100: the first cell failed"; }
echo "ok: as uid 12345 gid 100: $(cat "$work/first-cell-uid.log")"
t 60 podman stop --time 10 "$server" >/dev/null

log "root: the server as --user root runs Jupyter as jovyan"
server=$(serve --network none --user root) || die "podman run --user root failed"
wait_healthy "$server"
procs "$server" >"$work/procs.txt"
cat "$work/procs.txt"
grep -q 'jupyter-notebook' "$work/procs.txt" || die "no jupyter-notebook process in the container started as root"
if awk '$2 != 1 && $1 != 1000' "$work/procs.txt" | grep .; then
    die "started as root: the processes above do not run as uid 1000 (only tini, pid 1, may stay root)"
fi
t 30 podman logs "$server" 2>&1 | grep 'started as root' || die "started as root: start-lab.sh did not say it drops to jovyan"
echo "ok: started as root, Jupyter runs as uid 1000"
t 60 podman stop --time 10 "$server" >/dev/null

log "JupyterHub: $class_size students through Debian's JupyterHub 3.0 in the image (docker/jupyterhub/classroom.sh)"
run --user root -e LESSON_EPOCHS="$epochs" -e LESSON_TRAIN_SIZE="$train_size" "$image" \
    /opt/lesson/docker/jupyterhub/classroom.sh "$class_size" "$class_cells" >"$work/classroom.log" 2>&1 ||
    { cat "$work/classroom.log"; die "JupyterHub classroom check failed"; }
cat "$work/classroom.log"

log "summary"
echo "build_s=$build_s image_size_mb=$size_mb first_cell_s=$first_cell_s" \
    "first_cell_with_kernel_start_s=$with_start_s notebook_run=$notebook_s"
echo "docker/test.sh: OK"
