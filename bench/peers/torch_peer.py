"""PyTorch peer of `go run ./bench`: the lesson's networks trained the way PyTorch users train, an eager loop of
zero_grad, forward, loss, backward and Adam's step per batch, driven line by line as peerloop.py describes.

    .build/peers/bin/python bench/peers/torch_peer.py [THREADS]    # PyPI's torch (peer=torch)
    /usr/bin/python3 bench/peers/torch_peer.py [THREADS]           # Debian's python3-torch (peer=torch-debian)

Images are NCHW, as PyTorch's layers take them; each step takes its batch from a pool of synthetic uint8
images and scales it to [0, 1], as a DataLoader's ToTensor would. The softmax is folded into the loss
(CrossEntropyLoss on the logits), which is what PyTorch users write for Keras's Dense(10, softmax) with the
sparse categorical cross-entropy.
"""
import sys
import time

import torch
from torch import nn

import peerloop

IMAGES = 4096  # synthetic images cycled through


def model(name):
    """The lesson's CNN or the notebook's dense network, with Keras's initialisation."""
    layers = []
    if name == "cnn":
        layers += [nn.Conv2d(1, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                   nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2)]
        flat = 64 * 5 * 5
    else:
        flat = 28 * 28
    layers += [nn.Flatten(), nn.Linear(flat, 128), nn.ReLU(), nn.Linear(128, 10)]
    net = nn.Sequential(*layers)
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)  # Keras's glorot_uniform: the same fans for kernels
            nn.init.zeros_(m.bias)
    return net


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x, y = peerloop.synthetic(IMAGES)
    pixels = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # [n, 1, 28, 28]
    labels = torch.from_numpy(y).long()
    loss_fn = nn.CrossEntropyLoss()
    nets, sizer = {}, peerloop.Sizer()

    def get(name):
        if name not in nets:
            net = model(name)
            nets[name] = net, torch.optim.Adam(net.parameters(), lr=1e-3)
        return nets[name]

    def batches(batch):
        start = 0
        while True:
            if start + batch > IMAGES:
                start = 0
            yield pixels[start:start + batch].float().div_(255), labels[start:start + batch]
            start += batch

    def train(name, batch, seconds):
        net, opt = get(name)
        net.train()
        it = batches(batch)

        def run(steps):
            t0 = time.perf_counter()
            for _ in range(steps):
                xb, yb = next(it)
                opt.zero_grad(set_to_none=True)
                logits = net(xb)
                loss = loss_fn(logits, yb)
                loss.backward()
                opt.step()
                loss.item(), (logits.argmax(1) == yb).sum().item()
            return steps, time.perf_counter() - t0
        return sizer.measure(("train", name, batch), run, seconds)

    def evaluate(name, batch, seconds):
        net, _ = get(name)
        net.eval()
        it = batches(batch)

        def run(steps):
            t0 = time.perf_counter()
            with torch.no_grad():
                for _ in range(steps):
                    xb, yb = next(it)
                    logits = net(xb)
                    loss_fn(logits, yb).item(), (logits.argmax(1) == yb).sum().item()
            return steps, time.perf_counter() - t0
        return sizer.measure(("eval", name, batch), run, seconds)

    ready = f"torch={torch.__version__} threads={torch.get_num_threads()}"
    if hasattr(torch.backends, "cpu"):  # not in Debian's 1.13
        ready += f" cpu_capability={torch.backends.cpu.get_cpu_capability()}"
    peerloop.serve(ready, train, evaluate, lambda name: sum(p.numel() for p in get(name)[0].parameters()))


if __name__ == "__main__":
    main()
