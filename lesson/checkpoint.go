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
	"github.com/gomlx/gomlx/ml/model/checkpoint"
)

// metaFile is the file, beside GoMLX's checkpoint files, that records what
// the checkpoint holds.
const metaFile = "lesson.json"

// meta is the content of metaFile.
type meta struct {
	Format      int         `json:"format"`
	Fingerprint string      `json:"fingerprint"`
	Model       string      `json:"model"`
	Settings    Settings    `json:"settings"`
	Variables   []variable  `json:"variables"`
	History     []epochJSON `json:"history"`
}

// metaFormat is the version of metaFile that this code writes and reads.
const metaFormat = 2

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

// ErrNoCheckpoint is returned (wrapped) by [Load] when dir holds no saved
// model; callers test for it with errors.Is to decide to train.
var ErrNoCheckpoint = errors.New("no saved model")

// Save writes the model (its weights, optimizer state, settings and
// history) to dir. If dir exists it must be a checkpoint saved before (or
// an empty directory): anything else is refused and left as it is. The
// checkpoint is written into a temporary directory beside dir and renamed
// into place, so an interrupted save never leaves a half-written
// checkpoint behind.
func (m *Model) Save(dir string) error {
	if dir == "" {
		return errors.New("lesson: Save: empty directory name")
	}
	if err := checkReplaceable(dir); err != nil {
		return err
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
	blob, err := json.MarshalIndent(m.meta(), "", "  ")
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

// checkReplaceable refuses a dir that exists and is not a checkpoint of ours
// or an empty directory.
func checkReplaceable(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lesson: checkpoint directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("lesson: checkpoint directory %s is a %s, not a directory; it was left as it is: choose another checkpoint directory", dir, fi.Mode().Type())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("lesson: checkpoint directory %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, metaFile)); err != nil {
		return fmt.Errorf("lesson: %s holds %d files and no %s, so it is not a checkpoint of this lesson; it was left as it is: choose another checkpoint directory", dir, len(entries), metaFile)
	}
	return nil
}

// meta returns what metaFile records of the model.
func (m *Model) meta() meta {
	md := meta{Format: metaFormat, Fingerprint: m.Fingerprint(), Model: m.name, Settings: m.settings, Variables: m.vars}
	for _, e := range m.history.Epochs {
		md.History = append(md.History, epochJSON{
			Epoch: e.Epoch, Loss: e.Loss, Accuracy: e.Accuracy, Images: e.Images, Seconds: e.Duration.Seconds(),
			TestLoss: finite(e.TestLoss), TestAccuracy: finite(e.TestAccuracy),
		})
	}
	return md
}

// Load reads the model net saved by [Model.Save] in dir onto backend: the
// weights, the optimizer state (training can go on), the settings and the
// history come back. If dir holds no saved model the error wraps
// [ErrNoCheckpoint]; if it holds another model (another network, other
// weights' shapes or other settings) the error says what differs.
func Load(backend compute.Backend, net Network, dir string) (*Model, error) {
	md, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	m, err := NewModel(backend, net, md.Settings)
	if err != nil {
		return nil, err
	}
	if err := m.load(dir, md); err != nil {
		return nil, err
	}
	return m, nil
}

// readMeta reads metaFile in dir.
func readMeta(dir string) (meta, error) {
	var md meta
	blob, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return md, fmt.Errorf("lesson: %s: %w (no %s); train one first", dir, ErrNoCheckpoint, metaFile)
	}
	if err != nil {
		return md, fmt.Errorf("lesson: loading %s: %w", dir, err)
	}
	if err := json.Unmarshal(blob, &md); err != nil || md.Format != metaFormat {
		return md, fmt.Errorf("lesson: %s: not a checkpoint of this lesson's format %d (format %d, %v); delete the directory and train again", filepath.Join(dir, metaFile), metaFormat, md.Format, err)
	}
	return md, nil
}

// load sets the model's weights, optimizer state and history from the
// checkpoint in dir, whose metaFile says md, after checking that it holds
// this model.
func (m *Model) load(dir string, md meta) error {
	if err := checkVariables(md.Variables, m.vars); err != nil {
		return fmt.Errorf("lesson: %s holds another model: %w; delete it and train again, or pass the network it was trained with", dir, err)
	}
	if fp := m.Fingerprint(); md.Fingerprint != fp {
		return fmt.Errorf("lesson: %s holds model %s (fingerprint %s), not %s (%s): the same weights with other layers or settings; delete it and train again", dir, md.Model, md.Fingerprint, m.name, fp)
	}
	// Not Immediate(): GoMLX v0.28's immediate load looks variables up by
	// their checkpoint key and so never overwrites the ones the model
	// already has. Without it, existing variables are overwritten now and
	// the optimizer's state is loaded when training creates it.
	err := catch("loading the checkpoint in "+dir, func() {
		if _, err := checkpoint.Build(m.store).Dir(dir).Done(); err != nil {
			panic(err)
		}
	})
	if err != nil {
		return fmt.Errorf("%w; delete %s and train again", err, dir)
	}
	for _, e := range m.execs {
		e.Finalize()
	}
	m.execs = nil
	m.history = History{}
	for _, e := range md.History {
		m.history.Epochs = append(m.history.Epochs, EpochStats{
			Epoch: e.Epoch, Loss: e.Loss, Accuracy: e.Accuracy, Images: e.Images,
			Duration: secondsToDuration(e.Seconds), TestLoss: orNaN(e.TestLoss), TestAccuracy: orNaN(e.TestAccuracy),
		})
	}
	return nil
}

// checkVariables names the first variable whose shape differs between a
// checkpoint (saved) and a model (have), or that only one of them has.
func checkVariables(saved, have []variable) error {
	byName := map[string]variable{}
	for _, v := range saved {
		byName[v.Name] = v
	}
	for _, v := range have {
		s, ok := byName[v.Name]
		switch {
		case !ok:
			return fmt.Errorf("it has no variable %s %v", v.Name, v.Shape)
		case s.DType != v.DType || fmt.Sprint(s.Shape) != fmt.Sprint(v.Shape):
			return fmt.Errorf("variable %s: the checkpoint has %s%v, the model %s%v", v.Name, s.DType, s.Shape, v.DType, v.Shape)
		}
		delete(byName, v.Name)
	}
	for _, v := range saved {
		if _, extra := byName[v.Name]; extra {
			return fmt.Errorf("it has a variable %s %v that the model lacks", v.Name, v.Shape)
		}
	}
	return nil
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
