package lesson

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/gonb-lessons/convolutions/lesson/internal/ckpt"
	"github.com/google/go-cmp/cmp"
)

// testBackend returns the pure-Go backend, which every machine has.
func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, _, err := NewBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The networks of the notebook's exercises, as a learner edits CNN.
func filters16(s *Seq) {
	s.Conv2D(16, 3, ReLU)
	s.MaxPool2D(2)
	s.Conv2D(16, 3, ReLU)
	s.MaxPool2D(2)
	s.Flatten()
	s.Dense(128, ReLU)
	s.Dense(10, Softmax)
}

func oneConv(s *Seq) {
	s.Conv2D(64, 3, ReLU)
	s.MaxPool2D(2)
	s.Flatten()
	s.Dense(128, ReLU)
	s.Dense(10, Softmax)
}

func denseNet(s *Seq) {
	s.Flatten()
	s.Dense(128, ReLU)
	s.Dense(10, Softmax)
}

func lenet(s *Seq) {
	s.Conv2DSame(6, 5, ReLU)
	s.MaxPool2D(2)
	s.Conv2D(16, 5, ReLU)
	s.MaxPool2D(2)
	s.Flatten()
	s.Dense(120, ReLU)
	s.Dense(84, ReLU)
	s.Dense(10, Softmax)
}

// cnnCopy is CNN written again under another name, as a notebook cell does.
func cnnCopy(s *Seq) {
	s.Conv2D(64, 3, ReLU)
	s.MaxPool2D(2)
	s.Conv2D(64, 3, ReLU)
	s.MaxPool2D(2)
	s.Flatten()
	s.Dense(128, ReLU)
	s.Dense(10, Softmax)
}

// TestSummaryFromModel checks the layers recorded while building each
// network against Keras's numbers.
func TestSummaryFromModel(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		net     Network
		outputs [][]int
		params  []int
		total   int
	}{
		{
			name:    "cnn",
			reason:  "the lesson's model is exactly the Keras lesson's: 26→13→11→5, 243,786 parameters",
			net:     CNN,
			outputs: [][]int{{26, 26, 64}, {13, 13, 64}, {11, 11, 64}, {5, 5, 64}, {1600}, {128}, {10}},
			params:  []int{640, 0, 36928, 0, 0, 204928, 1290},
			total:   243786,
		},
		{
			name:    "16 filters",
			reason:  "exercise 1: (3·3·1+1)·16 = 160, (3·3·16+1)·16 = 2,320, 400·128+128 = 51,328",
			net:     filters16,
			outputs: [][]int{{26, 26, 16}, {13, 13, 16}, {11, 11, 16}, {5, 5, 16}, {400}, {128}, {10}},
			params:  []int{160, 0, 2320, 0, 0, 51328, 1290},
			total:   55098,
		},
		{
			name:    "one conv layer",
			reason:  "exercise 2: one block leaves 13×13×64 = 10,816 inputs to the dense layer",
			net:     oneConv,
			outputs: [][]int{{26, 26, 64}, {13, 13, 64}, {10816}, {128}, {10}},
			params:  []int{640, 0, 0, 1384576, 1290},
			total:   1386506,
		},
		{
			name:    "dense",
			reason:  "last lesson's network: 784·128+128 = 100,480",
			net:     denseNet,
			outputs: [][]int{{784}, {128}, {10}},
			params:  []int{0, 100480, 1290},
			total:   101770,
		},
		{
			name:    "lenet",
			reason:  "same padding keeps 28×28; 5×5 kernels: (5·5·1+1)·6 = 156, (5·5·6+1)·16 = 2,416",
			net:     lenet,
			outputs: [][]int{{28, 28, 6}, {14, 14, 6}, {10, 10, 16}, {5, 5, 16}, {400}, {120}, {84}, {10}},
			params:  []int{156, 0, 2416, 0, 0, 48120, 10164, 850},
			total:   61706,
		},
	}
	b := testBackend(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewModel(b, tc.net, Settings{})
			if err != nil {
				t.Fatal(err)
			}
			table := m.Summary()
			var outputs [][]int
			var params []int
			for _, l := range table.Layers {
				outputs = append(outputs, l.Output)
				params = append(params, l.Params)
			}
			if diff := cmp.Diff(tc.outputs, outputs); diff != "" {
				t.Errorf("%s\noutput shapes mismatch (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.params, params); diff != "" {
				t.Errorf("%s\nparameters mismatch (-want +got):\n%s", tc.reason, diff)
			}
			if table.Total != tc.total {
				t.Errorf("%s\ntotal %d, want %d", tc.reason, table.Total, tc.total)
			}
			acts, err := m.Activations(nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range table.Layers {
				if diff := cmp.Diff(append([]int{1}, l.Output...), acts[i].Shape); diff != "" {
					t.Errorf("layer %s: the graph's output shape differs from the summary's (-summary +graph):\n%s", l.Name, diff)
				}
			}
		})
	}
}

// TestNetworkErrors checks that a network that cannot be built gives an
// error naming the layer and the fix, not GoMLX's compilation text.
func TestNetworkErrors(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		net    Network
		want   string
	}{
		{"conv after flatten", "a convolution needs images", func(s *Seq) { s.Flatten(); s.Conv2D(4, 3, ReLU) },
			"layer 2, conv2d (Conv2D): it needs images [batch, height, width, channels] but gets [batch, 784]: put it before Flatten"},
		{"kernel too big", "three blocks shrink 28 to 1: a third 3×3 kernel no longer fits",
			func(s *Seq) {
				for range 3 {
					s.Conv2D(4, 3, ReLU)
					s.MaxPool2D(2)
				}
				s.Conv2D(4, 3, ReLU)
			}, "conv2d_3 (Conv2D): a 3×3 kernel does not fit its 1×1 input"},
		{"dense before flatten", "Dense needs a flat input", func(s *Seq) { s.Dense(10, Softmax) },
			"dense (Dense): it needs a flat input [batch, n] but gets [batch, 28, 28, 1]: put Flatten before it"},
		{"softmax not last", "softmax turns scores into probabilities at the end only",
			func(s *Seq) { s.Flatten(); s.Dense(10, Softmax); s.Dense(10, Softmax) }, "it comes after a Softmax layer"},
		{"wrong classes", "the last layer must give 10 scores",
			func(s *Seq) { s.Flatten(); s.Dense(5, Softmax) }, "it must output one score per class, [batch, 10]"},
		{"empty", "a network needs layers", func(s *Seq) {}, "it adds no layer"},
		{"even same kernel", "same padding pads (k−1)/2 on each side", func(s *Seq) { s.Conv2DSame(4, 4, ReLU) },
			"\"same\" padding needs an odd kernel size, got 4"},
	}
	b := testBackend(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewModel(b, tc.net, Settings{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "lesson: network: ") {
				t.Errorf("%s\nNewModel error = %v\nwant one starting \"lesson: network: \" with %q", tc.reason, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "compilation failed") {
				t.Errorf("the error carries GoMLX's compilation text: %v", err)
			}
		})
	}
}

// TestFingerprint checks that the fingerprint follows the model and its
// settings, and not the function's name.
func TestFingerprint(t *testing.T) {
	b := testBackend(t)
	fp := func(net Network, s Settings) string {
		t.Helper()
		m, err := NewModel(b, net, s)
		if err != nil {
			t.Fatal(err)
		}
		return m.Fingerprint()
	}
	base := fp(CNN, Settings{})
	if got := fp(cnnCopy, Settings{}); got != base {
		t.Errorf("the same network under another name has fingerprint %s, want %s: the notebook's cnn and lesson.CNN must share checkpoints", got, base)
	}
	if got := fp(CNN, Settings{Epochs: 5, BatchSize: 32, LearningRate: 1e-3, Seed: 1, TrainSize: 60000}); got != base {
		t.Errorf("explicit defaults give fingerprint %s, want %s", got, base)
	}
	for name, other := range map[string]string{
		"16 filters":  fp(filters16, Settings{}),
		"one conv":    fp(oneConv, Settings{}),
		"1 epoch":     fp(CNN, Settings{Epochs: 1}),
		"batch 64":    fp(CNN, Settings{BatchSize: 64}),
		"2000 images": fp(CNN, Settings{TrainSize: 2000}),
		"seed 2":      fp(CNN, Settings{Seed: 2}),
	} {
		if other == base {
			t.Errorf("%s: same fingerprint as the lesson's model, %s: a stale checkpoint would load", name, base)
		}
	}
	if m, _ := NewModel(b, cnnCopy, Settings{}); m.Name() != "cnnCopy" {
		t.Errorf("Name() = %q, want the function's name cnnCopy", m.Name())
	}
	if m, _ := NewModel(b, func(s *Seq) { denseNet(s) }, Settings{}); m.Name() != "sequential" {
		t.Errorf("Name() of an anonymous function = %q, want Keras's default \"sequential\"", m.Name())
	}
}

// TestActivationsLikeKeras checks the seed's activation model: 7 outputs,
// pred[0] is [1, 26, 26, 64], relu outputs are non-negative and the last
// output is a probability distribution.
func TestActivationsLikeKeras(t *testing.T) {
	m, err := NewModel(testBackend(t), CNN, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	d := fixtureData(t)
	pred, err := m.Activations(d.Head(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(pred) != 7 {
		t.Fatalf("len(pred) = %d, want 7", len(pred))
	}
	if diff := cmp.Diff([]int{2, 26, 26, 64}, pred[0].Shape); diff != "" {
		t.Errorf("pred[0].Shape mismatch (-want +got):\n%s", diff)
	}
	for i := range 4 {
		for _, v := range pred[i].Values {
			if v < 0 {
				t.Fatalf("layer %d output has %g < 0 after relu", i, v)
			}
		}
	}
	for row := range 2 {
		sum := 0.0
		for c := range fashion.NumClasses {
			sum += float64(pred[6].At(row, c))
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Errorf("softmax row %d sums to %g, want 1", row, sum)
		}
	}
	some, err := m.Activations(d.Head(1), "dense_1", "conv2d")
	if err != nil {
		t.Fatal(err)
	}
	if len(some) != 2 || some[0].Shape[1] != 10 || some[1].Shape[3] != 64 {
		t.Errorf("Activations(d, \"dense_1\", \"conv2d\") shapes %v, %v; want [1 10] and [1 26 26 64]", some[0].Shape, some[1].Shape)
	}
	if _, err := m.Activations(d, "conv3d"); err == nil || !strings.Contains(err.Error(), "conv2d_1") {
		t.Errorf("Activations of an unknown layer: error %v, want one listing the layers", err)
	}
	if _, err := m.Weights("max_pooling2d"); err == nil {
		t.Errorf("Weights(max_pooling2d) = nil error, want one: pooling has no weights")
	}
	w, err := m.Weights("conv2d")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{3, 3, 1, 64}, w.Shape); diff != "" {
		t.Errorf("conv2d kernel shape mismatch (-want +got):\n%s", diff)
	}
	limit := math.Sqrt(6.0 / (9 + 9*64)) // Glorot uniform, as Keras
	for _, v := range w.Values {
		if math.Abs(float64(v)) > limit {
			t.Fatalf("conv2d kernel value %g outside Glorot-uniform limit ±%g", v, limit)
		}
	}
}

// realData loads n training and test images of the real Fashion-MNIST from
// Debian's dataset-fashion-mnist package. It fails, never skips, when the
// files are missing: CI installs them.
func realData(t *testing.T, nTrain, nTest int) (train, test *fashion.Data) {
	t.Helper()
	opts := fashion.LoadOptions{Dir: "/usr/share/datasets/fashion-mnist", NoDownload: true}
	train, err := fashion.Load(t.Context(), fashion.Train, opts)
	if err != nil {
		t.Fatalf("%v\n(install Debian's dataset-fashion-mnist: apt-get install dataset-fashion-mnist)", err)
	}
	test, err = fashion.Load(t.Context(), fashion.Test, opts)
	if err != nil {
		t.Fatal(err)
	}
	return train.Head(nTrain), test.Head(nTest)
}

// TestTrainRealData trains on a slice of the real data and must beat chance
// (10%) by a wide margin; it then checks the checkpoint round trip.
func TestTrainRealData(t *testing.T) {
	if testing.Short() {
		t.Log("-short: training on 640 images instead of 2,000")
	}
	n := 2000
	if testing.Short() {
		n = 640
	}
	train, test := realData(t, n, 1000)
	m, err := NewModel(testBackend(t), CNN, Settings{Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	var seen []History
	var progress strings.Builder
	h, err := m.Train(context.Background(), train, test, Callbacks{Progress: &progress, OnEpoch: func(h History) { seen = append(seen, h) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || len(seen) != 2 || len(seen[1].Epochs) != 2 {
		t.Fatalf("history has %d epochs, OnEpoch was called %d times; want 2 each, the second with the whole history", len(h.Epochs), len(seen))
	}
	last, _ := h.Last()
	if last.TestAccuracy < 0.6 {
		t.Errorf("test accuracy after 2 epochs on %d images = %.4f, want ≥ 0.6 (chance is 0.1)", n, last.TestAccuracy)
	}
	if h.Epochs[1].Loss >= h.Epochs[0].Loss {
		t.Errorf("training loss did not fall: epoch 1 %.4f, epoch 2 %.4f", h.Epochs[0].Loss, h.Epochs[1].Loss)
	}
	steps := (n + 31) / 32
	for _, want := range []string{"Epoch 1/2", "Epoch 2/2", "/step - loss: ", " - accuracy: ", " - test_accuracy: ", strings.Repeat("=", 30)} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress output lacks %q:\n%s", want, progress.String())
		}
	}
	if !strings.Contains(progress.String(), fmt.Sprintf("%d/%d", steps, steps)) {
		t.Errorf("progress output lacks the final step count %d/%d", steps, steps)
	}

	// The checkpoint round trip: same predictions, same history, training can go on.
	dir := filepath.Join(t.TempDir(), "ckpt")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(testBackend(t), CNN, dir)
	if err != nil {
		t.Fatal(err)
	}
	_, acc, err := loaded.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(acc-last.TestAccuracy) > 1e-9 {
		t.Errorf("loaded model's accuracy %.4f, saved model's %.4f", acc, last.TestAccuracy)
	}
	if diff := cmp.Diff(len(m.History().Epochs), len(loaded.History().Epochs)); diff != "" {
		t.Errorf("history length mismatch (-want +got):\n%s", diff)
	}
	if math.Abs(loaded.History().Epochs[1].Loss-h.Epochs[1].Loss) > 1e-12 {
		t.Errorf("loaded history loss %g, want %g", loaded.History().Epochs[1].Loss, h.Epochs[1].Loss)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 2 || entries[0].Name() != ".ckpt.lock" {
		t.Errorf("Save left %v beside the checkpoint, want just it and its lock file .ckpt.lock", entries)
	}
	h3, err := loaded.Train(context.Background(), train.Head(64), nil, Callbacks{})
	if err != nil {
		t.Fatalf("training a loaded model: %v", err)
	}
	if h3.Epochs[0].Epoch != 3 {
		t.Errorf("epoch after loading a 2-epoch checkpoint numbered %d, want 3", h3.Epochs[0].Epoch)
	}
}

// TestTrainStop checks early stopping: Stop sees the history after each
// epoch and ends training when it returns true.
func TestTrainStop(t *testing.T) {
	m, err := NewModel(testBackend(t), denseNet, Settings{Epochs: 5, BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	h, err := m.Train(context.Background(), fixtureData(t), nil, Callbacks{Stop: func(h History) bool {
		seen = append(seen, len(h.Epochs))
		return len(h.Epochs) == 2
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || fmt.Sprint(seen) != "[1 2]" {
		t.Errorf("trained %d epochs, Stop saw histories of %v epochs; want 2 epochs and [1 2]", len(h.Epochs), seen)
	}
}

func TestTrainCancelled(t *testing.T) {
	m, err := NewModel(testBackend(t), filters16, Settings{Epochs: 1, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = m.Train(ctx, fixtureData(t), nil, Callbacks{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Train with a cancelled context: error = %v, want context.Canceled", err)
	}
}

// TestLoadErrors checks that a directory that holds no checkpoint, a
// corrupt one, or the checkpoint of another model gives an error that says
// what is wrong and what to do.
func TestLoadErrors(t *testing.T) {
	b := testBackend(t)
	empty := t.TempDir()
	if _, err := Load(b, CNN, empty); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("Load(empty dir) error = %v, want ErrNoCheckpoint", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, ckpt.MetaFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(b, CNN, bad)
	if err == nil || !strings.Contains(err.Error(), "not a checkpoint this lesson can load") || !strings.Contains(err.Error(), "train again") {
		t.Errorf("Load(corrupt meta) error = %v, want 'not a checkpoint this lesson can load … train again'", err)
	}

	// The checkpoint of a 16-filter model, loaded as the lesson's CNN: the
	// error names the first variable whose shape differs.
	small, err := NewModel(b, filters16, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "small")
	if err := small.Save(dir); err != nil {
		t.Fatal(err)
	}
	md, err := readMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	cnn, err := NewModel(b, CNN, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	err = cnn.load(dir, md)
	want := "variable /model/conv2d/biases: checkpoint has [16], the model has [64]"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "train again") {
		t.Errorf("loading a 16-filter checkpoint into the CNN: error = %v, want one with %q", err, want)
	}
	if _, err := Load(b, filters16, dir); err != nil {
		t.Errorf("Load with the right network: %v", err)
	}
}

// TestSaveRefusesWhatIsNotOurs checks that Save never replaces a directory
// or file that is not a checkpoint of ours, and leaves it as it was.
func TestSaveRefusesWhatIsNotOurs(t *testing.T) {
	m, err := NewModel(testBackend(t), denseNet, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	notes := filepath.Join(root, "notes")
	if err := os.MkdirAll(filepath.Join(notes, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(notes, "src", "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "file.txt")
	if err := os.WriteFile(file, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{notes, file} {
		if err := m.Save(dir); err == nil || !strings.Contains(err.Error(), "lesson: Save: ") {
			t.Errorf("Save(%s) error = %v, want a refusal", dir, err)
		}
	}
	if blob, err := os.ReadFile(filepath.Join(notes, "src", "main.go")); err != nil || string(blob) != "package main\n" {
		t.Errorf("the notes directory changed: %q, %v", blob, err)
	}
	if blob, err := os.ReadFile(file); err != nil || string(blob) != "keep me" {
		t.Errorf("the file changed: %q, %v", blob, err)
	}
	// A checkpoint of ours is replaced, and an empty directory is used.
	ours := filepath.Join(root, "ours")
	for range 2 {
		if err := m.Save(ours); err != nil {
			t.Errorf("Save over a checkpoint of ours: %v", err)
		}
	}
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(empty); err != nil {
		t.Errorf("Save into an empty directory: %v", err)
	}
}

// TestLabModelReusesCheckpoint trains a tiny model through Lab.Model, then
// checks that a second call (a later notebook cell) loads it instead, and
// that an edited network trains anew.
func TestLabModelReusesCheckpoint(t *testing.T) {
	d := fixtureData(t)
	var out strings.Builder
	lab := &Lab{Settings: Settings{Epochs: 1, TrainSize: 3, BatchSize: 3}, CheckpointDir: t.TempDir(), Backend: testBackend(t), Out: &out}
	lab.train, lab.test = d, d
	var drawn []int
	first, err := lab.Model(denseNet, func(h History) { drawn = append(drawn, len(h.Epochs)) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "training denseNet") || !strings.Contains(out.String(), "saved denseNet") {
		t.Errorf("first Lab.Model output lacks 'training' and 'saved':\n%s", out.String())
	}
	out.Reset()
	second, err := lab.Model(denseNet, func(h History) { drawn = append(drawn, len(h.Epochs)) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "loaded denseNet") || strings.Contains(out.String(), "Epoch 1/1") {
		t.Errorf("second Lab.Model trained again instead of loading:\n%s", out.String())
	}
	if diff := cmp.Diff([]int{1, 1}, drawn); diff != "" {
		t.Errorf("onEpoch calls (history lengths) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(first.History().Epochs[0].Loss, second.History().Epochs[0].Loss); diff != "" {
		t.Errorf("loaded history differs (-trained +loaded):\n%s", diff)
	}
	out.Reset()
	if _, err := lab.Model(func(s *Seq) { s.Flatten(); s.Dense(16, ReLU); s.Dense(10, Softmax) }, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "training sequential") {
		t.Errorf("an edited network loaded a checkpoint instead of training:\n%s", out.String())
	}
}

// TestCheckMemory checks that a batch too big for the memory is refused
// before training, with both numbers in the message.
func TestCheckMemory(t *testing.T) {
	m, err := NewModel(testBackend(t), CNN, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	per := trainBytesPerImage(m)
	if per < 800<<10 || per > 2<<20 {
		t.Errorf("the lesson's model needs %d bytes per image of a batch, want about 1.1 MiB (0.8 to 2 MiB)", per)
	}
	if err := checkMemory(m, 32); err != nil {
		t.Errorf("batch 32: %v", err)
	}
	err = checkMemory(m, 1<<30)
	if !errors.Is(err, ErrBatchTooBig) || !strings.Contains(err.Error(), "GiB") || !strings.Contains(err.Error(), "available") || !strings.Contains(err.Error(), "smaller batch") {
		t.Errorf("a batch of 2^30 images: error %v, want a refusal with what it needs and what is available", err)
	}
}

// TestPrefetchCancelled checks that cancelling training between two steps
// always ends the epoch with an error, never as if it had finished: once
// cancelled, the producer's closed channel (or a batch still buffered) must
// not pass for the end of the epoch. Before the fix a SIGTERM could end the
// epoch early without an error, and the model, trained on part of an
// epoch, was saved.
func TestPrefetchCancelled(t *testing.T) {
	d := fixtureData(t)
	for round := range 100 {
		ctx, cancel := context.WithCancel(context.Background())
		var last batch
		n := 0
		// Two batches fit in prefetch's buffer: the producer has sent both
		// and closed the channel when the first is being used.
		for b := range prefetch(ctx, d, []int{0, 1}, 1) {
			last = b
			if n++; n == 1 {
				time.Sleep(time.Millisecond)
				cancel()
			}
		}
		cancel()
		if !errors.Is(last.err, context.Canceled) {
			t.Fatalf("round %d: cancelled after the first of 2 batches, the epoch ended after %d with error %v; want context.Canceled", round, n, last.err)
		}
	}
}
