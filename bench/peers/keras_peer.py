"""Keras peer of `go run ./bench`: the seed's Sequential model on TensorFlow's CPU build, trained the way the
seed trains it, with a compiled model's fit (and measured with evaluate), driven line by line as
peerloop.py describes.

    .build/peers/bin/python bench/peers/keras_peer.py [THREADS]

A measurement is one call of model.fit(x, y, batch_size=BATCH, epochs=E, verbose=0) on as many synthetic
images as train in the seconds asked (E epochs of at most 60,000 images), timed by a callback from the start
of each epoch to its end, as Keras's own progress bar times an epoch: the conversion of the arrays to a
tf.data pipeline before the first epoch is left out; the tf.function traced on the first call is reused by
the next ones. Evaluation is timed the same way, with model.evaluate.
"""
import os
import sys
import time

os.environ["KERAS_BACKEND"] = "tensorflow"  # whatever ~/.keras/keras.json says
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # TensorFlow's start-up notices

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import peerloop  # noqa: E402


def model(name):
    """The seed's network (cnn) or the notebook's dense network, compiled as the seed compiles it."""
    layers = [keras.Input((28, 28, 1))]
    if name == "cnn":
        layers += [
            keras.layers.Conv2D(64, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D(2, 2),
            keras.layers.Conv2D(64, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D(2, 2),
        ]
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
    m = keras.Sequential(layers)  # Keras's defaults: Glorot-uniform kernels, zero biases
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


class Timer(keras.callbacks.Callback):
    """Adds up the time of fit's epochs and of evaluate's passes."""

    def __init__(self):
        super().__init__()
        self.elapsed = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.elapsed += time.perf_counter() - self.start

    def on_test_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_test_end(self, logs=None):
        self.elapsed += time.perf_counter() - self.start


def split(steps, batch):
    """Returns (passes, steps per pass) for about `steps` steps over arrays of at most MAX_IMAGES images."""
    per = min(steps, peerloop.MAX_IMAGES // batch)
    return max(1, round(steps / per)), per


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    keras.utils.set_random_seed(1)
    pixels, y = peerloop.synthetic(peerloop.MAX_IMAGES)
    x = pixels.astype("float32") / 255  # as the seed scales its images before fit
    models, sizer = {}, peerloop.Sizer()

    def get(name):
        if name not in models:
            models[name] = model(name)
        return models[name]

    def train(name, batch, seconds):
        m = get(name)

        def run(steps):
            epochs, per = split(steps, batch)
            timer, n = Timer(), per * batch
            m.fit(x[:n], y[:n], batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
            return epochs * per, timer.elapsed
        return sizer.measure(("train", name, batch), run, seconds)

    def evaluate(name, batch, seconds):
        m = get(name)

        def run(steps):
            passes, per = split(steps, batch)
            timer, n = Timer(), per * batch
            for _ in range(passes):
                m.evaluate(x[:n], y[:n], batch_size=batch, verbose=0, callbacks=[timer])
            return passes * per, timer.elapsed
        return sizer.measure(("eval", name, batch), run, seconds)

    peerloop.serve(f"keras={keras.__version__} tensorflow={tf.__version__} threads={threads}", train, evaluate,
                   lambda name: get(name).count_params())


if __name__ == "__main__":
    main()
