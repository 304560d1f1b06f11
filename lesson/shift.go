package lesson

import (
	"fmt"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// CompareShift evaluates each model on d as it is and on d shifted by each
// of shifts pixels to the right ([fashion.Shift]), and returns the
// accuracies as a text table, one row per model, e.g. for shifts 2 and 4:
//
//	model   centred     2 px     4 px
//	dense    0.8734   0.5940   0.2680
//	cnn      0.9055   0.8090   0.3720
func CompareShift(d *fashion.Data, shifts []int, models ...*Model) (string, error) {
	width := len("model")
	for _, m := range models {
		width = max(width, len(m.Name()))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s %8s", width, "model", "centred")
	for _, dx := range shifts {
		fmt.Fprintf(&b, " %8s", fmt.Sprintf("%d px", dx))
	}
	b.WriteString("\n")
	for _, m := range models {
		fmt.Fprintf(&b, "%-*s", width, m.Name())
		for i, dx := range append([]int{0}, shifts...) {
			data := d
			if i > 0 {
				data = fashion.Shift(d, dx, 0)
			}
			_, acc, err := m.Evaluate(data)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, " %8.4f", acc)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
