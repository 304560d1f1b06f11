// Command lesson03 runs the convolutions lesson from a terminal: the same
// model, numbers and checkpoints as notebooks/03_convolution.ipynb.
//
// Usage:
//
//	go run ./cmd/lesson03 summary                 # the model's summary, with the arithmetic of each row
//	go run ./cmd/lesson03 train [flags]           # train (5 epochs, batch 32), save a checkpoint, evaluate
//	go run ./cmd/lesson03 eval [flags]            # evaluate the saved checkpoint on the test set
//	go run ./cmd/lesson03 download [-data DIR]    # fetch and verify Fashion-MNIST into the user cache
//
// Flags (after the subcommand):
//
//	-data DIR         Fashion-MNIST directory (default: $LESSON_DATA_DIR, the user cache,
//	                  /usr/share/datasets/fashion-mnist, then download)
//	-epochs N         training epochs (default 5)
//	-batch N          batch size (default 32)
//	-train-size N     training images to use, 0 = all 60,000 (default 0)
//	-checkpoint DIR   where the trained model is saved and loaded (default: the user cache)
//	-no-download      never download the data
//
// The backend comes from $GOMLX_BACKEND (go, xla:cpu, xla:cuda, xla:/path/plugin.so);
// by default XLA where a PJRT plugin is installed, else the pure-Go backend.
// train and eval end with the line "test accuracy: 0.XXXX".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage: lesson03 <summary|train|eval|download> [-data DIR] [-epochs N] [-batch N] [-train-size N] [-checkpoint DIR] [-no-download]")

// options are the command's flags.
type options struct {
	data, checkpoint     string
	epochs, batch, train int
	noDownload           bool
}

func parse(cmd string, args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("lesson03 "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.data, "data", "", "Fashion-MNIST directory (default: $LESSON_DATA_DIR, user cache, /usr/share/datasets/fashion-mnist, download)")
	fs.IntVar(&o.epochs, "epochs", 5, "training epochs")
	fs.IntVar(&o.batch, "batch", 32, "batch size")
	fs.IntVar(&o.train, "train-size", 0, "training images to use, 0 = all 60,000")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "checkpoint directory (default: <user cache>/gonb-lessons/checkpoints/lesson03)")
	fs.BoolVar(&o.noDownload, "no-download", false, "never download the data")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	switch {
	case o.epochs < 1:
		return o, fmt.Errorf("%w: -epochs %d: want at least 1", errUsage, o.epochs)
	case o.batch < 1:
		return o, fmt.Errorf("%w: -batch %d: want at least 1", errUsage, o.batch)
	case o.train < 0:
		return o, fmt.Errorf("%w: -train-size %d: want 0 (all) or more", errUsage, o.train)
	}
	if o.checkpoint == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return o, fmt.Errorf("lesson03: no user cache directory (%v); pass -checkpoint DIR", err)
		}
		o.checkpoint = filepath.Join(cache, "gonb-lessons", "checkpoints", "lesson03")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	cmd := args[0]
	o, err := parse(cmd, args[1:], stderr)
	if err != nil {
		return err
	}
	switch cmd {
	case "summary":
		fmt.Fprint(stdout, lesson.Summary(lesson.Config{}))
		return nil
	case "download":
		if err := fashion.Download(ctx, fashion.LoadOptions{CacheDir: o.data, Log: stderr}); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Fashion-MNIST is ready")
		return nil
	case "train", "eval":
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}

	backend, line, err := lesson.NewBackend()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, line)
	opts := fashion.LoadOptions{Dir: o.data, NoDownload: o.noDownload, Log: stderr}
	test, err := fashion.Load(fashion.Test, opts)
	if err != nil {
		return err
	}

	var m *lesson.Model
	if cmd == "train" {
		train, err := fashion.Load(fashion.Train, opts)
		if err != nil {
			return err
		}
		train = train.Head(o.train)
		fmt.Fprintf(stdout, "training on %d images, testing on %d; %d epochs, batch %d\n", train.Len(), test.Len(), o.epochs, o.batch)
		if m, err = lesson.NewModel(backend, lesson.Config{}); err != nil {
			return err
		}
		start := time.Now()
		if _, err := m.Train(ctx, train, nil, lesson.TrainOptions{Epochs: o.epochs, BatchSize: o.batch, Progress: stdout}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "trained in %s\n", time.Since(start).Round(time.Second))
		if err := m.Save(o.checkpoint); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "checkpoint saved in %s\n", o.checkpoint)
	} else {
		if m, err = lesson.LoadModel(backend, o.checkpoint); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded %s (%s, %d epochs trained) from %s\n", m.Config(), m.Formulation(), len(m.History().Epochs), o.checkpoint)
	}
	loss, acc, err := m.Evaluate(test, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "test loss: %.4f\ntest accuracy: %.4f\n", loss, acc)
	return nil
}
