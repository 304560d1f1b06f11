// Package lesson is the engine behind the "convolutions" lesson: it builds
// the lesson's small convolutional network with GoMLX on the Fashion-MNIST
// data of package fashion, trains and evaluates it, keeps checkpoints, and
// explains its summary row by row. Package viz displays what it computes in
// the notebook; lesson never imports viz.
//
// The notebook notebooks/03_convolution.ipynb, the terminal command
// cmd/lesson03, the benchmark in bench/ and the docker image all call this
// package, so a student's notebook and a teacher's terminal show the same
// numbers and pictures.
//
// The model is exactly the one of the TensorFlow/Keras lesson:
//
//	Conv2D(64, 3×3, relu) → MaxPool 2×2 → Conv2D(64, 3×3, relu) → MaxPool 2×2 →
//	Flatten (1600) → Dense(128, relu) → Dense(10, softmax)
//
// trained with Adam(1e-3) on the sparse categorical cross-entropy, batch 32,
// for 5 epochs. See [Config] for the knobs the exercises turn.
//
// Values are computed first and shown second: functions such as [Summary]
// return values that the terminal command prints and that package viz
// displays inside a GoNB notebook.
package lesson
