package main

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

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
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut strings.Builder
			err := run(context.Background(), tc.args, &out, &errOut)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error()+errOut.String(), tc.want) {
				t.Errorf("%s\nrun(%q) error = %v (stderr %q), want a usage error with %q", tc.reason, tc.args, err, errOut.String(), tc.want)
			}
		})
	}
}

func TestSummaryCommand(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"summary"}, &out, &out); err != nil {
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
// a teacher would from the terminal.
func TestTrainThenEval(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	ckpt := filepath.Join(t.TempDir(), "ckpt")
	data := "/usr/share/datasets/fashion-mnist"
	accuracy := regexp.MustCompile(`(?m)^test accuracy: (0\.\d{4})$`)

	var train strings.Builder
	err := run(context.Background(), []string{"train", "-data", data, "-epochs", "1", "-train-size", "960", "-checkpoint", ckpt, "-no-download"}, &train, &train)
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
	for _, want := range []string{"backend: ", "Epoch 1/1", "30/30 [==============================]", "checkpoint saved in " + ckpt} {
		if !strings.Contains(train.String(), want) {
			t.Errorf("train output lacks %q:\n%s", want, train.String())
		}
	}

	var eval strings.Builder
	if err := run(context.Background(), []string{"eval", "-data", data, "-checkpoint", ckpt, "-no-download"}, &eval, &eval); err != nil {
		t.Fatalf("eval: %v\n%s", err, eval.String())
	}
	e := accuracy.FindStringSubmatch(eval.String())
	if e == nil || e[1] != m[1] {
		t.Errorf("eval of the saved checkpoint reports %v, train reported %s; want the same accuracy:\n%s", e, m[1], eval.String())
	}

	var missing strings.Builder
	err = run(context.Background(), []string{"eval", "-data", data, "-checkpoint", filepath.Join(t.TempDir(), "none")}, &missing, &missing)
	if err == nil || !strings.Contains(err.Error(), "train one first") {
		t.Errorf("eval without a checkpoint: error = %v, want one saying to train first", err)
	}
}
