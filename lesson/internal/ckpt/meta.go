// Package ckpt keeps the lesson's checkpoint directories safe: it describes a checkpoint in a metadata
// file (Meta, lesson.json) checked strictly on load, compares the saved variables with the model's, and
// replaces a checkpoint directory so that an interruption at any moment leaves a loadable checkpoint and
// nothing that is not ours is ever removed or overwritten.
//
// It imports no GoMLX package: package lesson writes GoMLX's checkpoint files inside the write function
// that Replace calls.
package ckpt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

const (
	// MetaFile is the metadata file kept beside GoMLX's checkpoint files; a directory holding a MetaFile
	// that ParseMeta accepts is a lesson checkpoint.
	MetaFile = "lesson.json"

	// Format is the version of Meta that Marshal writes and ParseMeta accepts. Format 1 was written by
	// the lesson before this package; ParseMeta rejects it, Replace still replaces it.
	Format = 2

	// maxMetaBytes bounds MetaFile; a real one has a few kilobytes.
	maxMetaBytes = 1 << 20
)

// Meta is the content of MetaFile: what a checkpoint holds and how it was trained.
type Meta struct {
	// Format is the metadata version, Format (2).
	Format int `json:"format"`
	// Fingerprint identifies the model graph, its variables and the training settings: lowercase hex,
	// an even number of 16 to 128 digits (a SHA-256 has 64).
	Fingerprint string `json:"fingerprint"`
	// Model is a short human name of the model, such as "cnn": 1 to 64 printable characters.
	Model string `json:"model"`
	// Settings are the training settings.
	Settings Settings `json:"settings"`
	// Variables are the model's weights, at least one, with distinct names.
	Variables []Variable `json:"variables"`
	// History has one entry per trained epoch, epochs increasing.
	History []Epoch `json:"history"`
}

// Settings are the training settings of a checkpoint; none is negative.
type Settings struct {
	Epochs       int     `json:"epochs"`
	BatchSize    int     `json:"batch_size"`
	TrainSize    int     `json:"train_size"`    // training images used; 0 means all
	LearningRate float64 `json:"learning_rate"` // finite
	Seed         int64   `json:"seed"`          // any value
}

// Variable is one saved weight: its name (such as "/model/dense/kernel"), its element type (such as
// "Float32") and its shape (each dimension positive; empty for a scalar).
type Variable struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
}

// Epoch is one epoch of the training history. Losses are finite and not negative, accuracies in
// [0, 1]; TestLoss and TestAccuracy are nil (JSON null) when there was no test set.
type Epoch struct {
	Epoch        int      `json:"epoch"` // 1 or more
	Loss         float64  `json:"loss"`
	Accuracy     float64  `json:"accuracy"`
	TestLoss     *float64 `json:"test_loss"`
	TestAccuracy *float64 `json:"test_accuracy"`
	Images       int      `json:"images"`  // images seen in the epoch
	Seconds      float64  `json:"seconds"` // wall time of the epoch
}

// ParseMeta parses and strictly validates the content of a MetaFile: one JSON object, no unknown
// fields, Format 2, and every field as Meta documents. Its errors say what is wrong; the caller adds
// the fix (such as "delete DIR and train again").
func ParseMeta(b []byte) (Meta, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Meta
	if err := dec.Decode(&m); err != nil {
		return Meta{}, fmt.Errorf("ckpt: %s: not valid checkpoint metadata: %w", MetaFile, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Meta{}, fmt.Errorf("ckpt: %s: unexpected data after the JSON object", MetaFile)
	}
	for i := range m.Variables {
		if m.Variables[i].Shape == nil {
			m.Variables[i].Shape = []int{} // a scalar; null and [] mean the same
		}
	}
	if err := m.validate(); err != nil {
		return Meta{}, fmt.Errorf("ckpt: %s: %w", MetaFile, err)
	}
	return m, nil
}

// Marshal returns m as indented JSON ending in a newline, after checking it as ParseMeta would, so that
// what is saved can be loaded.
func (m Meta) Marshal() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("ckpt: Marshal: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("ckpt: Marshal: %w", err)
	}
	return append(b, '\n'), nil
}

// Write writes m as dir/lesson.json (mode 0644 less the umask); call it from the write function given
// to Replace.
func (m Meta) Write(dir string) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, MetaFile), b, 0o644); err != nil {
		return fmt.Errorf("ckpt: %w", err)
	}
	return nil
}

// ReadMeta reads and parses dir/lesson.json. If the file does not exist the error wraps fs.ErrNotExist,
// so callers can tell "no checkpoint" (train one) from a damaged one.
func ReadMeta(dir string) (Meta, error) {
	f, err := os.Open(filepath.Join(dir, MetaFile))
	if err != nil {
		return Meta{}, fmt.Errorf("ckpt: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetaBytes+1))
	if err != nil {
		return Meta{}, fmt.Errorf("ckpt: %w", err)
	}
	if len(b) > maxMetaBytes {
		return Meta{}, fmt.Errorf("ckpt: %s: larger than %d bytes; this is not checkpoint metadata", f.Name(), maxMetaBytes)
	}
	m, err := ParseMeta(b)
	if err != nil {
		return Meta{}, fmt.Errorf("%w (in %s)", err, dir)
	}
	return m, nil
}

// validate checks every field of m as Meta documents.
func (m Meta) validate() error {
	switch {
	case m.Format != Format:
		return fmt.Errorf("format %d: want %d (format 1 was written by an older lesson)", m.Format, Format)
	case !isFingerprint(m.Fingerprint):
		return fmt.Errorf("fingerprint %q: want 16 to 128 lowercase hex digits, an even number", m.Fingerprint)
	case m.Model == "" || len(m.Model) > 64 || strings.IndexFunc(m.Model, isControl) >= 0:
		return fmt.Errorf("model name %q: want 1 to 64 printable characters", m.Model)
	}
	s := m.Settings
	switch {
	case s.Epochs < 0:
		return fmt.Errorf("settings: epochs %d: want 0 or more", s.Epochs)
	case s.BatchSize < 0:
		return fmt.Errorf("settings: batch_size %d: want 0 or more", s.BatchSize)
	case s.TrainSize < 0:
		return fmt.Errorf("settings: train_size %d: want 0 (all) or more", s.TrainSize)
	case !(s.LearningRate >= 0) || math.IsInf(s.LearningRate, 1):
		return fmt.Errorf("settings: learning_rate %v: want a finite number, 0 or more", s.LearningRate)
	}
	if len(m.Variables) == 0 {
		return errors.New("no variables: a checkpoint holds at least one weight")
	}
	seen := make(map[string]bool, len(m.Variables))
	for i, v := range m.Variables {
		switch {
		case v.Name == "" || strings.IndexFunc(v.Name, isControl) >= 0:
			return fmt.Errorf("variable %d: name %q: want a non-empty printable name", i, v.Name)
		case seen[v.Name]:
			return fmt.Errorf("variable %s appears twice", v.Name)
		case !isDType(v.DType):
			return fmt.Errorf("variable %s: dtype %q: want a type name such as Float32", v.Name, v.DType)
		}
		seen[v.Name] = true
		for _, d := range v.Shape {
			if d <= 0 {
				return fmt.Errorf("variable %s: shape %v: want every dimension positive", v.Name, v.Shape)
			}
		}
	}
	prev := 0
	for _, e := range m.History {
		switch {
		case e.Epoch <= prev:
			return fmt.Errorf("history: epoch %d after epoch %d: want epochs increasing from 1", e.Epoch, prev)
		case !nonNegative(e.Loss):
			return fmt.Errorf("history: epoch %d: loss %v: want a finite number, 0 or more", e.Epoch, e.Loss)
		case !fraction(e.Accuracy):
			return fmt.Errorf("history: epoch %d: accuracy %v: want 0 to 1", e.Epoch, e.Accuracy)
		case e.TestLoss != nil && !nonNegative(*e.TestLoss):
			return fmt.Errorf("history: epoch %d: test_loss %v: want a finite number, 0 or more, or null", e.Epoch, *e.TestLoss)
		case e.TestAccuracy != nil && !fraction(*e.TestAccuracy):
			return fmt.Errorf("history: epoch %d: test_accuracy %v: want 0 to 1, or null", e.Epoch, *e.TestAccuracy)
		case e.Images < 0:
			return fmt.Errorf("history: epoch %d: images %d: want 0 or more", e.Epoch, e.Images)
		case !nonNegative(e.Seconds):
			return fmt.Errorf("history: epoch %d: seconds %v: want a finite number, 0 or more", e.Epoch, e.Seconds)
		}
		prev = e.Epoch
	}
	return nil
}

func nonNegative(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }
func fraction(x float64) bool    { return x >= 0 && x <= 1 }
func isControl(r rune) bool      { return r < 0x20 || r == 0x7f || r == 0xfffd }

func isFingerprint(s string) bool {
	if len(s) < 16 || len(s) > 128 || len(s)%2 != 0 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

func isDType(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// CheckVariables compares the checkpoint's variables with have, the model's, and returns an error naming
// the first that differs: one of the model's that is missing or has another dtype or shape ("variable
// /model/dense/kernel: checkpoint has [1600 128], the model has [400 128]"), then one the checkpoint has
// and the model does not. The caller adds the fix (pick the matching model, or delete DIR and train again).
func (m Meta) CheckVariables(have []Variable) error {
	saved := make(map[string]Variable, len(m.Variables))
	for _, v := range m.Variables {
		saved[v.Name] = v
	}
	wanted := make(map[string]bool, len(have))
	for _, v := range have {
		wanted[v.Name] = true
		s, ok := saved[v.Name]
		switch {
		case !ok:
			return fmt.Errorf("ckpt: variable %s: the model has %s %v, the checkpoint has no such variable", v.Name, v.DType, shape(v.Shape))
		case s.DType != v.DType:
			return fmt.Errorf("ckpt: variable %s: checkpoint has %s, the model has %s", v.Name, s.DType, v.DType)
		case !slices.Equal(s.Shape, v.Shape):
			return fmt.Errorf("ckpt: variable %s: checkpoint has %v, the model has %v", v.Name, shape(s.Shape), shape(v.Shape))
		}
	}
	for _, s := range m.Variables {
		if !wanted[s.Name] {
			return fmt.Errorf("ckpt: variable %s: checkpoint has %s %v, the model has no such variable", s.Name, s.DType, shape(s.Shape))
		}
	}
	return nil
}

// shape prints a shape as [1600 128], and a scalar as [].
func shape(s []int) string { return fmt.Sprint(append([]int{}, s...)) }
