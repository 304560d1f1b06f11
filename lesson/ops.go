package lesson

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/nn"
)

// Formulation chooses how the convolution and max-pooling are written in the
// graph. Every formulation uses the same variables and gives the same
// results (within float32 rounding), so checkpoints move freely between them.
type Formulation int

const (
	// Auto picks Im2Col on the pure-Go backend and Builtin elsewhere (XLA).
	Auto Formulation = iota
	// Builtin uses GoMLX's graph.Convolve and graph.MaxPool ops. On the go backend the
	// convolution is a scalar loop and graph.MaxPool has no gradient.
	Builtin
	// Im2Col writes each 3×3 convolution as a matrix product over the 3×3
	// patches (one fused Dense op) and each 2×2 max-pool as a reshape and a
	// max-reduction, which the go backend runs fast and can differentiate.
	Im2Col
)

// String returns "auto", "builtin" or "im2col".
func (f Formulation) String() string {
	switch f {
	case Builtin:
		return "builtin"
	case Im2Col:
		return "im2col"
	default:
		return "auto"
	}
}

// conv3x3 is a valid (unpadded), stride-1 3×3 convolution with bias and
// relu. x is [batch, h, w, cin], kernel [3, 3, cin, cout], bias [cout];
// the result is [batch, h-2, w-2, cout].
func conv3x3(f Formulation, x, kernel, bias *graph.Node) *graph.Node {
	if f == Builtin {
		y := graph.Convolve(x, kernel).Strides(1).NoPadding().Done()
		y = graph.Add(y, graph.ExpandLeftToRank(bias, y.Rank()))
		return activation.Relu(y)
	}
	return nn.Dense(im2col3x3(x), graph.Reshape(kernel, -1, kernel.Shape().Dimensions[3]), bias, activation.TypeRelu)
}

// im2col3x3 gathers the 3×3 patches of x [batch, h, w, c] into
// [batch, h-2, w-2, 9·c], ordered (dy, dx, c) like a [3, 3, c, cout] kernel
// reshaped to [9·c, cout].
func im2col3x3(x *graph.Node) *graph.Node {
	dims := x.Shape().Dimensions
	outH, outW := dims[1]-2, dims[2]-2
	patches := make([]*graph.Node, 0, 9)
	for dy := range 3 {
		for dx := range 3 {
			patches = append(patches, graph.Slice(x, graph.AxisRange(), graph.AxisRange(dy, dy+outH), graph.AxisRange(dx, dx+outW), graph.AxisRange()))
		}
	}
	return graph.Concatenate(patches, -1)
}

// maxPool2x2 is a 2×2 max-pool with stride 2 and no padding: x [batch, h, w,
// c] becomes [batch, ⌊h/2⌋, ⌊w/2⌋, c], dropping an odd last row and column
// as Keras does.
func maxPool2x2(f Formulation, x *graph.Node) *graph.Node {
	if f == Builtin {
		return graph.MaxPool(x).Window(2).Strides(2).NoPadding().Done()
	}
	dims := x.Shape().Dimensions
	batch, outH, outW, c := dims[0], dims[1]/2, dims[2]/2, dims[3]
	if dims[1]%2 != 0 || dims[2]%2 != 0 {
		x = graph.Slice(x, graph.AxisRange(), graph.AxisRange(0, 2*outH), graph.AxisRange(0, 2*outW), graph.AxisRange())
	}
	x = graph.Reshape(x, batch, outH, 2, outW, 2, c)
	return graph.ReduceMax(x, 2, 4)
}
