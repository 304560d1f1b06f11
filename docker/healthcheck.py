#!/usr/bin/python3
"""lab-healthcheck: the classroom-lab image's HEALTHCHECK (docker/Dockerfile).

GET /api of the Jupyter server in this container (it needs no token) and
exit 0 when it answers with its version, 1 otherwise. It asks
http://127.0.0.1:8888/, where start-lab.sh starts Jupyter, or, under
JupyterHub, the server's own $JUPYTERHUB_SERVICE_URL (port and base URL).
Python's urllib: the image has no curl.
"""
import json
import os
import sys
import urllib.parse
import urllib.request


def main():
    base = os.environ.get("JUPYTERHUB_SERVICE_URL") or "http://127.0.0.1:8888/"
    u = urllib.parse.urlsplit(base)
    host = u.hostname if u.hostname not in (None, "", "0.0.0.0", "::") else "127.0.0.1"
    netloc = "%s:%d" % (host if ":" not in host else "[%s]" % host, u.port or 8888)
    url = urllib.parse.urlunsplit(("http", netloc, u.path.rstrip("/") + "/api", "", ""))
    try:
        with urllib.request.urlopen(url, timeout=8) as r:
            version = json.load(r)["version"]
    except Exception as e:  # any failure is "unhealthy"; say which
        print("unhealthy: GET %s: %s" % (url, e))
        return 1
    print("healthy: GET %s: Jupyter Notebook %s" % (url, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
