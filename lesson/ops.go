package lesson

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
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
	// Im2Col writes each 3×3 convolution as one matrix product over the 3×3
	// patches and each 2×2 max-pool as a reshape and a max-reduction, laid
	// out so that the go backend runs them and their gradients fast (see
	// bench/README.md for the measurements behind each choice).
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

// The Im2Col formulation, op by op, with what each choice saves on the go
// backend (whose element-wise ops, slices and transposes are scalar loops,
// and whose only vectorised op is the matrix product):
//
//   - The convolution is zᵀ = kernelᵀ · patchesᵀ, giving channels-first
//     [cout, batch, h, w]. In this orientation the go backend computes the
//     kernel's gradient as a plain matrix product; patches · kernel (the
//     obvious way) makes it transpose both the patches and the incoming
//     gradient first, which cost a fifth of the training step.
//   - With one input channel the patches are built channels-first, [9, M],
//     from 9 slices of whole image rows.
//   - Max-pooling comes before the bias and relu, which is exact (max
//     commutes with adding a per-channel constant and with relu) and leaves
//     4× fewer values for them; the pool runs channels-first, before the
//     transpose back to [batch, h, w, c].
//   - Relu is Where(z > 0, z, 0), whose gradient is one Where; GoMLX's
//     Max(z, 0) builds its gradient from four Sign and arithmetic ops.
//   - The max-pool's gradient is one Equal and one Where (see windowMax),
//     instead of GoMLX's ReduceMax gradient of Sign ops.

// conv3x3 is a valid (unpadded), stride-1 3×3 convolution with bias and
// relu. x is [batch, h, w, cin], kernel [3, 3, cin, cout], bias [cout];
// the result is [batch, h-2, w-2, cout].
func conv3x3(f Formulation, x, kernel, bias *graph.Node) *graph.Node {
	if f == Builtin {
		y := graph.Convolve(x, kernel).Strides(1).NoPadding().Done()
		y = graph.Add(y, graph.ExpandLeftToRank(bias, y.Rank()))
		return activation.Relu(y)
	}
	zT := convT(x, kernel)
	return channelsLast(relu(graph.Add(zT, channelBias(bias))))
}

// maxPool2x2 is a 2×2 max-pool with stride 2 and no padding: x [batch, h, w,
// c] becomes [batch, ⌊h/2⌋, ⌊w/2⌋, c], dropping an odd last row and column
// as Keras does.
func maxPool2x2(f Formulation, x *graph.Node) *graph.Node {
	if f == Builtin {
		return graph.MaxPool(x).Window(2).Strides(2).NoPadding().Done()
	}
	return pool2x2(x, 1, 2)
}

// convPool3x3 computes a Conv2D layer (conv3x3) and the 2×2 max-pool that
// follows it (maxPool2x2), returning both outputs. Unless f is Builtin the
// pool is computed from the convolution before its bias and relu; the conv
// output is then only computed when used (e.g. by [Model.Activations]).
func convPool3x3(f Formulation, x, kernel, bias *graph.Node) (conv, pool *graph.Node) {
	if f == Builtin {
		conv = conv3x3(f, x, kernel, bias)
		return conv, maxPool2x2(f, conv)
	}
	zT := convT(x, kernel)
	b := channelBias(bias)
	conv = channelsLast(relu(graph.Add(zT, b)))
	pool = channelsLast(relu(graph.Add(pool2x2(zT, 2, 3), b)))
	return conv, pool
}

// convT is the 3×3 convolution of x [batch, h, w, cin] with kernel [3, 3,
// cin, cout], without bias, channels-first: [cout, batch, h-2, w-2].
func convT(x, kernel *graph.Node) *graph.Node {
	xd := x.Shape().Dimensions
	batch, h, w, cin := xd[0], xd[1]-2, xd[2]-2, xd[3]
	cout := kernel.Shape().Dimensions[3]
	kernelT := graph.TransposeAllAxes(graph.Reshape(kernel, 9*cin, cout), 1, 0) // [cout, 9·cin], small
	var zT *graph.Node
	if cin == 1 {
		// patchesᵀ [9, M]: zᵀ = kernelᵀ · patchesᵀ.
		x3 := graph.Reshape(x, batch, xd[1], xd[2])
		rows := make([]*graph.Node, 0, 9)
		for dy := range 3 {
			for dx := range 3 {
				s := graph.Slice(x3, graph.AxisRange(), graph.AxisRange(dy, dy+h), graph.AxisRange(dx, dx+w))
				rows = append(rows, graph.Reshape(s, 1, batch*h*w))
			}
		}
		zT = graph.DotGeneral(kernelT, []int{1}, nil, graph.Concatenate(rows, 0), []int{0}, nil)
	} else {
		// patches [M, 9·cin]: zᵀ = kernelᵀ · patchesᵀ, contracting both last axes.
		patches := graph.Reshape(im2col3x3(x), batch*h*w, 9*cin)
		zT = graph.DotGeneral(kernelT, []int{1}, nil, patches, []int{1}, nil)
	}
	return graph.Reshape(zT, cout, batch, h, w)
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

// channelBias reshapes bias [c] to add to a channels-first [c, batch, h, w].
func channelBias(bias *graph.Node) *graph.Node {
	return graph.Reshape(bias, bias.Shape().Dimensions[0], 1, 1, 1)
}

// channelsLast turns channels-first [c, batch, h, w] into [batch, h, w, c].
func channelsLast(x *graph.Node) *graph.Node {
	return graph.TransposeAllAxes(x, 1, 2, 3, 0)
}

// relu is max(x, 0) written as Where(x > 0, x, 0), whose gradient is a
// single Where.
func relu(x *graph.Node) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	return graph.Where(graph.GreaterThan(x, zero), x, zero)
}

// pool2x2 is the 2×2, stride-2 max-pool of the two spatial axes hAxis and
// hAxis+1 = wAxis of a rank-4 x, dropping an odd last row and column.
func pool2x2(x *graph.Node, hAxis, wAxis int) *graph.Node {
	dims := x.Shape().Dimensions
	outH, outW := dims[hAxis]/2, dims[wAxis]/2
	if dims[hAxis]%2 != 0 || dims[wAxis]%2 != 0 {
		ranges := []graph.SliceAxisSpec{graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange()}
		ranges[hAxis], ranges[wAxis] = graph.AxisRange(0, 2*outH), graph.AxisRange(0, 2*outW)
		x = graph.Slice(x, ranges...)
	}
	// Split each spatial axis into (out, 2): the windows are the new axes.
	var split []int
	for axis, d := range dims {
		switch axis {
		case hAxis:
			split = append(split, outH, 2)
		case wAxis:
			split = append(split, outW, 2)
		default:
			split = append(split, d)
		}
	}
	return windowMax(graph.Reshape(x, split...), hAxis+1, wAxis+2)
}

// windowMax is graph.ReduceMax(x, axes...) over window axes of size 2, with
// a cheaper gradient: the incoming gradient goes to the elements equal to
// their window's maximum (to all of them on ties, as GoMLX's ReduceMax),
// selected with one Equal and one Where instead of GoMLX's Sign ops.
//
// GoMLX's custom gradients apply to one node's input, so the gradient is
// routed through a second path whose value is zero: t - StopGradient(t),
// with t one element of each window (a cheap strided slice). Its custom
// gradient ignores the slice's own gradient and uses the output's, which
// reverse-mode differentiation has computed before, as the output depends
// on t.
func windowMax(x *graph.Node, axes ...int) *graph.Node {
	m := graph.ReduceMax(graph.StopGradient(x), axes...)
	kept := x.Shape().Clone() // x's shape with the window axes of size 1
	first := make([]graph.SliceAxisSpec, x.Rank())
	for i := range first {
		first[i] = graph.AxisRange()
	}
	for _, a := range axes {
		kept.Dimensions[a] = 1
		first[a] = graph.AxisElem(0)
	}
	var dOut *graph.Node // the gradient of the output, set during backpropagation
	t := graph.Slice(graph.IdentityWithCustomGradient(x, func(x, _ *graph.Node) *graph.Node {
		isMax := graph.Equal(x, graph.ReshapeWithShape(graph.StopGradient(m), kept))
		d := graph.BroadcastToShape(graph.ReshapeWithShape(dOut, kept), x.Shape())
		return graph.Where(isMax, d, graph.ScalarZero(x.Graph(), x.DType()))
	}), first...)
	t = graph.Reshape(t, m.Shape().Dimensions...)
	y := graph.Add(m, graph.Sub(t, graph.StopGradient(t)))
	return graph.IdentityWithCustomGradient(y, func(_, v *graph.Node) *graph.Node {
		dOut = v
		return v
	})
}
