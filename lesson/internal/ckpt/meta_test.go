package ckpt

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func float(x float64) *float64 { return &x }

// goodMeta returns a valid Meta; each call returns a fresh value the caller may change.
func goodMeta() Meta {
	return Meta{
		Format:      Format,
		Fingerprint: strings.Repeat("ab", 32),
		Model:       "cnn",
		Settings:    Settings{Epochs: 2, BatchSize: 32, TrainSize: 0, LearningRate: 0.001, Seed: 42},
		Variables: []Variable{
			{Name: "/model/conv2d/kernel", DType: "Float32", Shape: []int{3, 3, 1, 32}},
			{Name: "/model/dense/kernel", DType: "Float32", Shape: []int{1600, 128}},
			{Name: "/global_step", DType: "Int64", Shape: []int{}},
		},
		History: []Epoch{
			{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: float(0.45), TestAccuracy: float(0.84), Images: 60000, Seconds: 12.5},
			{Epoch: 2, Loss: 0.3, Accuracy: 0.9, Images: 60000, Seconds: 11},
		},
	}
}

func TestMetaRoundTrip(t *testing.T) {
	want := goodMeta()
	b, err := want.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	got, err := ParseMeta(b)
	if err != nil {
		t.Fatalf("ParseMeta(Marshal()): %v\n%s", err, b)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseMeta(Marshal(m)): mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), `"test_loss": null`) {
		t.Errorf("Marshal wrote\n%s\nwant a missing test loss as null", b)
	}
}

func TestParseMetaErrors(t *testing.T) {
	tests := []struct {
		name, reason string
		change       func(m *Meta)
		json         string // used instead of the changed goodMeta when set
		wantErr      string
	}{
		{name: "not JSON", reason: "a damaged file", json: "{",
			wantErr: "ckpt: lesson.json: not valid checkpoint metadata: unexpected EOF"},
		{name: "trailing", reason: "one object only", json: `{"format":2} {}`,
			wantErr: "ckpt: lesson.json: unexpected data after the JSON object"},
		{name: "unknown field", reason: "strict: a typo is not ignored", json: `{"format":2,"epochs":3}`,
			wantErr: `json: unknown field "epochs"`},
		{name: "format 1", reason: "the old format is named", json: `{"format":1}`,
			wantErr: "ckpt: lesson.json: format 1: want 2 (format 1 was written by an older lesson)"},
		{name: "fingerprint", reason: "hex only", change: func(m *Meta) { m.Fingerprint = "xyz" },
			wantErr: `fingerprint "xyz": want 16 to 128 lowercase hex digits`},
		{name: "model", reason: "a name is needed", change: func(m *Meta) { m.Model = "" },
			wantErr: `model name "": want 1 to 64 printable characters`},
		{name: "epochs", reason: "non-negative", change: func(m *Meta) { m.Settings.Epochs = -1 },
			wantErr: "settings: epochs -1: want 0 or more"},
		{name: "batch", reason: "non-negative", change: func(m *Meta) { m.Settings.BatchSize = -32 },
			wantErr: "settings: batch_size -32: want 0 or more"},
		{name: "learning rate", reason: "non-negative", change: func(m *Meta) { m.Settings.LearningRate = -0.1 },
			wantErr: "settings: learning_rate -0.1: want a finite number, 0 or more"},
		{name: "no variables", reason: "a checkpoint has weights", change: func(m *Meta) { m.Variables = nil },
			wantErr: "no variables: a checkpoint holds at least one weight"},
		{name: "empty name", reason: "names are needed", change: func(m *Meta) { m.Variables[1].Name = "" },
			wantErr: `variable 1: name "": want a non-empty printable name`},
		{name: "duplicate", reason: "names are unique", change: func(m *Meta) { m.Variables[1].Name = m.Variables[0].Name },
			wantErr: "variable /model/conv2d/kernel appears twice"},
		{name: "dtype", reason: "a type name", change: func(m *Meta) { m.Variables[0].DType = "" },
			wantErr: `variable /model/conv2d/kernel: dtype "": want a type name such as Float32`},
		{name: "zero dim", reason: "dimensions are positive", change: func(m *Meta) { m.Variables[1].Shape = []int{0, 128} },
			wantErr: "variable /model/dense/kernel: shape [0 128]: want every dimension positive"},
		{name: "epoch order", reason: "epochs increase", change: func(m *Meta) { m.History[1].Epoch = 1 },
			wantErr: "history: epoch 1 after epoch 1: want epochs increasing from 1"},
		{name: "epoch zero", reason: "epochs count from 1", change: func(m *Meta) { m.History[0].Epoch = 0 },
			wantErr: "history: epoch 0 after epoch 0"},
		{name: "accuracy", reason: "a fraction", change: func(m *Meta) { m.History[0].Accuracy = 1.5 },
			wantErr: "history: epoch 1: accuracy 1.5: want 0 to 1"},
		{name: "test accuracy", reason: "a fraction or null", change: func(m *Meta) { m.History[0].TestAccuracy = float(-1) },
			wantErr: "history: epoch 1: test_accuracy -1: want 0 to 1, or null"},
		{name: "images", reason: "non-negative", change: func(m *Meta) { m.History[1].Images = -1 },
			wantErr: "history: epoch 2: images -1: want 0 or more"},
		{name: "seconds", reason: "non-negative", change: func(m *Meta) { m.History[1].Seconds = -1 },
			wantErr: "history: epoch 2: seconds -1: want a finite number, 0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.json)
			if tt.change != nil {
				m := goodMeta()
				tt.change(&m)
				if _, err := m.Marshal(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Marshal error = %v, want one containing %q: what cannot be loaded is not saved (%s)", err, tt.wantErr, tt.reason)
				}
				m.Format = Format
				b = mustJSON(t, m)
			}
			_, err := ParseMeta(b)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMeta error = %v, want one containing %q (%s)", err, tt.wantErr, tt.reason)
			}
		})
	}
}

func TestCheckVariables(t *testing.T) {
	m := goodMeta()
	tests := []struct {
		name, reason string
		change       func(have []Variable) []Variable
		wantErr      string
	}{
		{name: "same", reason: "the model matches", change: func(h []Variable) []Variable { return h }},
		{name: "order", reason: "order does not matter", change: func(h []Variable) []Variable { return []Variable{h[2], h[0], h[1]} }},
		{name: "shape", reason: "item 7: another shape is named with both shapes",
			change:  func(h []Variable) []Variable { h[1].Shape = []int{400, 128}; return h },
			wantErr: "ckpt: variable /model/dense/kernel: checkpoint has [1600 128], the model has [400 128]"},
		{name: "dtype", reason: "another element type",
			change:  func(h []Variable) []Variable { h[0].DType = "Float64"; return h },
			wantErr: "ckpt: variable /model/conv2d/kernel: checkpoint has Float32, the model has Float64"},
		{name: "missing", reason: "the model has a variable the checkpoint lacks",
			change: func(h []Variable) []Variable {
				return append(h, Variable{"/model/dense_1/kernel", "Float32", []int{128, 10}})
			},
			wantErr: "ckpt: variable /model/dense_1/kernel: the model has Float32 [128 10], the checkpoint has no such variable"},
		{name: "extra", reason: "the checkpoint has a variable the model lacks",
			change:  func(h []Variable) []Variable { return h[:2] },
			wantErr: "ckpt: variable /global_step: checkpoint has Int64 [], the model has no such variable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			have := tt.change(goodMeta().Variables)
			err := m.CheckVariables(have)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("CheckVariables = %q, want %q (%s)", got, tt.wantErr, tt.reason)
			}
		})
	}
}

// FuzzParseMeta checks that ParseMeta never panics and that whatever it accepts marshals and parses
// back to an equal value.
func FuzzParseMeta(f *testing.F) {
	b, err := goodMeta().Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"format":1,"config":{}}`))
	f.Add([]byte(`{"format":2,"fingerprint":"00112233445566778899","model":"m","settings":{},"variables":[{"name":"v","dtype":"Float32","shape":null}],"history":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMeta(b)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("ParseMeta accepted %q but Marshal fails: %v", b, err)
		}
		again, err := ParseMeta(out)
		if err != nil {
			t.Fatalf("ParseMeta(Marshal(ParseMeta(%q))): %v\n%s", b, err, out)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round trip of %q: mismatch (-want +got):\n%s", b, diff)
		}
	})
}
