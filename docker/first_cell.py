"""first_cell.py: time a notebook's first code cell in a fresh kernel.

docker/test.sh pipes it into the lab image (python3 - NOTEBOOK KERNEL): it
keeps the cells up to the first code cell that runs code (with %%, after
the cells that only declare), executes them with nbconvert and
the given kernel, fails on an error output, and prints
"first_cell_s=... with_kernel_start_s=...": the cell's own time (from the
kernel's execute_input to its execute_reply, as nbclient records them) and
the whole run, kernel start included.
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time


def main(notebook, kernel):
    nb = json.load(open(notebook))
    # The first cell that runs code (has %%): the cells before it only
    # declare (imports, helpers), and run too, as a reader runs them.
    first = next(i for i, c in enumerate(nb["cells"])
                 if c["cell_type"] == "code" and "%%" in "".join(c["source"]))
    nb["cells"] = nb["cells"][: first + 1]
    out = tempfile.mkdtemp()
    src = os.path.join(out, "first.ipynb")
    json.dump(nb, open(src, "w"))
    start = time.monotonic()
    run = subprocess.run(
        ["jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.kernel_name=" + kernel, "--ExecutePreprocessor.timeout=600",
         "--output-dir", out, "--output", "executed.ipynb", src],
        capture_output=True, text=True, timeout=900)
    total = time.monotonic() - start
    if run.returncode != 0:
        sys.exit("nbconvert failed:\n" + run.stderr[-4000:])
    cells = [c for c in json.load(open(os.path.join(out, "executed.ipynb")))["cells"]
             if c["cell_type"] == "code"]
    for c in cells:
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                sys.exit("first cells: %s: %s" % (o.get("ename"), o.get("evalue")))
    cell = cells[-1]
    e = cell["metadata"]["execution"]
    t = lambda k: datetime.datetime.fromisoformat(e[k].replace("Z", "+00:00"))
    cell_s = (t("shell.execute_reply") - t("iopub.execute_input")).total_seconds()
    print("first_cell_s=%.1f with_kernel_start_s=%.1f" % (cell_s, total))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
