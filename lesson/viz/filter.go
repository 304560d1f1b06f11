package viz

import (
	"fmt"
	"strings"

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

// ConvolveAt works out one value of [Convolve]'s map by hand: for image i
// of d and the position (row, col) of the [26, 26] map, it returns as text
// the 3×3 patch of pixels under the kernel (scaled to [0, 1]), the kernel,
// the nine products and their sum, which is the map's value there, the
// same float32 that Convolve computes.
func ConvolveAt(d *fashion.Data, i int, kernel [3][3]float32, row, col int) (string, error) {
	side := fashion.ImageSize - 2
	switch {
	case i < 0 || i >= lenOf(d):
		return "", fmt.Errorf("viz: ConvolveAt: image %d out of range; d has %d images", i, lenOf(d))
	case row < 0 || row >= side || col < 0 || col >= side:
		return "", fmt.Errorf("viz: ConvolveAt: position (%d, %d) is outside the %d×%d map; pick row and column from 0 to %d", row, col, side, side, side-1)
	}
	px := d.Floats(i, i+1)
	var patch, products [3][3]float32
	var sum float32
	for ky := range 3 {
		for kx := range 3 {
			patch[ky][kx] = px[(row+ky)*fashion.ImageSize+col+kx]
			products[ky][kx] = patch[ky][kx] * kernel[ky][kx]
			sum += products[ky][kx]
		}
	}
	var b strings.Builder
	grid := func(title string, m [3][3]float32) {
		b.WriteString(title + "\n")
		for _, r := range m {
			fmt.Fprintf(&b, "  %7.3f %7.3f %7.3f\n", noNegZero(r[0]), noNegZero(r[1]), noNegZero(r[2]))
		}
	}
	grid(fmt.Sprintf("pixels of image %d, rows %d–%d, columns %d–%d (÷255):", i, row, row+2, col, col+2), patch)
	grid("× the filter, weight by weight:", kernel)
	grid("= nine products:", products)
	b.WriteString("sum:")
	for ky, r := range products {
		for kx, p := range r {
			switch {
			case ky == 0 && kx == 0:
				fmt.Fprintf(&b, " %.3f", noNegZero(p))
			case p < 0:
				fmt.Fprintf(&b, " − %.3f", -p)
			default:
				fmt.Fprintf(&b, " + %.3f", noNegZero(p))
			}
		}
	}
	fmt.Fprintf(&b, " = %.4f\n", noNegZero(sum))
	fmt.Fprintf(&b, "so the map's value at row %d, column %d is %.4f\n", row, col, noNegZero(sum))
	return b.String(), nil
}

// noNegZero returns v, with -0 (a negative weight times a black pixel)
// shown as 0.
func noNegZero(v float32) float32 {
	if v == 0 {
		return 0
	}
	return v
}

// OutputSize counts the positions a k×k window takes along n pixels padded
// with pad zeros on each side, moving stride pixels at a time: the output
// size of such a convolution or pooling, which the formula
// ⌊(n + 2·pad − k)/stride⌋ + 1 predicts. It slides the window rather than
// using the formula, so a notebook can check a prediction against it. It
// returns 0 when the window does not fit.
func OutputSize(n, k, pad, stride int) int {
	if k < 1 || stride < 1 || n < 0 || pad < 0 {
		return 0
	}
	count := 0
	for start := 0; start+k <= n+2*pad; start += stride {
		count++
	}
	return count
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
