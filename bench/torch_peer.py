"""PyTorch peer of the lesson's benchmark: the same CNN, trained and evaluated
on synthetic data, driven line by line from `go run ./bench`.

Commands on stdin, one per line:  "train BATCH SECONDS" or "eval BATCH SECONDS".
Answers on stdout, one line each:  "ok img_per_s=… steps=… seconds=…".
The first line printed is "ready torch=VERSION threads=N".
Run with Debian's python3-torch: /usr/bin/python3 bench/torch_peer.py [THREADS]
"""
import resource
import sys
import time

import torch
from torch import nn

IMAGES = 4096  # synthetic images cycled through, as uint8 like the Go side


def model():
    # Keras's seed CNN; PyTorch's defaults for initialisation (speed only).
    return nn.Sequential(
        nn.Conv2d(1, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def batches(pixels, labels, batch):
    start = 0
    while True:
        if start + batch > IMAGES:
            start = 0
        x = pixels[start:start + batch].float().div_(255).unsqueeze(1)
        yield x, labels[start:start + batch]
        start += batch


def measure(step, pixels, labels, batch, seconds):
    it = batches(pixels, labels, batch)
    for _ in range(3):  # warm up
        step(*next(it))
    steps, t0 = 0, time.perf_counter()
    while True:
        step(*next(it))
        steps += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return steps * batch / elapsed, steps, elapsed


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(1)
    pixels = torch.randint(0, 256, (IMAGES, 28, 28), dtype=torch.uint8, generator=g)
    labels = torch.randint(0, 10, (IMAGES,), generator=g)
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def train_step(x, y):
        opt.zero_grad(set_to_none=True)
        logits = net(x)
        loss = loss_fn(logits, y)
        loss.backward()
        opt.step()
        return loss.item(), (logits.argmax(1) == y).sum().item()

    def eval_step(x, y):
        with torch.no_grad():
            logits = net(x)
            return loss_fn(logits, y).item(), (logits.argmax(1) == y).sum().item()

    print(f"ready torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        try:
            what, batch, seconds = parts[0], int(parts[1]), float(parts[2])
            if what == "train":
                net.train()
                rate, steps, elapsed = measure(train_step, pixels, labels, batch, seconds)
            elif what == "eval":
                net.eval()
                rate, steps, elapsed = measure(eval_step, pixels, labels, batch, seconds)
            else:
                raise ValueError(f"unknown command {what!r}")
        except (ValueError, IndexError) as e:
            print(f"error {e}", flush=True)
            continue
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"ok img_per_s={rate:.1f} steps={steps} seconds={elapsed:.2f} peak_rss_mib={rss_mib:.0f}", flush=True)


if __name__ == "__main__":
    main()
