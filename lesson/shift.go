package lesson

import (
	"fmt"
	"strings"
)

// Shift returns a copy of d with every image moved dx pixels right and dy
// pixels down (negative values move left and up), as if the item had been
// photographed off-centre. Pixels moved out of the 28×28 frame are lost and
// the uncovered ones are background (0). Labels are unchanged.
func Shift(d *Data, dx, dy int) *Data {
	out := &Data{Pixels: make([]uint8, len(d.Pixels)), Labels: append([]uint8(nil), d.Labels...)}
	for n := range d.Len() {
		src := d.Pixels[n*pixelsPerImage : (n+1)*pixelsPerImage]
		dst := out.Pixels[n*pixelsPerImage : (n+1)*pixelsPerImage]
		for y := range ImageSize {
			sy := y - dy
			if sy < 0 || sy >= ImageSize {
				continue
			}
			for x := range ImageSize {
				if sx := x - dx; sx >= 0 && sx < ImageSize {
					dst[y*ImageSize+x] = src[sy*ImageSize+sx]
				}
			}
		}
	}
	return out
}

// CompareShift evaluates each model on d and on d shifted dx pixels to the
// right ([Shift]), and returns the accuracies as a small text table, one row
// per model:
//
//	model                                 test   shifted 5 px
//	dense hidden=128 seed=1             0.8712         0.2903
func CompareShift(d *Data, dx int, models ...*Model) (string, error) {
	shifted := Shift(d, dx, 0)
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
