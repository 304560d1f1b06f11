# JupyterHub configuration for trying the hub inside the lab image itself, on
# one machine without Docker: Debian's JupyterHub 3.0 and its
# configurable-http-proxy (both in the image) with LocalProcessSpawner, one
# single-user server per student as a local process. docker/jupyterhub/
# classroom.sh uses it to exercise a class; it is a test rig, not a
# deployment (use jupyterhub_config.py for that).
#
# Students are system users that all share jovyan's uid 1000 (each with their
# own home), as they would in containers of their own. The test client is a
# service with the admin role whose token is $HUB_TEST_TOKEN.
import os

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.JupyterHub.db_url = "sqlite:////tmp/hub/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/tmp/hub/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "/tmp/hub/proxy.pid"

c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.services = [
    {"name": "classroom-test", "api_token": os.environ["HUB_TEST_TOKEN"], "admin": True},
]

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["/usr/local/bin/start-lab.sh"]
c.Spawner.default_url = "/notebooks/work/03_convolution.ipynb"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.env_keep = [
    "PATH", "LANG", "GOPATH", "GOCACHE", "GOTOOLCHAIN", "GOEXPERIMENT", "GOMLX_NO_AUTO_INSTALL",
    "LAB_NOTEBOOK", "PYDEVD_DISABLE_FILE_VALIDATION", "LESSON_EPOCHS", "LESSON_TRAIN_SIZE",
]
