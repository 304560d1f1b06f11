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

	"github.com/gomlx/compute"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/google/go-cmp/cmp"
)

// testBackend returns the pure-Go backend, which every machine has.
func testBackend(t *testing.T) compute.Backend {
	t.Helper()
	b, _, err := newBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConfigLayers(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		cfg     Config
		shapes  [][]int
		params  []int
		total   int
		summary []string // substrings of the arithmetic column
	}{
		{
			name:   "seed",
			reason: "the zero Config is exactly the Keras lesson's model: 26→13→11→5, 243,786 parameters",
			cfg:    Config{},
			shapes: [][]int{{26, 26, 64}, {13, 13, 64}, {11, 11, 64}, {5, 5, 64}, {1600}, {128}, {10}},
			params: []int{640, 0, 36928, 0, 0, 204928, 1290},
			total:  243786,
			summary: []string{"(3·3·1+1)·64 = 640", "(3·3·64+1)·64 = 36,928", "1,600·128+128 = 204,928",
				"28−3+1 = 26", "⌊26/2⌋ = 13", "13−3+1 = 11", "⌊11/2⌋ = 5"},
		},
		{
			name:   "16 filters",
			reason: "the first exercise: fewer filters shrink both conv layers and the flatten",
			cfg:    Config{Filters: 16},
			shapes: [][]int{{26, 26, 16}, {13, 13, 16}, {11, 11, 16}, {5, 5, 16}, {400}, {128}, {10}},
			params: []int{160, 0, 2320, 0, 0, 51328, 1290},
			total:  55098,
		},
		{
			name:   "one conv layer",
			reason: "removing a conv block leaves a 13×13×64 map to flatten",
			cfg:    Config{ConvLayers: 1},
			shapes: [][]int{{26, 26, 64}, {13, 13, 64}, {10816}, {128}, {10}},
			params: []int{640, 0, 0, 1384576, 1290},
			total:  1386506,
		},
		{
			name:   "dense only",
			reason: "the previous lesson's network: Flatten → Dense(128) → Dense(10)",
			cfg:    Config{DenseOnly: true},
			shapes: [][]int{{784}, {128}, {10}},
			params: []int{0, 100480, 1290},
			total:  101770,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var shapes [][]int
			var params []int
			var arithmetic string
			for _, l := range tc.cfg.Layers() {
				shapes = append(shapes, l.Output)
				params = append(params, l.Params)
				arithmetic += l.Arithmetic + "\n"
			}
			if diff := cmp.Diff(tc.shapes, shapes); diff != "" {
				t.Errorf("%s\nshapes mismatch (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.params, params); diff != "" {
				t.Errorf("%s\nparams mismatch (-want +got):\n%s", tc.reason, diff)
			}
			if got := Summary(tc.cfg).Total; got != tc.total {
				t.Errorf("%s\nSummary total = %d, want %d", tc.reason, got, tc.total)
			}
			for _, s := range tc.summary {
				if !strings.Contains(arithmetic, s) {
					t.Errorf("%s\narithmetic column lacks %q:\n%s", tc.reason, s, arithmetic)
				}
			}
		})
	}
}

func TestConfigInvalid(t *testing.T) {
	for _, tc := range []struct {
		cfg    Config
		reason string
		want   string
	}{
		{Config{ConvLayers: 3}, "a third 3×3 conv cannot fit a 5×5 map after two pools", "ConvLayers = 3"},
		{Config{Filters: -1}, "negative filters make no layer", "Filters = -1"},
		{Config{Hidden: -5}, "negative width makes no layer", "Hidden = -5"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := NewModel(testBackend(t), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "lesson: ") {
				t.Errorf("%s\nNewModel(%+v) error = %v, want one mentioning %q", tc.reason, tc.cfg, err, tc.want)
			}
		})
	}
}

// TestModelMatchesSummary builds each network for real and checks that its
// variables hold exactly the parameters the summary promises, and that every
// layer's output has the promised shape.
func TestModelMatchesSummary(t *testing.T) {
	b := testBackend(t)
	for _, cfg := range []Config{{}, {Filters: 16}, {ConvLayers: 1}, {DenseOnly: true}} {
		t.Run(cfg.String(), func(t *testing.T) {
			m, err := NewModel(b, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := m.NumParams(), Summary(cfg).Total; got != want {
				t.Errorf("model variables hold %d parameters, summary says %d", got, want)
			}
			acts, err := m.Activations(nil)
			if err != nil {
				t.Fatal(err)
			}
			layers := cfg.Layers()
			if len(acts) != len(layers) {
				t.Fatalf("Activations returned %d outputs, want one per layer (%d)", len(acts), len(layers))
			}
			for i, l := range layers {
				if diff := cmp.Diff(append([]int{1}, l.Output...), acts[i].Shape); diff != "" {
					t.Errorf("layer %s shape mismatch (-want +got):\n%s", l.Name, diff)
				}
			}
		})
	}
}

// TestActivationsLikeKeras checks the seed's activation model: 7 outputs,
// pred[0] is [1, 26, 26, 64], relu outputs are non-negative and the last
// output is a probability distribution.
func TestActivationsLikeKeras(t *testing.T) {
	m, err := NewModel(testBackend(t), Config{})
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
	train, err := fashion.Load(fashion.Train, opts)
	if err != nil {
		t.Fatalf("%v\n(install Debian's dataset-fashion-mnist: apt-get install dataset-fashion-mnist)", err)
	}
	test, err = fashion.Load(fashion.Test, opts)
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
	m, err := NewModel(testBackend(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []EpochStats
	var progress strings.Builder
	h, err := m.Train(context.Background(), train, test, TrainOptions{Epochs: 2, Progress: &progress, OnEpoch: func(s EpochStats) { seen = append(seen, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || len(seen) != 2 {
		t.Fatalf("history has %d epochs, OnEpoch saw %d; want 2 each", len(h.Epochs), len(seen))
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
	loaded, err := LoadModel(m.Backend(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, acc, err := loaded.Evaluate(test, 0)
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
	if len(entries) != 1 {
		t.Errorf("Save left %d entries beside the checkpoint, want just it: %v", len(entries), entries)
	}
	h3, err := loaded.Train(context.Background(), train.Head(64), nil, TrainOptions{Epochs: 1})
	if err != nil {
		t.Fatalf("training a loaded model: %v", err)
	}
	if h3.Epochs[0].Epoch != 3 {
		t.Errorf("epoch after loading a 2-epoch checkpoint numbered %d, want 3", h3.Epochs[0].Epoch)
	}
}

func TestTrainCancelled(t *testing.T) {
	m, err := NewModel(testBackend(t), Config{Filters: 4, Hidden: 8})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = m.Train(ctx, fixtureData(t), nil, TrainOptions{Epochs: 1, BatchSize: 1})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("fashion.Train with a cancelled context: error = %v, want context.Canceled", err)
	}
}

func TestLoadModelErrors(t *testing.T) {
	b := testBackend(t)
	empty := t.TempDir()
	if _, err := LoadModel(b, empty); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("LoadModel(empty dir) error = %v, want ErrNoCheckpoint", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, metaFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadModel(b, bad)
	if err == nil || !strings.Contains(err.Error(), "not a lesson checkpoint") || !strings.Contains(err.Error(), "train again") {
		t.Errorf("LoadModel(corrupt meta) error = %v, want 'not a lesson checkpoint … train again'", err)
	}
	// A meta file without GoMLX's weights beside it.
	noWeights := t.TempDir()
	if err := os.WriteFile(filepath.Join(noWeights, metaFile), []byte(`{"format":1,"config":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModel(b, noWeights); err == nil || !strings.Contains(err.Error(), "train again") {
		t.Errorf("LoadModel(meta without weights) error = %v, want an actionable error", err)
	}
}
