package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// env returns a getenv that knows the given variables.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		reason string
		want   string
	}{
		{nil, "no subcommand prints the usage", "usage: lesson03"},
		{[]string{"fit"}, "an unknown subcommand is named", `unknown command "fit"`},
		{[]string{"train", "-epochs", "0"}, "zero epochs would train nothing", "-epochs 0"},
		{[]string{"train", "-batch", "-3"}, "a negative batch makes no batches", "-batch -3"},
		{[]string{"train", "-train-size", "-1"}, "0 means all; negatives mean nothing", "-train-size -1"},
		{[]string{"eval", "-bogus"}, "unknown flags are refused", "-bogus"},
		{[]string{"summary", "extra"}, "stray arguments are refused", `unexpected argument "extra"`},
		{[]string{"train", "-train-size", "70000"}, "the training set has 60,000 images", "-train-size 70000"},
		{[]string{"download", "-mirror", "ftp://example.org/x"}, "only http and https mirrors can be fetched", "-mirror"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut strings.Builder
			err := run(context.Background(), tc.args, noEnv, &out, &errOut)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error()+errOut.String(), tc.want) {
				t.Errorf("%s\nrun(%q) error = %v (stderr %q), want a usage error with %q", tc.reason, tc.args, err, errOut.String(), tc.want)
			}
		})
	}
}

// TestBatchTooBig checks that a batch that cannot fit in memory is refused
// before any data is read or step run, with what it needs and what there is.
func TestBatchTooBig(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"train", "-batch", "100000000", "-data", t.TempDir(), "-no-download", "-checkpoint", t.TempDir()},
		env(map[string]string{"GOMLX_BACKEND": "go"}), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "GiB") || !strings.Contains(err.Error(), "available") || !strings.Contains(err.Error(), "-batch") {
		t.Errorf("train -batch 100000000: error %v, want a refusal naming -batch, what it needs and what is available", err)
	}
	if strings.Contains(out.String(), "Epoch") {
		t.Errorf("training started:\n%s", out.String())
	}
}

func TestSummaryCommand(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"summary"}, noEnv, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Total params: 243,786", "conv2d_1 (Conv2D)", "(None, 5, 5, 64)", "1,600·128+128 = 204,928"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestTrainThenEval trains briefly on the real data (Debian's
// dataset-fashion-mnist), then evaluates the checkpoint in a second run, as
// a teacher would from the terminal. The checkpoint directory already
// holds a teacher's notes, which must survive.
func TestTrainThenEval(t *testing.T) {
	ckpt := t.TempDir()
	notes := filepath.Join(ckpt, "notes.txt")
	if err := os.WriteFile(notes, []byte("my notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := env(map[string]string{"GOMLX_BACKEND": "go"})
	data := "/usr/share/datasets/fashion-mnist"
	accuracy := regexp.MustCompile(`(?m)^test accuracy: (0\.\d{4})$`)
	args := []string{"-data", data, "-epochs", "1", "-train-size", "960", "-checkpoint", ckpt, "-no-download"}

	var train strings.Builder
	err := run(context.Background(), append([]string{"train"}, args...), getenv, &train, &train)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, train.String())
	}
	m := accuracy.FindStringSubmatch(train.String())
	if m == nil {
		t.Fatalf("train output lacks a 'test accuracy: 0.XXXX' line:\n%s", train.String())
	}
	if m[1] < "0.5000" {
		t.Errorf("test accuracy after 1 epoch on 960 images = %s, want ≥ 0.5 (chance is 0.1)", m[1])
	}
	for _, want := range []string{"backend: ", "Epoch 1/1", "30/30 [==============================]", " - test_accuracy: ", "saved CNN (1 epochs, test accuracy", ckpt} {
		if !strings.Contains(train.String(), want) {
			t.Errorf("train output lacks %q:\n%s", want, train.String())
		}
	}
	if blob, err := os.ReadFile(notes); err != nil || string(blob) != "my notes" {
		t.Errorf("the notes in the checkpoint directory changed: %q, %v", blob, err)
	}

	var eval strings.Builder
	if err := run(context.Background(), append([]string{"eval"}, args...), getenv, &eval, &eval); err != nil {
		t.Fatalf("eval: %v\n%s", err, eval.String())
	}
	e := accuracy.FindStringSubmatch(eval.String())
	if e == nil || e[1] != m[1] {
		t.Errorf("eval of the saved checkpoint reports %v, train reported %s; want the same accuracy:\n%s", e, m[1], eval.String())
	}

	var missing strings.Builder
	err = run(context.Background(), []string{"eval", "-data", data, "-epochs", "2", "-checkpoint", ckpt}, getenv, &missing, &missing)
	if err == nil || !strings.Contains(err.Error(), "train one first") {
		t.Errorf("eval of a model never trained: error = %v, want one saying to train first", err)
	}
}

// TestCheckpointInTheWay checks that a file where the model's checkpoint
// goes stops train before the first step, and is left as it is.
func TestCheckpointInTheWay(t *testing.T) {
	getenv := env(map[string]string{"GOMLX_BACKEND": "go"})
	ckpt := t.TempDir()
	// Find the model's directory: train would save there.
	var out strings.Builder
	args := []string{"-data", "/usr/share/datasets/fashion-mnist", "-epochs", "1", "-train-size", "64", "-checkpoint", ckpt, "-no-download"}
	if err := run(context.Background(), append([]string{"train"}, args...), getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(ckpt, "[0-9a-f]*"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("train left %v in %s, want one model directory (%v)", dirs, ckpt, err)
	}
	dir := dirs[0]
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(context.Background(), append([]string{"train"}, args...), getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), dir) || strings.Contains(out.String(), "Epoch 1/1") {
		t.Errorf("train with a file in the checkpoint's place: error %v, output:\n%s\nwant a refusal before the first epoch", err, out.String())
	}
	if blob, _ := os.ReadFile(dir); string(blob) != "in the way" {
		t.Errorf("the file in the way changed: %q", blob)
	}
}
