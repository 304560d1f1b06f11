"""Times the lesson's notebook cells through an installed Jupyter kernel.

    /usr/bin/python3 bench/notebook_latency.py [--kernel gonb-lesson-go] [--cells 2,4,12]

It starts the kernel (cold: a fresh GoNB process, with the Go build cache as
kernels/install.sh left it), runs the notebook's first code cell, runs it
again (warm), then each later cell given by --cells (indices into the
notebook's cells, as nbformat counts them; the cells before it that only
declare, such as the network's function, run first, untimed), and prints one
line per timing:

    bench notebook kernel=gonb-lesson-go kernel_start_s=0.4 first_cell_cold_s=3.1 first_cell_warm_s=1.2
    bench notebook kernel=gonb-lesson-go cell=9 s=1.1

Needs python3-jupyter-client (Debian). The default cells avoid the ones that
train (lab.Model), whose time is the training's.
"""
import argparse
import json
import sys
import time

from jupyter_client.manager import start_new_kernel


def run_cell(client, code, timeout):
    """Executes code and returns (seconds, error text or None)."""
    start = time.perf_counter()
    reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    seconds = time.perf_counter() - start
    content = reply["content"]
    if content["status"] != "ok":
        return seconds, f'{content.get("ename", "")}: {content.get("evalue", "")}'
    return seconds, None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel", default="gonb-lesson-go")
    p.add_argument("--notebook", default="notebooks/03_convolution.ipynb")
    p.add_argument("--cells", default="2,4,12", help="later cells to time, comma-separated notebook cell indices")
    p.add_argument("--timeout", type=float, default=300)
    args = p.parse_args()

    cells = json.load(open(args.notebook))["cells"]
    code = {i: "".join(c["source"]) for i, c in enumerate(cells) if c["cell_type"] == "code"}
    first = min(code)

    start = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=args.kernel, startup_timeout=args.timeout)
    kernel_start = time.perf_counter() - start
    failed = False
    try:
        cold, err = run_cell(kc, code[first], args.timeout)
        warm, err2 = run_cell(kc, code[first], args.timeout)
        print(f"bench notebook kernel={args.kernel} kernel_start_s={kernel_start:.2f} "
              f"first_cell_cold_s={cold:.2f} first_cell_warm_s={warm:.2f} "
              f"first_cell_cold_with_start_s={kernel_start + cold:.2f}", flush=True)
        for e in (err, err2):
            if e:
                print(f"bench notebook cell={first} error={e!r}", flush=True)
                failed = True
        declared = {first}
        for i in [int(s) for s in args.cells.split(",") if s.strip()]:
            if i not in code:
                print(f"bench notebook cell={i} error='not a code cell'", flush=True)
                failed = True
                continue
            # Cells that only declare (no %%), such as the one defining the
            # network, run first, untimed, as a reader runs them in order.
            for j in sorted(code):
                if j < i and j not in declared and "%%" not in code[j]:
                    _, err = run_cell(kc, code[j], args.timeout)
                    declared.add(j)
                    if err:
                        print(f"bench notebook cell={j} error={err!r}", flush=True)
                        failed = True
            seconds, err = run_cell(kc, code[i], args.timeout)
            print(f"bench notebook kernel={args.kernel} cell={i} s={seconds:.2f}" + (f" error={err!r}" if err else ""), flush=True)
            failed = failed or err is not None
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
