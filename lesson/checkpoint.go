package lesson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
)

// metaFile is the file, beside GoMLX's checkpoint files, that records what
// the checkpoint holds.
const metaFile = "lesson.json"

// meta is the content of metaFile.
type meta struct {
	Format  int         `json:"format"`
	Config  Config      `json:"config"`
	History []epochJSON `json:"history"`
}

// epochJSON is EpochStats as JSON, where NaN (no test set) is null.
type epochJSON struct {
	Epoch        int      `json:"epoch"`
	Loss         float64  `json:"loss"`
	Accuracy     float64  `json:"accuracy"`
	TestLoss     *float64 `json:"test_loss"`
	TestAccuracy *float64 `json:"test_accuracy"`
	Images       int      `json:"images"`
	Seconds      float64  `json:"seconds"`
}

// ErrNoCheckpoint is returned (wrapped) by [LoadModel] when dir holds no
// saved model; callers test for it with errors.Is to decide to train.
var ErrNoCheckpoint = errors.New("no saved model")

// Save writes the model (its configuration, weights, optimizer state and
// history) to dir, replacing what was there. It writes into a temporary
// directory beside dir and renames it into place, so an interrupted save
// never leaves a half-written checkpoint behind.
func (m *Model) Save(dir string) error {
	if dir == "" {
		return errors.New("lesson: Save: empty directory name")
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("lesson: Save: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("lesson: Save: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op once renamed
	err = catch("saving the checkpoint to "+dir, func() {
		h, err := checkpoint.Build(m.store).Dir(tmp).Keep(1).Done()
		if err != nil {
			panic(err)
		}
		if err := h.Save(); err != nil {
			panic(err)
		}
	})
	if err != nil {
		return err
	}
	md := meta{Format: 1, Config: m.cfg}
	for _, e := range m.history.Epochs {
		md.History = append(md.History, epochJSON{
			Epoch: e.Epoch, Loss: e.Loss, Accuracy: e.Accuracy, Images: e.Images, Seconds: e.Duration.Seconds(),
			TestLoss: finite(e.TestLoss), TestAccuracy: finite(e.TestAccuracy),
		})
	}
	blob, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return fmt.Errorf("lesson: Save: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, metaFile), blob, 0o644); err != nil {
		return fmt.Errorf("lesson: Save: %w", err)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lesson: Save: moving the previous checkpoint aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return fmt.Errorf("lesson: Save: %w", err)
	}
	_ = os.RemoveAll(old)
	return nil
}

// LoadModel reads a model saved by [Model.Save] in dir onto backend. The
// weights, the optimizer state (training can go on) and the history come
// back. If dir holds no saved model the error wraps [ErrNoCheckpoint].
func LoadModel(backend compute.Backend, dir string) (*Model, error) {
	blob, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lesson: LoadModel: %s: %w (no %s); train one first, e.g. go run ./cmd/lesson03 train -checkpoint %s", dir, ErrNoCheckpoint, metaFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("lesson: LoadModel: %w", err)
	}
	var md meta
	if err := json.Unmarshal(blob, &md); err != nil || md.Format != 1 {
		return nil, fmt.Errorf("lesson: LoadModel: %s: not a lesson checkpoint (format %d, %v); delete the directory and train again", filepath.Join(dir, metaFile), md.Format, err)
	}
	if err := md.Config.validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: md.Config.withDefaults(), backend: backend, store: model.NewStore()}
	m.SetFormulation(Auto)
	err = catch("loading the checkpoint in "+dir, func() {
		if _, err := checkpoint.Build(m.store).Dir(dir).Immediate().Done(); err != nil {
			panic(err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%w; delete %s and train again", err, dir)
	}
	for _, name := range m.weightLayers() {
		if m.store.GetVariable(scopeModel+"/"+name+"/kernel") == nil {
			return nil, fmt.Errorf("lesson: LoadModel: %s has no weights for layer %q of %s; delete it and train again", dir, name, m.cfg)
		}
	}
	for _, e := range md.History {
		m.history.Epochs = append(m.history.Epochs, EpochStats{
			Epoch: e.Epoch, Loss: e.Loss, Accuracy: e.Accuracy, Images: e.Images,
			Duration: secondsToDuration(e.Seconds), TestLoss: orNaN(e.TestLoss), TestAccuracy: orNaN(e.TestAccuracy),
		})
	}
	return m, nil
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func orNaN(x *float64) float64 {
	if x == nil {
		return math.NaN()
	}
	return *x
}
