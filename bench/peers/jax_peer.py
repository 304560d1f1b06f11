"""JAX peer of `go run ./bench`: the lesson's networks in plain JAX (jax.lax's convolution and max-pool), Adam
from optax, trained the way JAX users train: a Python loop over batches calling one jitted training step
(forward, gradients, Adam's update), with the parameters and optimiser state donated to it; driven line by
line as peerloop.py describes.

    .build/peers/bin/python bench/peers/jax_peer.py [THREADS]

XLA's CPU client sizes its thread pool by the CPUs the process may run on, so with fewer THREADS than CPUs
the process keeps to its first THREADS CPUs. Batches are sliced from a pool of synthetic images scaled to
[0, 1] as NumPy arrays and passed to the step, as a JAX user feeds NumPy data; a measurement dispatches its
steps and waits for all their results.
"""
import functools
import sys
import time

import numpy as np

import peerloop

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
peerloop.limit_cpus(THREADS)  # before XLA starts

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

IMAGES = 4096  # synthetic images cycled through
DIMS = ("NHWC", "HWIO", "NHWC")  # as Keras lays out images and kernels


def init(name, key):
    """Glorot-uniform kernels and zero biases, as Keras initialises them."""
    glorot = jax.nn.initializers.glorot_uniform()
    shapes = [(3, 3, 1, 64), (3, 3, 64, 64), (1600, 128), (128, 10)] if name == "cnn" else [(784, 128), (128, 10)]
    keys = jax.random.split(key, len(shapes))
    # A conv kernel's fans are in·3·3 and out·3·3, as Keras counts them (receptive field = the first axes).
    return [(glorot(k, s, jnp.float32), jnp.zeros(s[-1], jnp.float32)) for k, s in zip(keys, shapes)]


def apply(name, params, x):
    """Returns the logits [batch, 10] of images x [batch, 28, 28, 1]; the softmax is in the loss."""
    def pool(h):
        return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    if name == "cnn":
        for w, b in params[:2]:
            x = pool(jax.nn.relu(jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=DIMS) + b))
        params = params[2:]
    x = x.reshape(x.shape[0], -1)
    (w1, b1), (w2, b2) = params
    return jax.nn.relu(x @ w1 + b1) @ w2 + b2


def loss_and_logits(name, params, x, y):
    logits = apply(name, params, x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), logits


def main():
    pixels, labels = peerloop.synthetic(IMAGES)
    x_all = pixels.astype(np.float32) / 255
    opt = optax.adam(1e-3)
    states, sizer = {}, peerloop.Sizer()

    @functools.partial(jax.jit, static_argnums=0, donate_argnums=(1, 2))
    def train_step(name, params, opt_state, x, y):
        (loss, logits), grads = jax.value_and_grad(loss_and_logits, argnums=1, has_aux=True)(name, params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss, (logits.argmax(1) == y).sum()

    @functools.partial(jax.jit, static_argnums=0)
    def eval_step(name, params, x, y):
        loss, logits = loss_and_logits(name, params, x, y)
        return loss, (logits.argmax(1) == y).sum()

    def get(name):
        if name not in states:
            params = init(name, jax.random.key(1))
            states[name] = [params, opt.init(params)]
        return states[name]

    def batches(batch):
        start = 0
        while True:
            if start + batch > IMAGES:
                start = 0
            yield x_all[start:start + batch], labels[start:start + batch]
            start += batch

    def train(name, batch, seconds):
        state, it = get(name), batches(batch)

        def run(steps):
            t0 = time.perf_counter()
            out = []
            for _ in range(steps):
                state[0], state[1], loss, correct = train_step(name, state[0], state[1], *next(it))
                out.append((loss, correct))
            jax.block_until_ready(out)
            return steps, time.perf_counter() - t0
        return sizer.measure(("train", name, batch), run, seconds)

    def evaluate(name, batch, seconds):
        state, it = get(name), batches(batch)

        def run(steps):
            t0 = time.perf_counter()
            out = [eval_step(name, state[0], *next(it)) for _ in range(steps)]
            jax.block_until_ready(out)
            return steps, time.perf_counter() - t0
        return sizer.measure(("eval", name, batch), run, seconds)

    import jaxlib
    peerloop.serve(f"jax={jax.__version__} jaxlib={jaxlib.__version__} optax={optax.__version__} "
                   f"threads={THREADS} devices={jax.device_count()}", train, evaluate,
                   lambda name: sum(a.size for a in jax.tree.leaves(get(name)[0])))


if __name__ == "__main__":
    main()
