# Jupyter Notebook settings of the classroom-lab image (docker/Dockerfile),
# installed as /etc/jupyter/jupyter_notebook_config.py. The JupyterHub
# single-user server reads them too, so the address and port are not set
# here: start-lab.sh passes them when the image runs on its own, a hub passes
# its own.
c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)

c.NotebookApp.notebook_dir = "/home/jovyan"
# Token authentication stays on: $JUPYTER_TOKEN sets the token; without it
# Jupyter makes a random one and prints the URL with it in the log.
c.NotebookApp.allow_root = False
# New notebooks use the lesson's pure-Go kernel, not Debian's Python one.
c.MultiKernelManager.default_kernel_name = "gonb-lesson-go"
