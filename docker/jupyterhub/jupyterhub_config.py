# JupyterHub configuration that serves the classroom-lab image to a class:
# one container per student, started by DockerSpawner on the teacher's Docker
# host. See docker/README.md ("A whole class") and compose.yaml beside this file.
#
# Settings come from environment variables (compose.yaml sets them):
#   LAB_IMAGE        the lab image (default convolutions-lab:latest)
#   LAB_NETWORK      the Docker network the hub and the students' containers share
#   LAB_PASSWORD     the shared password of this lab session (required)
#   LAB_ADMINS       comma-separated admin user names (default: teacher)
#   LAB_MEM_LIMIT    memory per student (default 3G)
#   LAB_CPU_LIMIT    CPUs per student (default 1)
#   LAB_MAX_USERS    refuse to start more servers than this (default 40)
import os

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

# One container per student, from the lab image, on the hub's network.
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = os.environ.get("LAB_IMAGE", "convolutions-lab:latest")
c.DockerSpawner.network_name = os.environ.get("LAB_NETWORK", "convolutions-lab")
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.pull_policy = "ifnotpresent"  # the image is built or loaded on the host beforehand
# DockerSpawner runs the image's CMD (start-lab.sh), which sees JUPYTERHUB_API_TOKEN and
# starts jupyterhub-singleuser; the notebook server's root is /home/jovyan.
c.DockerSpawner.notebook_dir = "/home/jovyan"
c.Spawner.default_url = "/notebooks/work/03_convolution.ipynb"
# Each student's work survives their container: a named volume per student
# at /home/jovyan/work (the image copies the lesson's notebook into it once).
c.DockerSpawner.volumes = {"convolutions-lab-{username}": "/home/jovyan/work"}
c.DockerSpawner.remove = True  # containers go when stopped; volumes stay
# Limits per student: training on the pure-Go backend uses about 1 GB and
# all the CPU it is given.
c.DockerSpawner.mem_limit = os.environ.get("LAB_MEM_LIMIT", "3G")
c.DockerSpawner.cpu_limit = float(os.environ.get("LAB_CPU_LIMIT", "1"))
c.JupyterHub.active_server_limit = int(os.environ.get("LAB_MAX_USERS", "40"))
# The first start of a container compiles the first cell; give it time.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# The hub listens on all interfaces inside its container, so the students'
# containers reach it by its container name on the shared network.
c.JupyterHub.hub_ip = "0.0.0.0"
c.JupyterHub.hub_connect_ip = os.environ.get("LAB_HUB_HOST", "jupyterhub")
c.JupyterHub.bind_url = "http://:8000"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/data/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/data/jupyterhub_cookie_secret"

# Log-in: one shared password for a lab session; any user name works and
# becomes that student's server and volume. For a course, use a real
# authenticator instead (e.g. NativeAuthenticator, OAuthenticator, LTI).
password = os.environ.get("LAB_PASSWORD", "")
if not password:
    raise SystemExit("jupyterhub_config.py: set LAB_PASSWORD to the lab session's shared password")
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = password
c.Authenticator.admin_users = {
    name.strip() for name in os.environ.get("LAB_ADMINS", "teacher").split(",") if name.strip()
}
