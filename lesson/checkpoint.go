package lesson

import (
	"errors"
	"fmt"
	"io/fs"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gonb-lessons/convolutions/lesson/internal/ckpt"
)

// ErrNoCheckpoint is returned (wrapped) by [Load] when dir holds no saved
// model; callers test for it with errors.Is to decide to train.
var ErrNoCheckpoint = errors.New("no saved model")

// Save writes the model (its weights, optimizer state, settings and
// history) to dir. If dir exists it must be a checkpoint saved before (or
// an empty directory): anything else is refused and left as it is. The
// checkpoint is written into a temporary directory beside dir and swapped
// in, so an interruption at any moment (Ctrl-C, a full disk, a kill) leaves
// the previous checkpoint loadable, and leftovers of a killed save are
// cleaned up by the next one.
func (m *Model) Save(dir string) error {
	if dir == "" {
		return errors.New("lesson: Save: empty directory name")
	}
	md := m.meta()
	err := ckpt.Replace(dir, func(tmp string) error {
		err := catch("saving the checkpoint to "+dir, func() {
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
		return md.Write(tmp)
	})
	if err != nil {
		return fmt.Errorf("lesson: Save: %w", err)
	}
	return nil
}

// meta returns what the checkpoint's metadata file records of the model.
func (m *Model) meta() ckpt.Meta {
	// Settings and ckpt.Settings have the same fields: the conversions here
	// and in Load stop compiling if they drift apart.
	md := ckpt.Meta{Format: ckpt.Format, Fingerprint: m.Fingerprint(), Model: m.name, Variables: m.vars,
		Settings: ckpt.Settings(m.settings)}
	for _, e := range m.history.Epochs {
		md.History = append(md.History, ckpt.Epoch{
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
	m, err := NewModel(backend, net, Settings(md.Settings))
	if err != nil {
		return nil, err
	}
	if err := m.load(dir, md); err != nil {
		return nil, err
	}
	return m, nil
}

// readMeta reads the metadata of the checkpoint in dir, first finishing a
// save that was killed half-way (ckpt.Recover).
func readMeta(dir string) (ckpt.Meta, error) {
	if err := ckpt.Recover(dir); err != nil {
		return ckpt.Meta{}, fmt.Errorf("lesson: %w", err)
	}
	md, err := ckpt.ReadMeta(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return md, fmt.Errorf("lesson: %s: %w; train one first", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return md, fmt.Errorf("lesson: %s is not a checkpoint this lesson can load: %w; delete it and train again", dir, err)
	}
	return md, nil
}

// load sets the model's weights, optimizer state and history from the
// checkpoint in dir, whose metaFile says md, after checking that it holds
// this model.
func (m *Model) load(dir string, md ckpt.Meta) error {
	if err := md.CheckVariables(m.vars); err != nil {
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
