"""What the peers of `go run ./bench` share: the line protocol, the synthetic data and the sizing of runs.

Each peer (keras_peer.py, torch_peer.py, jax_peer.py) is one Python process for the whole bench run,
driven line by line on stdin:

    train MODEL BATCH SECONDS    train for about SECONDS on batches of BATCH synthetic images
    eval MODEL BATCH SECONDS     evaluate (loss and accuracy) for about SECONDS
    quit

and answering each command with one line on stdout:

    ok img_per_s=... steps=... seconds=... params=... peak_rss_mib=...
    error MESSAGE

Its first line is "ready NAME=VERSION ... threads=N". MODEL is "cnn", the lesson's network (Conv2D(64, 3x3,
relu) -> MaxPool 2x2 -> Conv2D(64, 3x3, relu) -> MaxPool 2x2 -> Flatten -> Dense(128, relu) ->
Dense(10, softmax); 243,786 parameters), or "dense", the notebook's dense network (Flatten -> Dense(128,
relu) -> Dense(10, softmax); 101,770 parameters). Both take [batch, 28, 28, 1] images scaled to [0, 1] and
integer labels, start from Glorot-uniform kernels and zero biases, and train with Adam(1e-3) on the sparse
categorical cross-entropy, as the Go side does.
"""
import os
import resource
import sys

MODELS = ("cnn", "dense")
MAX_IMAGES = 60000  # the most images an array given to one fit or evaluate holds, a training set's size


def synthetic(n, seed=1):
    """Returns n random images [n, 28, 28, 1] as uint8 and their labels [n] as int32, like the Go side's."""
    import numpy as np  # here, so that the protocol alone needs no NumPy (bench's tests)

    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28, 1), dtype=np.uint8), rng.integers(0, 10, n).astype(np.int32)


def limit_cpus(threads):
    """Keeps this process on its first `threads` CPUs, for a framework whose thread pool sizes itself by the
    CPUs it may run on (XLA's CPU client has no thread-count setting)."""
    cpus = sorted(os.sched_getaffinity(0))
    if threads < len(cpus):
        os.sched_setaffinity(0, cpus[:threads])


class Sizer:
    """Sizes runs of whole steps to last about the seconds asked, from the last rate seen for each
    (command, model, batch)."""

    def __init__(self):
        self.rate = {}  # steps per second

    def measure(self, key, run, seconds):
        """Calls run(steps), which takes about that many steps and returns (steps taken, wall seconds), and
        returns those of a run sized to take about `seconds`. The first time a key is seen, a run of 3
        steps pays the compilation and runs of doubling length calibrate the rate."""
        if key not in self.rate:
            run(3)
            steps = 4
            while True:
                steps, elapsed = run(steps)
                if elapsed >= 0.3:
                    break
                steps *= 2
            self.rate[key] = steps / elapsed
        steps, elapsed = run(max(4, round(self.rate[key] * seconds)))
        self.rate[key] = steps / elapsed
        return steps, elapsed


def serve(ready, train, evaluate, params):
    """Answers the bench's commands until "quit" or the end of stdin. ready is the rest of the ready line;
    train(model, batch, seconds) and evaluate(model, batch, seconds) return (steps, seconds); params(model)
    counts the model's parameters, which the bench checks against its own."""
    print("ready " + ready, flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        try:
            if len(parts) != 4 or parts[0] not in ("train", "eval"):
                raise ValueError(f"want 'train|eval MODEL BATCH SECONDS', got {line.strip()!r}")
            what, model, batch, seconds = parts[0], parts[1], int(parts[2]), float(parts[3])
            if model not in MODELS:
                raise ValueError(f"unknown model {model!r}: want one of {', '.join(MODELS)}")
            steps, elapsed = (train if what == "train" else evaluate)(model, batch, seconds)
        except ValueError as e:
            print(f"error {e}", flush=True)
            continue
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"ok img_per_s={steps * batch / elapsed:.1f} steps={steps} seconds={elapsed:.2f} "
              f"params={params(model)} peak_rss_mib={rss_mib:.0f}", flush=True)
