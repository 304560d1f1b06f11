// Command lesson03 runs the convolutions lesson from a terminal: the same
// model, training path, numbers and checkpoints as
// notebooks/03_convolution.ipynb, so a model trained here loads in the
// notebook in a second (and the other way round).
//
// Usage:
//
//	go run ./cmd/lesson03 summary                 # the model's summary, with the arithmetic of each row
//	go run ./cmd/lesson03 train [flags]           # train (5 epochs, batch 32), test after each epoch, save
//	go run ./cmd/lesson03 eval [flags]            # evaluate the saved model on the test set
//	go run ./cmd/lesson03 download [-data DIR]    # fetch and verify Fashion-MNIST into DIR
//
// Flags (after the subcommand):
//
//	-data DIR         the directory that holds the Fashion-MNIST files (default: $LESSON_DATA_DIR;
//	                  unset: the user cache, /usr/share/datasets/fashion-mnist, then a download);
//	                  download fills it (default: the user cache)
//	-epochs N         training epochs (default: $LESSON_EPOCHS, else 5)
//	-batch N          batch size (default 32)
//	-train-size N     training images to use, 0 = all 60,000 (default: $LESSON_TRAIN_SIZE, else 0)
//	-checkpoint DIR   the directory that holds trained models, one subdirectory per model
//	                  (default: $LESSON_CHECKPOINT_DIR, else ~/.cache/gonb-lessons/checkpoints)
//	-no-download      never download the data
//	-mirror URLS      comma-separated base URLs to download from, e.g. a classroom mirror
//	                  (default: $LESSON_MIRRORS, else the canonical mirrors)
//
// The backend comes from $GOMLX_BACKEND (go, xla:cpu, xla:cuda, xla:/path/plugin.so);
// by default XLA where a PJRT plugin is installed, else the pure-Go backend.
// train and eval end with the line "test accuracy: 0.XXXX". Ctrl-C stops
// at the next step (or while the data loads); a second Ctrl-C exits at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "\nlesson03: %v: stopping (again to exit at once)\n", sig)
		cancel(fmt.Errorf("%v", sig))
		<-signals
		os.Exit(130)
	}()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage: lesson03 <summary|train|eval|download> [-data DIR] [-epochs N] [-batch N] [-train-size N] [-checkpoint DIR] [-no-download] [-mirror URLS]")

// options are the command's flags.
type options struct {
	data, checkpoint     string
	dataSource           string // what set data: "-data" or "$LESSON_DATA_DIR"
	mirrors              []string
	epochs, batch, train int
	noDownload           bool
}

// parse reads the flags of cmd; getenv gives the environment variables
// that are the flags' defaults.
func parse(cmd string, args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	// The flags' defaults: the lesson's settings, with the notebook's
	// environment variables (LESSON_EPOCHS, LESSON_TRAIN_SIZE) if set.
	def, err := lesson.SettingsFromEnv(getenv)
	if err != nil {
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	fs := flag.NewFlagSet("lesson03 "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var mirror string
	fs.StringVar(&mirror, "mirror", getenv(fashion.MirrorsEnv), "comma-separated base URLs to download Fashion-MNIST from, e.g. a classroom mirror (default $"+fashion.MirrorsEnv+", else the canonical mirrors)")
	fs.StringVar(&o.data, "data", getenv(fashion.DirEnv), "the directory that holds the Fashion-MNIST files (default $LESSON_DATA_DIR; unset: user cache, /usr/share/datasets/fashion-mnist, download); download fills it")
	fs.IntVar(&o.epochs, "epochs", def.Epochs, "training epochs ($"+lesson.EpochsEnv+")")
	fs.IntVar(&o.batch, "batch", def.BatchSize, "batch size")
	fs.IntVar(&o.train, "train-size", def.TrainSize, "training images to use, 0 = all 60,000 ($"+lesson.TrainSizeEnv+")")
	fs.StringVar(&o.checkpoint, "checkpoint", getenv(lesson.CheckpointDirEnv), "the directory that holds trained models (default $"+lesson.CheckpointDirEnv+", else ~/.cache/gonb-lessons/checkpoints)")
	fs.BoolVar(&o.noDownload, "no-download", false, "never download the data")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	o.dataSource = "$" + fashion.DirEnv
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" {
			o.dataSource = "-data"
		}
	})
	if o.mirrors, err = fashion.ParseMirrors(mirror); err != nil {
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case o.epochs < 1 || o.epochs > 1000:
		return o, fmt.Errorf("%w: -epochs %d: want 1 to 1000", errUsage, o.epochs)
	case o.batch < 1:
		return o, fmt.Errorf("%w: -batch %d: want at least 1", errUsage, o.batch)
	case o.train < 0 || o.train > 60000:
		return o, fmt.Errorf("%w: -train-size %d: want 0 (all) to 60000", errUsage, o.train)
	}
	if o.checkpoint == "" {
		if o.checkpoint, err = lesson.DefaultCheckpointDir(); err != nil {
			return o, fmt.Errorf("%w; pass -checkpoint DIR", err)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	cmd := args[0]
	switch cmd {
	case "summary", "download", "train", "eval":
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	o, err := parse(cmd, args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	if cmd == "download" {
		if err := fashion.Download(ctx, fashion.LoadOptions{CacheDir: o.data, CacheDirSource: o.dataSource, Mirrors: o.mirrors, Log: stderr}); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Fashion-MNIST is ready")
		return nil
	}

	backend, line, err := lesson.NewBackend(getenv(lesson.BackendEnv))
	if err != nil {
		return err
	}
	settings := lesson.Settings{Epochs: o.epochs, BatchSize: o.batch, TrainSize: o.train}
	if cmd == "summary" {
		m, err := lesson.NewModel(backend, lesson.CNN, settings)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, m.Summary())
		return nil
	}
	fmt.Fprintln(stdout, line)
	lab := &lesson.Lab{Backend: backend, BackendLine: line, Settings: settings, CheckpointDir: o.checkpoint, Out: stdout, Context: ctx,
		Data: fashion.LoadOptions{Dir: o.data, DirSource: o.dataSource, Mirrors: o.mirrors, NoDownload: o.noDownload, NoDownloadSource: "-no-download", Log: stderr}}

	var m *lesson.Model
	if cmd == "train" {
		start := time.Now()
		if m, err = lab.Model(lesson.CNN, nil); err != nil {
			if errors.Is(err, lesson.ErrBatchTooBig) {
				return fmt.Errorf("%w (-batch %d)", err, o.batch)
			}
			return err
		}
		fmt.Fprintf(stdout, "done in %s; the notebook loads this model from %s\n", time.Since(start).Round(time.Second), lab.ModelDir(m))
	} else {
		if m, err = lesson.NewModel(backend, lesson.CNN, settings); err != nil {
			return err
		}
		dir := lab.ModelDir(m)
		if m, err = lesson.Load(backend, lesson.CNN, dir); err != nil {
			if errors.Is(err, lesson.ErrNoCheckpoint) {
				return fmt.Errorf("lesson03: no model trained with these settings in %s (-checkpoint); train one first: lesson03 train with the same -epochs, -batch and -train-size", o.checkpoint)
			}
			return err
		}
		fmt.Fprintf(stdout, "loaded %s (%d epochs trained) from %s\n", m.Name(), len(m.History().Epochs), dir)
	}
	test, err := lab.TestData()
	if err != nil {
		return err
	}
	loss, acc, err := m.Evaluate(test)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "test loss: %.4f\ntest accuracy: %.4f\n", loss, acc)
	return nil
}
