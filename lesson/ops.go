package lesson

import (
	"runtime"
	"slices"

	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// formulation chooses how convolutions and max-pools are written in the
// graph. Both use the same variables and give the same results (within
// float32 rounding), so checkpoints move freely between them.
type formulation int

const (
	// im2col writes each convolution as matrix products over its patches
	// and each max-pool as element-wise maxima of strided slices, laid out
	// so that the go backend runs them and their gradients fast (see
	// bench/README.md for the measurements behind each choice). It is the
	// choice on the pure-Go backend.
	im2col formulation = iota
	// builtin uses GoMLX's layers.Convolution and graph.MaxPool, for XLA.
	// On the go backend the convolution is a scalar loop and graph.MaxPool
	// has no gradient.
	builtin
)

// formulationFor returns the formulation for a backend by its name.
func formulationFor(backendName string) formulation {
	if backendName == gobackend.BackendName {
		return im2col
	}
	return builtin
}

// The im2col formulation, op by op, with what each choice saves on the go
// backend (whose only vectorised op is the matrix product, and whose
// element-wise ops, slices and transposes are plain loops, in upstream
// GoMLX one element at a time; third_party/compute speeds them up, see its
// PATCHES.md):
//
//   - Convolutions run channels-first, [c, batch, h, w]: the patches are
//     9 slices concatenated along the first axis, [9·cin, M], and the
//     convolution is zᵀ = kernelᵀ · patches. In this orientation the go
//     backend computes the kernel's gradient as a plain matrix product;
//     patches · kernel (the obvious way) makes it transpose the patches and
//     the incoming gradient first, which cost a fifth of the training step.
//   - The gradient w.r.t. a convolution's input is the full convolution
//     of the output's gradient with the flipped kernel (see convT), not the
//     patches' gradient scattered back by 9 pads and 8 additions, which the
//     go backend runs element by element in this layout.
//   - A block's output stays channels-first for the next block (see
//     convBlocks); only the Keras-ordered outputs are transposed.
//   - Max-pooling comes before the bias and relu, which is exact (max
//     commutes with adding a per-channel constant and with relu) and leaves
//     4× fewer values for them.
//   - A convolution followed by its pool is computed as four "phases", one
//     per position in the 2×2 window, each a matrix product over stride-2
//     patches (see convPoolT): the pool is then three element-wise Max ops
//     and its gradient one Equal and one Where per phase, with no
//     reduction over interleaved axes and no broadcasting; an odd last row
//     and column, which the pool drops, are never computed.
//   - Relu is Where(z > 0, z, 0), whose gradient is one Where; GoMLX's
//     Max(z, 0) builds its gradient from four Sign and arithmetic ops.
//   - The max-pool's gradient is one Equal and one Where per window
//     position (see elementMax), instead of GoMLX's gradients of Sign ops.
//   - Four phases in each of two batch parts are eight independent matrix
//     products; the go backend of upstream GoMLX v0.28 deadlocked on that
//     many (its worker pool), which third_party/compute fixes.
//   - The batch runs through the conv blocks in independent parts, which
//     the go backend schedules on different cores (see convBlocks).

// padSame pads x [batch, h, w, c] with zeros by (size−1)/2 on each side of
// h and w, so that a valid size×size convolution keeps h and w. It is
// written with Concatenate, since GoMLX's Pad has no gradient.
func padSame(x *graph.Node, size int) *graph.Node {
	p := (size - 1) / 2
	if p == 0 {
		return x
	}
	for _, axis := range []int{1, 2} {
		dims := slices.Clone(x.Shape().Dimensions)
		dims[axis] = p
		zeros := graph.Zeros(x.Graph(), shapes.Make(x.DType(), dims...))
		x = graph.Concatenate([]*graph.Node{zeros, x, zeros}, axis)
	}
	return x
}

// maxPool is a size×size max-pool with stride size and no padding: x
// [batch, h, w, c] becomes [batch, ⌊h/size⌋, ⌊w/size⌋, c], dropping the
// last rows and columns that do not fill a window, as Keras does. It is
// the element-wise maximum of the window's size² strided slices.
func maxPool(x *graph.Node, size int) *graph.Node {
	dims := x.Shape().Dimensions
	oh, ow := dims[1]/size, dims[2]/size
	corners := make([]*graph.Node, 0, size*size)
	for py := range size {
		for px := range size {
			corners = append(corners, graph.Slice(x, graph.AxisRange(),
				graph.AxisRange(py, py+size*(oh-1)+1).Stride(size),
				graph.AxisRange(px, px+size*(ow-1)+1).Stride(size), graph.AxisRange()))
		}
	}
	return elementMax(corners...)
}

// actT applies act (Linear or ReLU) in the im2col formulation.
func actT(x *graph.Node, act Activation) *graph.Node {
	if act == ReLU {
		return relu(x)
	}
	return x
}

// convBlocks builds the convolutions and max-pools of one graph in the
// im2col formulation. It remembers the channels-first twin of each pooled
// output, so that the next convolution starts from it instead of
// transposing the output back.
//
// The batch is split into parts that run through the blocks independently
// (and are concatenated at the end of each block): the go backend runs
// independent ops in parallel but each element-wise op on one core, so two
// halves keep two cores busy.
type convBlocks struct {
	parts int
	// channelsFirst maps a [batch, h, w, c] block output to the same values
	// as [c, batch part, h, w], one per part.
	channelsFirst map[*graph.Node][]*graph.Node
}

// newConvBlocks splits batches into as many parts as Go may use cores, up
// to 4 (measured: 2 parts on 2 cores train 1.3–1.5× faster than 1).
func newConvBlocks() *convBlocks {
	return &convBlocks{parts: min(runtime.GOMAXPROCS(0), 4), channelsFirst: map[*graph.Node][]*graph.Node{}}
}

// parts returns x [batch, h, w, c] as channels-first parts.
func (cb *convBlocks) split(x *graph.Node) []*graph.Node {
	if xParts := cb.channelsFirst[x]; xParts != nil {
		return xParts
	}
	return splitBatch(x, cb.parts)
}

// conv is a valid, stride-1 convolution of x [batch, h, w, cin] with kernel
// [k, k, cin, cout] and bias [cout], then act: [batch, h−k+1, w−k+1, cout].
// When the layer is followed by a 2×2 max-pool (see convPool), this output
// is only computed if used, e.g. by [Model.Activations].
func (cb *convBlocks) conv(x, kernel, bias *graph.Node, act Activation) *graph.Node {
	b := channelBias(bias)
	var convs []*graph.Node
	for _, xT := range cb.split(x) {
		convs = append(convs, actT(graph.Add(convT(xT, kernel), b), act))
	}
	return channelsLast(concatBatch(convs))
}

// convPool is the 2×2 max-pool of conv(x, kernel, bias, act), computed
// apart by convPoolT: [batch, ⌊(h−k+1)/2⌋, ⌊(w−k+1)/2⌋, cout]. act must be
// Linear or ReLU, which commute with the max.
func (cb *convBlocks) convPool(x, kernel, bias *graph.Node, act Activation) *graph.Node {
	b := channelBias(bias)
	var pools []*graph.Node
	for _, xT := range cb.split(x) {
		pools = append(pools, actT(graph.Add(convPoolT(xT, kernel), b), act))
	}
	pool := channelsLast(concatBatch(pools))
	cb.channelsFirst[pool] = pools
	return pool
}

// splitBatch returns x [batch, h, w, c] as up to n parts [c, part, h, w]
// of at least 8 images each.
func splitBatch(x *graph.Node, n int) []*graph.Node {
	batch := x.Shape().Dimensions[0]
	n = max(1, min(n, batch/8))
	var parts []*graph.Node
	for i := range n {
		start, end := i*batch/n, (i+1)*batch/n
		part := x
		if n > 1 {
			part = graph.Slice(x, graph.AxisRange(start, end))
		}
		parts = append(parts, channelsFirst(part))
	}
	return parts
}

// concatBatch joins channels-first parts [c, part, h, w] along the batch.
func concatBatch(parts []*graph.Node) *graph.Node {
	if len(parts) == 1 {
		return parts[0]
	}
	return graph.Concatenate(parts, 1)
}

// convT is the k×k convolution, without bias, of xT [cin, batch, h, w]
// with kernel [k, k, cin, cout]; the result is [cout, batch, h-k+1, w-k+1].
//
// Its gradient w.r.t. xT is written as the "full" convolution of the
// output's gradient with the flipped kernel (the same im2col and matrix
// product); differentiating the patches instead would scatter them back
// with 9 pads and 8 additions, which the go backend runs element by
// element.
func convT(xT, kernel *graph.Node) *graph.Node {
	var dz *graph.Node // the gradient of the output, set during backpropagation
	xT = graph.IdentityWithCustomGradient(xT, func(_, _ *graph.Node) *graph.Node {
		return convTInputGrad(dz, kernel)
	})
	zT := convTNoGrad(xT, kernel)
	return graph.IdentityWithCustomGradient(zT, func(_, v *graph.Node) *graph.Node {
		dz = v
		return v
	})
}

// convTInputGrad is the gradient w.r.t. xT of convT(xT, kernel), given the
// gradient dz [cout, batch, h, w] of its output: the "full" convolution
// dx[c, b, i, j] = Σ kernel[dy, dx, c, o] · dz[o, b, i-dy, j-dx], that is
// convTNoGrad of dz padded by k−1 with the flipped kernel; [cin, batch, h+k−1, w+k−1].
func convTInputGrad(dz, kernel *graph.Node) *graph.Node {
	p := kernel.Shape().Dimensions[0] - 1
	flipped := graph.TransposeAllAxes(graph.Reverse(kernel, 0, 1), 0, 1, 3, 2) // [k, k, cout, cin]
	padded := graph.Pad(dz, graph.ScalarZero(dz.Graph(), dz.DType()), graph.PadAxis{}, graph.PadAxis{}, graph.PadAxis{Start: p, End: p}, graph.PadAxis{Start: p, End: p})
	return convTNoGrad(padded, flipped)
}

// convTNoGrad is convT's computation: patches [k·k·cin, M], rows ordered
// (dy, dx, c) like the kernel's, and zᵀ = kernelᵀ · patches.
func convTNoGrad(xT, kernel *graph.Node) *graph.Node {
	k := kernel.Shape().Dimensions[0]
	xd := xT.Shape().Dimensions
	cin, batch, h, w := xd[0], xd[1], xd[2]-k+1, xd[3]-k+1
	cout := kernel.Shape().Dimensions[3]
	parts := make([]*graph.Node, 0, k*k)
	for dy := range k {
		for dx := range k {
			s := graph.Slice(xT, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(dy, dy+h), graph.AxisRange(dx, dx+w))
			parts = append(parts, graph.Reshape(s, cin, batch*h*w))
		}
	}
	patches := graph.Concatenate(parts, 0)
	kernelT := graph.TransposeAllAxes(graph.Reshape(kernel, k*k*cin, cout), 1, 0) // [cout, k·k·cin], small
	zT := graph.DotGeneral(kernelT, []int{1}, nil, patches, []int{0}, nil)
	return graph.Reshape(zT, cout, batch, h, w)
}

// channelBias reshapes bias [c] to add to a channels-first [c, batch, h, w].
func channelBias(bias *graph.Node) *graph.Node {
	return graph.Reshape(bias, bias.Shape().Dimensions[0], 1, 1, 1)
}

// channelsFirst turns [batch, h, w, c] into [c, batch, h, w]; with one
// channel that is only a reshape.
func channelsFirst(x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	if d[3] == 1 {
		return graph.Reshape(x, 1, d[0], d[1], d[2])
	}
	return graph.TransposeAllAxes(x, 3, 0, 1, 2)
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

// convPoolT is the 2×2 max-pool of convT(xT, kernel): xT [cin, batch, h,
// w] becomes [cout, batch, (h-2)/2, (w-2)/2], without bias.
//
// It computes the convolution at the four positions of each pooling
// window as four separate "phases" (rows and columns 2i+py, 2j+px), each
// its own matrix product over stride-2 patches, so that the pool is three
// element-wise Max ops on tensors of the same shape and its gradient one
// Equal and one Where per phase; no reduction over interleaved axes and no
// broadcasting, which the go backend runs slowly. An odd last row and
// column of the convolution, which the pool drops, are never computed.
//
// Its gradient w.r.t. xT, like convT's, is the full convolution of the
// output's gradient, the four phases interleaved back, with the flipped
// kernel.
func convPoolT(xT, kernel *graph.Node) *graph.Node {
	k := kernel.Shape().Dimensions[0]
	xd := xT.Shape().Dimensions
	cin, batch, h, w := xd[0], xd[1], xd[2]-k+1, xd[3]-k+1
	oh, ow := h/2, w/2
	cout := kernel.Shape().Dimensions[3]
	var dPhases [4]*graph.Node // the gradients of the phases, set during backpropagation
	xT = graph.IdentityWithCustomGradient(xT, func(_, _ *graph.Node) *graph.Node {
		// dz[o, b, 2i+py, 2j+px] = dPhases[2py+px][o, b, i, j].
		dz := graph.Reshape(graph.Stack(dPhases[:], 0), 2, 2, cout, batch, oh, ow)
		dz = graph.Reshape(graph.TransposeAllAxes(dz, 2, 3, 4, 0, 5, 1), cout, batch, 2*oh, 2*ow)
		// dx is [cin, batch, 2·oh+k−1, 2·ow+k−1]. An odd last row and column of
		// xT only reach the convolution's last row and column, which the
		// pool drops: their gradient is 0.
		dx := convTInputGrad(dz, kernel)
		zero := graph.ScalarZero(dx.Graph(), dx.DType())
		return graph.Pad(dx, zero, graph.PadAxis{}, graph.PadAxis{}, graph.PadAxis{End: h - 2*oh}, graph.PadAxis{End: w - 2*ow})
	})
	kernelT := graph.TransposeAllAxes(graph.Reshape(kernel, k*k*cin, cout), 1, 0) // [cout, k·k·cin], small
	phases := make([]*graph.Node, 4)
	for p := range phases {
		py, px := p/2, p%2
		parts := make([]*graph.Node, 0, k*k)
		for dy := range k {
			for dx := range k {
				y0, x0 := py+dy, px+dx
				s := graph.Slice(xT, graph.AxisRange(), graph.AxisRange(),
					graph.AxisRange(y0, y0+2*oh-1).Stride(2), graph.AxisRange(x0, x0+2*ow-1).Stride(2))
				parts = append(parts, graph.Reshape(s, cin, batch*oh*ow))
			}
		}
		z := graph.DotGeneral(kernelT, []int{1}, nil, graph.Concatenate(parts, 0), []int{0}, nil)
		phases[p] = graph.IdentityWithCustomGradient(graph.Reshape(z, cout, batch, oh, ow), func(_, v *graph.Node) *graph.Node {
			dPhases[p] = v
			return v
		})
	}
	return elementMax(phases...)
}

// elementMax is the element-wise maximum of xs, all of one shape, with a
// cheap gradient: the incoming gradient goes to every x equal to the
// maximum at that element (to all of them on ties, as GoMLX's ReduceMax
// gradient does), one Equal and one Where per x instead of GoMLX's Max
// gradient of Sign ops.
//
// GoMLX's custom gradients replace the gradient of one node's input, so the
// max is computed without gradient and each x is connected to the output by
// a path whose value is zero: t - StopGradient(t), with t one element of x.
// The custom gradient on that path ignores what arrives through it and
// uses the output's gradient, which reverse-mode differentiation computes
// first, as the output depends on t.
func elementMax(xs ...*graph.Node) *graph.Node {
	m := graph.StopGradient(xs[0])
	for _, x := range xs[1:] {
		m = graph.Max(m, graph.StopGradient(x))
	}
	one := make([]graph.SliceAxisSpec, m.Rank())
	for i := range one {
		one[i] = graph.AxisRange(0, 1)
	}
	var dOut *graph.Node // the gradient of the output, set during backpropagation
	y := m
	for _, x := range xs {
		t := graph.Slice(graph.IdentityWithCustomGradient(x, func(x, _ *graph.Node) *graph.Node {
			return graph.Where(graph.Equal(x, m), dOut, graph.ScalarZero(x.Graph(), x.DType()))
		}), one...)
		y = graph.Add(y, graph.Reshape(graph.Sub(t, graph.StopGradient(t))))
	}
	return graph.IdentityWithCustomGradient(y, func(_, v *graph.Node) *graph.Node {
		dOut = v
		return v
	})
}
