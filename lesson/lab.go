package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/gonb-lessons/convolutions/lesson/internal/ckpt"
)

// The environment variables [Open] reads, so that a notebook's settings
// change without editing its cells. GOMLX_BACKEND ([BackendEnv]) picks the
// backend; fashion's variables say where the data is.
const (
	// EpochsEnv is the number of training epochs; unset or 0 means 5.
	EpochsEnv = "LESSON_EPOCHS"
	// TrainSizeEnv is the number of training images used, the first ones of
	// the training set; unset or 0 means all 60,000.
	TrainSizeEnv = "LESSON_TRAIN_SIZE"
	// CheckpointDirEnv is the directory that holds trained models; unset
	// means [DefaultCheckpointDir].
	CheckpointDirEnv = "LESSON_CHECKPOINT_DIR"
)

// Lab is what a notebook's cells and the terminal command share: the
// backend, the training settings, where checkpoints go and where the data
// comes from. Every GoNB cell is a new process, so each cell opens it again;
// [Lab.Model] then loads trained models from disk in about a second, and the
// data is read only when a cell asks for it.
type Lab struct {
	// Backend runs the models.
	Backend compute.Backend
	// BackendLine says which backend runs and why, for the reader.
	BackendLine string
	// Settings are the training settings of the models the lab makes.
	Settings Settings
	// CheckpointDir holds one directory per trained model, named by its
	// [Model.Fingerprint].
	CheckpointDir string
	// Data says where Fashion-MNIST is found.
	Data fashion.LoadOptions
	// Out receives progress and status lines; nil means none.
	Out io.Writer
	// Context, if not nil, stops loading the data and training when it is
	// cancelled: the terminal command cancels it on Ctrl-C. Nil means
	// never.
	Context context.Context

	train, test *fashion.Data // each read once, when first asked for
}

// Open opens the lab of a notebook: it reads the settings from the
// environment ([EpochsEnv], [TrainSizeEnv], [CheckpointDirEnv],
// [BackendEnv], and fashion.DirEnv and fashion.MirrorsEnv for the data),
// creates the backend and reads no data yet; progress goes to os.Stdout.
func Open() (*Lab, error) {
	s, err := SettingsFromEnv(os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%w, and restart the kernel", err)
	}
	dir := os.Getenv(CheckpointDirEnv)
	if dir == "" {
		if dir, err = DefaultCheckpointDir(); err != nil {
			return nil, err
		}
	}
	backend, line, err := NewBackend(os.Getenv(BackendEnv))
	if err != nil {
		return nil, err
	}
	mirrors, err := fashion.ParseMirrors(os.Getenv(fashion.MirrorsEnv))
	if err != nil {
		return nil, err
	}
	data := fashion.LoadOptions{Dir: os.Getenv(fashion.DirEnv), DirSource: "$" + fashion.DirEnv, Mirrors: mirrors, Log: os.Stderr}
	return &Lab{Backend: backend, BackendLine: line, Settings: s, CheckpointDir: dir, Data: data, Out: os.Stdout}, nil
}

func (l *Lab) ctx() context.Context {
	if l.Context != nil {
		return l.Context
	}
	return context.Background()
}

// TestData returns the 10,000 test images, read from disk the first time a
// cell asks for them.
func (l *Lab) TestData() (*fashion.Data, error) {
	if l.test == nil {
		test, err := fashion.Load(l.ctx(), fashion.Test, l.Data)
		if err != nil {
			return nil, err
		}
		l.test = test
	}
	return l.test, nil
}

// TrainData returns the first Settings.TrainSize training images, read
// from disk the first time a cell asks for them.
func (l *Lab) TrainData() (*fashion.Data, error) {
	if l.train == nil {
		train, err := fashion.Load(l.ctx(), fashion.Train, l.Data)
		if err != nil {
			return nil, err
		}
		l.train = train
	}
	return l.train.Head(l.Settings.TrainSize), nil
}

// Model returns net trained with the lab's settings: loaded from its
// checkpoint in CheckpointDir in about a second when it was trained before
// (by a notebook cell or by the terminal command), otherwise trained now,
// with a progress line per epoch and the test accuracy after each, and
// saved there for the next cells. onEpoch, if not nil, is called with the
// history after each epoch, and once with the saved history when the model
// is loaded: pass a chart's Draw method.
func (l *Lab) Model(net Network, onEpoch func(History)) (*Model, error) {
	m, err := NewModel(l.Backend, net, l.Settings)
	if err != nil {
		return nil, err
	}
	dir := l.ModelDir(m)
	md, err := readMeta(dir)
	if err == nil {
		if err := m.load(dir, md); err != nil {
			return nil, err
		}
		l.printf("loaded %s from %s\n", describe(m), dir)
		if onEpoch != nil {
			onEpoch(m.History())
		}
		return m, nil
	}
	if !errors.Is(err, ErrNoCheckpoint) {
		return nil, err
	}
	if err := ckpt.Preflight(dir); err != nil {
		return nil, fmt.Errorf("lesson: %w", err)
	}
	if err := checkMemory(m, m.Settings().BatchSize); err != nil {
		return nil, err
	}
	train, err := l.TrainData()
	if err != nil {
		return nil, err
	}
	test, err := l.TestData()
	if err != nil {
		return nil, err
	}
	s := m.Settings()
	l.printf("training %s: %d epochs of batch %d on %d images\n", m.Name(), s.Epochs, s.BatchSize, train.Len())
	if _, err := m.Train(l.ctx(), train, test, Callbacks{Progress: l.Out, OnEpoch: onEpoch}); err != nil {
		return nil, err
	}
	if err := m.Save(dir); err != nil {
		return nil, err
	}
	l.printf("saved %s in %s\n", describe(m), dir)
	return m, nil
}

// ModelDir returns the checkpoint directory of m: CheckpointDir/ followed
// by m's fingerprint, so an edited network or other settings never load a
// stale checkpoint.
func (l *Lab) ModelDir(m *Model) string {
	return filepath.Join(l.CheckpointDir, m.Fingerprint())
}

func (l *Lab) printf(format string, args ...any) {
	if l.Out != nil {
		fmt.Fprintf(l.Out, format, args...)
	}
}

// describe says what a model is and how well it did, in a few words.
func describe(m *Model) string {
	h := m.History()
	last, ok := h.Last()
	if !ok {
		return m.Name() + " (untrained)"
	}
	return fmt.Sprintf("%s (%d epochs, test accuracy %.4f)", m.Name(), len(h.Epochs), last.TestAccuracy)
}
