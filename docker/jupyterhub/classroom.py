"""classroom.py: a class of students running the lesson's notebook at once through JupyterHub.

It runs inside the lab image next to a hub started with local_config.py (see
classroom.sh), as a hub service with the admin role ($HUB_TEST_TOKEN). For
each of N students it creates the user, spawns their single-user server and
waits until it is ready, fetches /user/NAME/api/kernelspecs through the
proxy, starts the lesson's kernel and executes the notebook's code cells over
the kernel's websocket, as a browser does, all students at the same time.
It prints the spawn times, the first cell's and the whole notebook's times
(median and worst over the class) and the container's peak memory, and
exits non-zero if any step or cell fails.

Usage: python3 classroom.py STUDENTS [CELLS]   (CELLS: code cells to run; 0 = all)
"""
import asyncio
import datetime
import json
import os
import statistics
import sys
import time
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

HUB = "http://127.0.0.1:8000"
HEADERS = {"Authorization": "token " + os.environ["HUB_TEST_TOKEN"]}
KERNEL = "gonb-lesson-go"
NOTEBOOK = "/opt/lesson/notebooks/" + os.environ.get("LAB_NOTEBOOK", "03_convolution.ipynb")


async def api(method, path, body=None, ok=(200,)):
    """Calls the hub (or a user's server through the proxy) and returns the decoded JSON."""
    data = None if method in ("GET", "DELETE") else json.dumps(body if body is not None else {})
    req = HTTPRequest(HUB + path, method=method, headers=HEADERS, body=data, request_timeout=120)
    resp = await AsyncHTTPClient().fetch(req, raise_error=False)
    if resp.code not in ok:
        raise RuntimeError(f"{method} {path}: HTTP {resp.code}: {resp.body[:300]!r}")
    return json.loads(resp.body) if resp.body else None


async def spawn(user):
    """Creates the user, starts their server, and returns the seconds until it was ready."""
    await api("POST", f"/hub/api/users/{user}", ok=(201, 409))
    start = time.monotonic()
    await api("POST", f"/hub/api/users/{user}/server", ok=(201, 202))
    while True:
        model = await api("GET", f"/hub/api/users/{user}")
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            break
        if time.monotonic() - start > 180:
            raise RuntimeError(f"{user}: server not ready after 180 s")
        await asyncio.sleep(0.5)
    spawn_s = time.monotonic() - start
    specs = await api("GET", f"/user/{user}/api/kernelspecs")
    if KERNEL not in specs["kernelspecs"]:
        raise RuntimeError(f"{user}: {KERNEL} not in {sorted(specs['kernelspecs'])}")
    return spawn_s


def message(session, code):
    msg_id = uuid.uuid4().hex
    return msg_id, json.dumps({
        "header": {"msg_id": msg_id, "username": "classroom", "session": session,
                   "msg_type": "execute_request", "version": "5.3",
                   "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    })


async def run_notebook(user, cells):
    """Executes the cells in a new kernel of the user's server; returns each cell's seconds."""
    kernel = await api("POST", f"/user/{user}/api/kernels", body={"name": KERNEL}, ok=(201,))
    url = f"ws://127.0.0.1:8000/user/{user}/api/kernels/{kernel['id']}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers=HEADERS, request_timeout=60),
                                 max_message_size=64 << 20)
    session, times = uuid.uuid4().hex, []
    try:
        for i, code in enumerate(cells):
            msg_id, msg = message(session, code)
            start = time.monotonic()
            await ws.write_message(msg)
            errors = []
            while True:
                raw = await asyncio.wait_for(ws.read_message(), timeout=900)
                if raw is None:
                    raise RuntimeError(f"{user}: kernel websocket closed in cell {i}")
                if isinstance(raw, bytes):
                    continue
                m = json.loads(raw)
                if m.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if m["msg_type"] == "error":
                    errors.append(f"{m['content']['ename']}: {m['content']['evalue']}")
                if m["channel"] == "shell" and m["msg_type"] == "execute_reply":
                    status = m["content"]["status"]
                    break
            times.append(time.monotonic() - start)
            if status != "ok" or errors:
                raise RuntimeError(f"{user}: code cell {i} failed ({status}): {'; '.join(errors)}")
    finally:
        ws.close()
        await api("DELETE", f"/user/{user}/api/kernels/{kernel['id']}", ok=(204,))
    return times


def memory_mb():
    """Anonymous memory (RSS) of this container's cgroup, in MB: v2's memory.stat
    anon, v1's total_rss; else the sum of every process's RSS."""
    for path, key in (("/sys/fs/cgroup/memory.stat", "anon"),
                      ("/sys/fs/cgroup/memory/memory.stat", "total_rss")):
        try:
            with open(path) as f:
                for line in f:
                    name, value = line.split()
                    if name == key:
                        return int(value) / (1 << 20)
        except OSError:
            pass
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total / (1 << 20)


async def sample_memory(peak):
    while True:
        peak[0] = max(peak[0], memory_mb())
        await asyncio.sleep(1)


def summary(values):
    return f"median {statistics.median(values):.1f} s, worst {max(values):.1f} s"


async def main(students, ncells):
    nb = json.load(open(NOTEBOOK))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    if ncells:
        cells = cells[:ncells]
    users = [f"student{i + 1}" for i in range(students)]
    peak = [memory_mb()]
    idle_mb = peak[0]
    sampler = asyncio.ensure_future(sample_memory(peak))

    start = time.monotonic()
    spawns = await asyncio.gather(*(spawn(u) for u in users))
    print(f"classroom: {students} servers spawned in {time.monotonic() - start:.1f} s "
          f"(each: {summary(spawns)}); kernelspecs through the proxy: ok", flush=True)

    start = time.monotonic()
    runs = await asyncio.gather(*(run_notebook(u, cells) for u in users))
    wall = time.monotonic() - start
    sampler.cancel()
    peak[0] = max(peak[0], memory_mb())
    print(f"classroom: {students} students ran {len(cells)} code cells at once in {wall:.1f} s")
    print(f"classroom: first cell: {summary([r[0] for r in runs])}")
    print(f"classroom: whole run per student: {summary([sum(r) for r in runs])}")
    print(f"classroom: memory (anonymous RSS of the container): {idle_mb:.0f} MB before, {peak[0]:.0f} MB peak, "
          f"{(peak[0] - idle_mb) / students:.0f} MB per student")
    await asyncio.gather(*(api("DELETE", f"/hub/api/users/{u}/server", ok=(202, 204)) for u in users))


if __name__ == "__main__":
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    ncells = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    try:
        asyncio.run(main(students, ncells))
    except Exception as e:  # one line, not a traceback, for the test log
        sys.exit(f"classroom: FAIL: {e}")
