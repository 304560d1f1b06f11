// Package lesson builds, trains and explains small image classifiers with
// GoMLX: a network is a Go function that adds layers to a [Seq], in order,
// as Keras's Sequential model lists them, and the [Model] built from it
// gives its Keras-style summary with the arithmetic of each row, trains
// with a Keras-like progress line, keeps checkpoints keyed by its
// fingerprint, and returns what every layer sees.
//
// The lesson's network is [CNN], exactly the TensorFlow/Keras lesson's:
//
//	Conv2D(64, 3×3, relu) → MaxPool 2×2 → Conv2D(64, 3×3, relu) → MaxPool 2×2 →
//	Flatten (1600) → Dense(128, relu) → Dense(10, softmax)
//
// trained with Adam(1e-3) on the sparse categorical cross-entropy, batch 32,
// for 5 epochs ([Settings]). The notebook notebooks/03_convolution.ipynb
// writes the same network in a cell, and the terminal command cmd/lesson03,
// the benchmark in bench/ and the docker image call this package through
// [Lab], so a student's notebook and a teacher's terminal train, save and
// load the same models.
//
// The data comes from package fashion (Fashion-MNIST); package viz draws
// and displays what this package computes inside a GoNB notebook. Values
// are computed first and shown second, and lesson never imports viz.
package lesson
