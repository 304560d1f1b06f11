package lesson

import (
	"fmt"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// CompareShift evaluates each model on d and on d shifted dx pixels to the
// right ([fashion.Shift]), and returns the accuracies as a small text table, one row
// per model:
//
//	model                                 test   shifted 5 px
//	dense hidden=128 seed=1             0.8712         0.2903
func CompareShift(d *fashion.Data, dx int, models ...*Model) (string, error) {
	shifted := fashion.Shift(d, dx, 0)
	width := len("model")
	for _, m := range models {
		width = max(width, len(m.Config().String()))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s %6s %14s\n", width, "model", "test", fmt.Sprintf("shifted %d px", dx))
	for _, m := range models {
		_, centred, err := m.Evaluate(d, 0)
		if err != nil {
			return "", err
		}
		_, moved, err := m.Evaluate(shifted, 0)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%-*s %6.4f %14.4f\n", width, m.Config(), centred, moved)
	}
	return b.String(), nil
}
