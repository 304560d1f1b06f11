package lesson

import (
	"fmt"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// Convolve slides the 3×3 kernel over image i of d, as one Conv2D filter
// without bias or activation does, and returns the result [26, 26]: each
// value is the sum of the 9 pixels under the kernel (scaled to [0, 1]) times
// the kernel's weights. Negative values are kept; apply [ReLU] to drop them.
func Convolve(d *fashion.Data, i int, kernel [3][3]float32) (Tensor, error) {
	if d == nil || i < 0 || i >= d.Len() {
		return Tensor{}, fmt.Errorf("lesson: Convolve: image %d out of range; d has %d images", i, lenOf(d))
	}
	px := d.Floats(i, i+1)
	side := fashion.ImageSize - 2
	out := Tensor{Shape: []int{side, side}, Values: make([]float32, side*side)}
	for y := range side {
		for x := range side {
			var s float32
			for ky := range 3 {
				for kx := range 3 {
					s += px[(y+ky)*fashion.ImageSize+x+kx] * kernel[ky][kx]
				}
			}
			out.Values[y*side+x] = s
		}
	}
	return out, nil
}

// ReLU returns t with its negative values replaced by 0, as the Conv2D
// layers' activation does.
func ReLU(t Tensor) Tensor {
	out := Tensor{Shape: append([]int(nil), t.Shape...), Values: make([]float32, len(t.Values))}
	for i, v := range t.Values {
		out.Values[i] = max(v, 0)
	}
	return out
}

// MaxPool2x2 keeps the largest value of each 2×2 block of a map [h, w],
// returning [h/2, w/2] (rounded down, like MaxPooling2D: 26 → 13, 11 → 5).
func MaxPool2x2(t Tensor) (Tensor, error) {
	if len(t.Shape) != 2 {
		return Tensor{}, fmt.Errorf("lesson: MaxPool2x2: shape %v; want [height, width]", t.Shape)
	}
	h, w := t.Shape[0], t.Shape[1]
	oh, ow := h/2, w/2
	out := Tensor{Shape: []int{oh, ow}, Values: make([]float32, oh*ow)}
	for y := range oh {
		for x := range ow {
			m := t.Values[2*y*w+2*x]
			for _, v := range []float32{t.Values[2*y*w+2*x+1], t.Values[(2*y+1)*w+2*x], t.Values[(2*y+1)*w+2*x+1]} {
				m = max(m, v)
			}
			out.Values[y*ow+x] = m
		}
	}
	return out, nil
}

func lenOf(d *fashion.Data) int {
	if d == nil {
		return 0
	}
	return d.Len()
}
