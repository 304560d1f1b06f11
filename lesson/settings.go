package lesson

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Settings are how a model is trained. The zero value is the lesson's:
// 5 epochs of Adam(1e-3) on batches of 32, on all 60,000 training images,
// weights seeded with 1. They are part of a model's [Model.Fingerprint].
type Settings struct {
	Epochs       int     // passes over the training images; 0 means 5
	BatchSize    int     // images per training step; 0 means 32
	TrainSize    int     // training images used, the first ones; 0 means all 60,000
	LearningRate float64 // Adam's learning rate; 0 means 0.001
	Seed         int64   // seeds the initial weights and the shuffling; 0 means 1
}

// The lesson's settings, as Keras's lesson trains.
const (
	defaultEpochs    = 5
	defaultBatchSize = 32
	defaultTrainSize = 60000
	defaultLR        = 1e-3
	defaultSeed      = 1
)

// withDefaults returns s with its zero fields set to the lesson's defaults,
// or an error naming a field out of range.
func (s Settings) withDefaults() (Settings, error) {
	if s.Epochs == 0 {
		s.Epochs = defaultEpochs
	}
	if s.BatchSize == 0 {
		s.BatchSize = defaultBatchSize
	}
	if s.TrainSize == 0 {
		s.TrainSize = defaultTrainSize
	}
	if s.LearningRate == 0 {
		s.LearningRate = defaultLR
	}
	if s.Seed == 0 {
		s.Seed = defaultSeed
	}
	switch {
	case s.Epochs < 0 || s.Epochs > 1000:
		return s, fmt.Errorf("lesson: %d epochs: want 1 to 1000 (0 means %d)", s.Epochs, defaultEpochs)
	case s.BatchSize < 0:
		return s, fmt.Errorf("lesson: batch size %d: want 1 or more (0 means %d)", s.BatchSize, defaultBatchSize)
	case s.TrainSize < 0 || s.TrainSize > defaultTrainSize:
		return s, fmt.Errorf("lesson: %d training images: want 1 to %d (0 means all)", s.TrainSize, defaultTrainSize)
	case s.LearningRate < 0 || s.LearningRate > 10:
		return s, fmt.Errorf("lesson: learning rate %g: want more than 0 and at most 10 (0 means %g)", s.LearningRate, defaultLR)
	}
	return s, nil
}

// SettingsFromEnv returns the lesson's settings with the number of epochs
// and of training images that [EpochsEnv] and [TrainSizeEnv] give, as getenv
// (os.Getenv, or a test's stand-in) reads them; unset or 0 means the
// lesson's 5 epochs and all 60,000 images. The notebook's opener ([Open])
// and the terminal command (for its flags' defaults) both read them with
// it.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	var s Settings
	for _, v := range []struct {
		name string
		dst  *int
	}{{EpochsEnv, &s.Epochs}, {TrainSizeEnv, &s.TrainSize}} {
		text := strings.TrimSpace(getenv(v.name))
		if text == "" {
			continue
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			return s, fmt.Errorf("lesson: %s=%q: want a whole number ≥ 0 (0 means the lesson's default); unset it or fix it", v.name, text)
		}
		*v.dst = n
	}
	s, err := s.withDefaults()
	if err != nil {
		return s, fmt.Errorf("%w; fix %s or %s", err, EpochsEnv, TrainSizeEnv)
	}
	return s, nil
}

// DefaultCheckpointDir returns where trained models are kept unless told
// otherwise: os.UserCacheDir()/gonb-lessons/checkpoints, e.g.
// ~/.cache/gonb-lessons/checkpoints. The notebook and the terminal command
// both use it, so a model trained in one loads in the other.
func DefaultCheckpointDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("lesson: no user cache directory for checkpoints (%w); set $HOME or XDG_CACHE_HOME, or choose a checkpoint directory", err)
	}
	return filepath.Join(cache, "gonb-lessons", "checkpoints"), nil
}
