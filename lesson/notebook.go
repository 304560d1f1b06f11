package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// The environment variables a notebook (and CI) sets to change the lesson's
// settings without editing cells. GOMLX_BACKEND ([BackendEnv]) picks the
// backend and LESSON_DATA_DIR the Fashion-MNIST directory (see [fashion.LoadOptions]).
const (
	// EpochsEnv is the number of training epochs; unset or 0 means 5.
	EpochsEnv = "LESSON_EPOCHS"
	// TrainSizeEnv is the number of training images used, the first ones of
	// the training set; unset or 0 means all 60,000.
	TrainSizeEnv = "LESSON_TRAIN_SIZE"
	// CheckpointDirEnv is the directory that holds the notebook's trained
	// models; unset means os.UserCacheDir()/gonb-lessons/checkpoints.
	CheckpointDirEnv = "LESSON_CHECKPOINT_DIR"
)

// Settings are the notebook's training settings. The zero value is the
// lesson's: 5 epochs of batch 32 on all 60,000 training images.
type Settings struct {
	Epochs        int    // training epochs; 0 means 5
	TrainSize     int    // training images; 0 means all
	BatchSize     int    // images per step; 0 means 32
	CheckpointDir string // where trained models are kept; "" means the default of CheckpointDirEnv
}

// SettingsFromEnv reads [EpochsEnv], [TrainSizeEnv] and [CheckpointDirEnv].
func SettingsFromEnv() (Settings, error) {
	var s Settings
	for _, v := range []struct {
		name string
		dst  *int
	}{{EpochsEnv, &s.Epochs}, {TrainSizeEnv, &s.TrainSize}} {
		text := strings.TrimSpace(os.Getenv(v.name))
		if text == "" {
			continue
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			return s, fmt.Errorf("lesson: %s=%q: want a whole number ≥ 0 (0 means the lesson's default); unset it or fix it and restart the kernel", v.name, text)
		}
		*v.dst = n
	}
	s.CheckpointDir = os.Getenv(CheckpointDirEnv)
	return s.withDefaults()
}

func (s Settings) withDefaults() (Settings, error) {
	if s.Epochs == 0 {
		s.Epochs = 5
	}
	if s.TrainSize == 0 {
		s.TrainSize = 60000
	}
	if s.BatchSize == 0 {
		s.BatchSize = 32
	}
	if s.CheckpointDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return s, fmt.Errorf("lesson: no cache directory for checkpoints (%w); set %s", err, CheckpointDirEnv)
		}
		s.CheckpointDir = filepath.Join(cache, "gonb-lessons", "checkpoints")
	}
	return s, nil
}

// ModelDir returns the checkpoint directory of the model cfg trained with
// these settings, named after both so that a change of either trains a new
// model, e.g. ".../cnn-filters64-conv2-hidden128-seed1_epochs5_train60000_batch32".
func (s Settings) ModelDir(cfg Config) string {
	name := strings.NewReplacer(" ", "-", "=", "").Replace(cfg.String())
	return filepath.Join(s.CheckpointDir, fmt.Sprintf("%s_epochs%d_train%d_batch%d", name, s.Epochs, s.TrainSize, s.BatchSize))
}

// Lab is what the notebook's cells share: the settings, the backend and the
// data. Every GoNB cell is a new process, so each cell opens it again; that
// takes about a second, and [Lab.Model] loads trained models from disk.
type Lab struct {
	Settings Settings
	Backend  compute.Backend
	// BackendLine says which backend runs and why, for the reader.
	BackendLine string
	// Train holds the first Settings.TrainSize training images, Test all
	// 10,000 test images.
	Train, Test *fashion.Data
	// Out receives progress and status lines; OpenLab sets os.Stdout.
	Out io.Writer
}

// OpenLab reads the settings from the environment ([SettingsFromEnv]),
// creates the backend ([NewBackend]) and loads Fashion-MNIST ([fashion.LoadBoth]).
func OpenLab() (*Lab, error) {
	s, err := SettingsFromEnv()
	if err != nil {
		return nil, err
	}
	backend, line, err := NewBackend()
	if err != nil {
		return nil, err
	}
	train, test, err := fashion.LoadBoth(fashion.LoadOptions{Log: os.Stderr})
	if err != nil {
		return nil, err
	}
	return &Lab{Settings: s, Backend: backend, BackendLine: line, Train: train.Head(s.TrainSize), Test: test, Out: os.Stdout}, nil
}

// Model returns the model cfg trained with the lab's settings: loaded from
// its checkpoint directory ([Settings.ModelDir]) in seconds when it was
// trained before, otherwise trained now (with a progress line per epoch) and
// saved there for the next cells.
func (l *Lab) Model(cfg Config) (*Model, error) {
	return l.model(cfg, nil)
}

// Fit is [Lab.Model] that also reports the training history to draw, for a
// chart such as viz.LiveChart's Draw: the whole history so far after every
// epoch while training, or once the saved history when the model is loaded.
// A nil draw is [Lab.Model].
func (l *Lab) Fit(cfg Config, draw func(History)) (*Model, error) {
	return l.model(cfg, draw)
}

func (l *Lab) model(cfg Config, draw func(History)) (*Model, error) {
	dir := l.Settings.ModelDir(cfg)
	m, err := LoadModel(l.Backend, dir)
	if err == nil {
		l.printf("loaded %s from %s\n", describe(m), dir)
		if draw != nil {
			draw(m.History())
		}
		return m, nil
	}
	if !errors.Is(err, ErrNoCheckpoint) {
		return nil, err
	}
	if m, err = NewModel(l.Backend, cfg); err != nil {
		return nil, err
	}
	l.printf("training %s: %d epochs on %d images (%s=%d, %s=%d)\n", m.Config(), l.Settings.Epochs, l.Train.Len(), EpochsEnv, l.Settings.Epochs, TrainSizeEnv, l.Settings.TrainSize)
	opts := TrainOptions{Epochs: l.Settings.Epochs, BatchSize: l.Settings.BatchSize, Progress: l.Out}
	if draw != nil {
		var h History
		opts.OnEpoch = func(e EpochStats) {
			h.Epochs = append(h.Epochs, e)
			draw(h)
		}
	}
	if _, err := m.Train(context.Background(), l.Train, l.Test, opts); err != nil {
		return nil, err
	}
	if err := m.Save(dir); err != nil {
		return nil, err
	}
	l.printf("saved %s in %s\n", describe(m), dir)
	return m, nil
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
		return m.Config().String() + " (untrained)"
	}
	return fmt.Sprintf("%s (%d epochs, test accuracy %.4f)", m.Config(), len(h.Epochs), last.TestAccuracy)
}
