package lesson

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name, reason, epochs, size, wantErr string
		want                                Settings
	}{
		{"defaults", "unset means the lesson's settings", "", "", "", Settings{Epochs: 5, TrainSize: 60000, BatchSize: 32, CheckpointDir: "/ck"}},
		{"ci", "CI's small settings", "1", "2000", "", Settings{Epochs: 1, TrainSize: 2000, BatchSize: 32, CheckpointDir: "/ck"}},
		{"zero", "0 means the default", "0", "0", "", Settings{Epochs: 5, TrainSize: 60000, BatchSize: 32, CheckpointDir: "/ck"}},
		{"negative", "a negative count is refused", "-1", "", `LESSON_EPOCHS="-1": want a whole number`, Settings{}},
		{"words", "a word is refused", "", "many", `LESSON_TRAIN_SIZE="many"`, Settings{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EpochsEnv, tc.epochs)
			t.Setenv(TrainSizeEnv, tc.size)
			t.Setenv(CheckpointDirEnv, "/ck")
			got, err := SettingsFromEnv()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s: error %v, want one containing %q", tc.reason, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: mismatch (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	s := Settings{Epochs: 1, TrainSize: 2000, BatchSize: 32, CheckpointDir: "/ck"}
	if got, want := s.ModelDir(Config{}), "/ck/cnn-filters64-conv2-hidden128-seed1_epochs1_train2000_batch32"; got != want {
		t.Errorf("ModelDir = %q, want %q", got, want)
	}
	if s.ModelDir(Config{DenseOnly: true}) == s.ModelDir(Config{}) || s.ModelDir(Config{Filters: 32}) == s.ModelDir(Config{}) {
		t.Errorf("ModelDir does not tell models apart")
	}
}

// TestLabModelReusesCheckpoint trains a tiny model through Lab.Fit, then
// checks that a second call (a later notebook cell) loads it instead, and
// that both report the whole history to draw: after the one epoch, then once
// on loading.
func TestLabModelReusesCheckpoint(t *testing.T) {
	d := fixtureData(t)
	var out strings.Builder
	lab := &Lab{Settings: Settings{Epochs: 1, TrainSize: 3, BatchSize: 3, CheckpointDir: t.TempDir()}, Backend: testBackend(t), Train: d, Test: d, Out: &out}
	cfg := Config{Filters: 2, Hidden: 4}
	var drawn []int // epochs in each history drawn
	draw := func(h History) { drawn = append(drawn, len(h.Epochs)) }
	first, err := lab.Fit(cfg, draw)
	if err != nil {
		t.Fatal(err)
	}
	second, err := lab.Fit(cfg, draw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 1}, drawn); diff != "" {
		t.Errorf("epochs per drawn history mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), "training ") || !strings.Contains(out.String(), "loaded ") {
		t.Errorf("want one training and one loading line, got:\n%s", out.String())
	}
	w1, _ := first.Weights("conv2d")
	w2, _ := second.Weights("conv2d")
	if diff := cmp.Diff(w1, w2); diff != "" {
		t.Errorf("loaded weights mismatch (-want +got):\n%s", diff)
	}
}
