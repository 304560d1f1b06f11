package lesson

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOpen checks the settings the notebook's opener reads from the
// environment.
func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		name, reason, epochs, size, wantErr string
		want                                Settings
	}{
		{"defaults", "unset means the lesson's settings", "", "", "", Settings{Epochs: 5, TrainSize: 60000, BatchSize: 32, LearningRate: 1e-3, Seed: 1}},
		{"ci", "CI's small settings", "1", "2000", "", Settings{Epochs: 1, TrainSize: 2000, BatchSize: 32, LearningRate: 1e-3, Seed: 1}},
		{"zero", "0 means the default", "0", "0", "", Settings{Epochs: 5, TrainSize: 60000, BatchSize: 32, LearningRate: 1e-3, Seed: 1}},
		{"negative", "a negative count is refused", "-1", "", `LESSON_EPOCHS="-1": want a whole number`, Settings{}},
		{"words", "a word is refused", "", "many", `LESSON_TRAIN_SIZE="many"`, Settings{}},
		{"too many", "more images than the training set has", "", "70000", `70000 training images: want 1 to 60000`, Settings{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EpochsEnv, tc.epochs)
			t.Setenv(TrainSizeEnv, tc.size)
			t.Setenv(CheckpointDirEnv, "/ck")
			t.Setenv(BackendEnv, "go")
			lab, err := Open()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s: error %v, want one containing %q", tc.reason, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, lab.Settings); diff != "" {
				t.Errorf("%s: mismatch (-want +got):\n%s", tc.reason, diff)
			}
			if lab.CheckpointDir != "/ck" || lab.Backend.String() != "go" {
				t.Errorf("%s: checkpoint dir %q and backend %s, want /ck and go from the environment", tc.reason, lab.CheckpointDir, lab.Backend)
			}
			if lab.train != nil || lab.test != nil {
				t.Errorf("Open read the data; it must wait until a cell asks for it")
			}
		})
	}
}
