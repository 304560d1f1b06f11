package viz

import (
	"fmt"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// Convolve slides the 3×3 kernel over image i of d, as one Conv2D filter
// without bias or activation does, and returns the map [26, 26]: each value
// is the sum of the 9 pixels under the kernel (scaled from 0..255 to [0, 1])
// times the kernel's weights. Negative values are kept; apply [ReLU] to drop
// them. It is the hand-made version of the model's first layer, for the
// lesson's "what a convolution does" picture (see [Heatmap]).
func Convolve(d *fashion.Data, i int, kernel [3][3]float32) (lesson.Tensor, error) {
	if i < 0 || i >= lenOf(d) {
		return lesson.Tensor{}, fmt.Errorf("viz: Convolve: image %d out of range; d has %d images", i, lenOf(d))
	}
	px := d.Floats(i, i+1)
	side := fashion.ImageSize - 2
	out := make([]float32, side*side)
	for y := range side {
		for x := range side {
			var s float32
			for ky := range 3 {
				for kx := range 3 {
					s += px[(y+ky)*fashion.ImageSize+x+kx] * kernel[ky][kx]
				}
			}
			out[y*side+x] = s
		}
	}
	return newTensor([]int{side, side}, out), nil
}

// ReLU returns a copy of t, any shape, with its negative values replaced by
// 0, as the Conv2D layers' activation does.
func ReLU(t lesson.Tensor) lesson.Tensor {
	in := values(t)
	out := make([]float32, len(in))
	for i, v := range in {
		out[i] = max(v, 0)
	}
	return newTensor(append([]int(nil), t.Shape...), out)
}

// MaxPool2x2 keeps the largest value of each 2×2 block of a map [h, w],
// returning [h/2, w/2] (rounded down, like MaxPooling2D: 26 → 13, 11 → 5).
func MaxPool2x2(t lesson.Tensor) (lesson.Tensor, error) {
	if len(t.Shape) != 2 {
		return lesson.Tensor{}, fmt.Errorf("viz: MaxPool2x2: shape %v; want [height, width]", t.Shape)
	}
	oh, ow := t.Shape[0]/2, t.Shape[1]/2
	out := make([]float32, oh*ow)
	for y := range oh {
		for x := range ow {
			out[y*ow+x] = max(t.At(2*y, 2*x), t.At(2*y, 2*x+1), t.At(2*y+1, 2*x), t.At(2*y+1, 2*x+1))
		}
	}
	return newTensor([]int{oh, ow}, out), nil
}

// newTensor and values are the only places that name lesson.Tensor's data
// field.
func newTensor(shape []int, data []float32) lesson.Tensor {
	return lesson.Tensor{Shape: shape, Values: data}
}

func values(t lesson.Tensor) []float32 { return t.Values }

// lenOf returns the number of images of d, 0 for nil.
func lenOf(d *fashion.Data) int {
	if d == nil {
		return 0
	}
	return d.Len()
}
