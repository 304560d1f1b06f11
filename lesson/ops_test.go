package lesson

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tolerance for float32 results computed in a different order.
var approx = cmpopts.EquateApprox(1e-4, 1e-5)

// randomTensor returns a tensor of the given shape with values uniform in
// [-1, 1): ties (equal values in a pooling window) and exact zeros (where
// relu's gradient is undefined) have probability ~0.
func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*rng.Float32() - 1
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// run executes fn on the go backend and returns its outputs' values.
func run(t *testing.T, backend compute.Backend, fn func(inputs []*graph.Node) []*graph.Node, inputs ...*tensors.Tensor) [][]float32 {
	t.Helper()
	var outs [][]float32
	err := catch("test graph", func() {
		exec := graph.MustNewExec(backend, fn)
		defer exec.Finalize()
		args := make([]any, len(inputs))
		for i, in := range inputs {
			args[i] = in
		}
		for _, o := range exec.MustExec(args...) {
			outs = append(outs, tensors.MustCopyFlatData[float32](o))
			o.MustFinalizeAll()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// weighted returns sum(y · r), a scalar whose gradient w.r.t. y is r: a
// random "upstream gradient" that checks every element of the gradients.
func weighted(y *graph.Node, seed uint64) *graph.Node {
	rng := rand.New(rand.NewPCG(seed, 7))
	r := randomTensor(rng, y.Shape().Dimensions...)
	return graph.ReduceAllSum(graph.Mul(y, graph.Const(y.Graph(), r)))
}

// convFor is a convolution layer with bias and relu in formulation f:
// GoMLX's graph.Convolve, or the im2col blocks.
func convFor(f formulation, x, kernel, bias *graph.Node, same bool) *graph.Node {
	if f == builtin {
		c := graph.Convolve(x, kernel).Strides(1)
		if same {
			c = c.PadSame()
		} else {
			c = c.NoPadding()
		}
		y := c.Done()
		return activation.Relu(graph.Add(y, graph.ExpandLeftToRank(bias, y.Rank())))
	}
	if same {
		x = padSame(x, kernel.Shape().Dimensions[0])
	}
	return newConvBlocks().conv(x, kernel, bias, ReLU)
}

// TestConvMatchesBuiltin checks that the fast convolution (and the
// conv+pool block's conv output) equal GoMLX's Convolve + bias + relu,
// values and gradients w.r.t. the input, the kernel and the bias.
func TestConvMatchesBuiltin(t *testing.T) {
	tests := []struct {
		name                   string
		reason                 string
		batch, h, w, cin, cout int
		k                      int
		same                   bool
	}{
		{"one channel", "cin = 1 builds the patches channels-first, [9, M], as the first layer does", 2, 8, 7, 1, 4, 3, false},
		{"many channels", "cin > 1 builds [M, 9·cin] patches ordered (dy, dx, c), as the second layer does", 2, 7, 6, 3, 5, 3, false},
		{"seed first layer", "the lesson's first layer: 28×28×1 → 26×26×64", 1, 28, 28, 1, 64, 3, false},
		{"seed second layer", "the lesson's second layer: 13×13×64 → 11×11×64", 1, 13, 13, 64, 64, 3, false},
		{"5×5 kernel", "LeNet's second layer: k = 5 gives 25·cin patches and a padding of 4 in the input gradient", 2, 9, 10, 3, 4, 5, false},
		{"same padding", "Conv2DSame pads by (k−1)/2 and keeps the size, as GoMLX's PadSame", 2, 8, 8, 2, 3, 5, true},
	}
	backend := testBackend(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			x := randomTensor(rng, tc.batch, tc.h, tc.w, tc.cin)
			kernel := randomTensor(rng, tc.k, tc.k, tc.cin, tc.cout)
			bias := randomTensor(rng, tc.cout)
			results := map[string][][]float32{}
			for f, name := range map[formulation]string{builtin: "builtin", im2col: "im2col"} {
				results[name] = run(t, backend, func(in []*graph.Node) []*graph.Node {
					y := convFor(f, in[0], in[1], in[2], tc.same)
					grads := graph.Gradient(weighted(y, 3), in...)
					return append([]*graph.Node{y}, grads...)
				}, x, kernel, bias)
			}
			for j, what := range []string{"output", "gradient w.r.t. x", "gradient w.r.t. kernel", "gradient w.r.t. bias"} {
				if diff := cmp.Diff(results["builtin"][j], results["im2col"][j], approx); diff != "" {
					t.Errorf("%s (%s): %s mismatch (-builtin +im2col):\n%s", tc.name, tc.reason, what, diff)
				}
			}
		})
	}
}

// referencePool computes the 2×2 max-pool of x [batch, h, w, c] in plain
// Go, and the gradient of sum(pool · r) w.r.t. x: r at each window's
// maximum, 0 elsewhere (no ties in random data).
func referencePool(x, r []float32, batch, h, w, c int) (pool, grad []float32) {
	oh, ow := h/2, w/2
	pool = make([]float32, batch*oh*ow*c)
	grad = make([]float32, len(x))
	at := func(b, i, j, k int) int { return ((b*h+i)*w+j)*c + k }
	for b := range batch {
		for i := range oh {
			for j := range ow {
				for k := range c {
					best := at(b, 2*i, 2*j, k)
					for _, d := range [][2]int{{0, 1}, {1, 0}, {1, 1}} {
						if idx := at(b, 2*i+d[0], 2*j+d[1], k); x[idx] > x[best] {
							best = idx
						}
					}
					o := ((b*oh+i)*ow+j)*c + k
					pool[o] = x[best]
					grad[best] += r[o]
				}
			}
		}
	}
	return pool, grad
}

// TestPoolMatchesReference checks the fast max-pool's values against
// GoMLX's MaxPool, and its gradient against a plain-Go reference (GoMLX's
// MaxPool has no gradient on the go backend).
func TestPoolMatchesReference(t *testing.T) {
	tests := []struct {
		name           string
		reason         string
		batch, h, w, c int
	}{
		{"even", "26×26 → 13×13, as after the first convolution", 2, 6, 8, 3},
		{"odd", "11×11 → 5×5 drops the last row and column, as Keras does", 2, 7, 5, 2},
		{"seed second pool", "the lesson's 11×11×64 → 5×5×64", 1, 11, 11, 64},
	}
	backend := testBackend(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			x := randomTensor(rng, tc.batch, tc.h, tc.w, tc.c)
			r := randomTensor(rng, tc.batch, tc.h/2, tc.w/2, tc.c)
			xs, rs := tensors.MustCopyFlatData[float32](x), tensors.MustCopyFlatData[float32](r)
			wantPool, wantGrad := referencePool(xs, rs, tc.batch, tc.h, tc.w, tc.c)
			builtin := run(t, backend, func(in []*graph.Node) []*graph.Node {
				return []*graph.Node{graph.MaxPool(in[0]).Window(2).Strides(2).NoPadding().Done()}
			}, x)
			fast := run(t, backend, func(in []*graph.Node) []*graph.Node {
				y := maxPool(in[0], 2)
				loss := graph.ReduceAllSum(graph.Mul(y, in[1]))
				return []*graph.Node{y, graph.Gradient(loss, in[0])[0]}
			}, x, r)
			if diff := cmp.Diff(wantPool, builtin[0]); diff != "" {
				t.Errorf("%s: reference pool disagrees with GoMLX's MaxPool (-reference +builtin):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(wantPool, fast[0]); diff != "" {
				t.Errorf("%s: output mismatch (-want +got):\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(wantGrad, fast[1]); diff != "" {
				t.Errorf("%s: gradient w.r.t. x mismatch (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestConvPoolMatchesBuiltin checks the fused conv + max-pool block, which
// pools before the bias and relu, against GoMLX's Convolve, bias, relu and
// MaxPool; its gradients against the built-in convolution's gradients
// given the reference max-pool gradient as upstream gradient.
func TestConvPoolMatchesBuiltin(t *testing.T) {
	tests := []struct {
		name                   string
		reason                 string
		batch, h, w, cin, cout int
		parts                  int
	}{
		{"first layer", "one input channel, even 6×6 map", 2, 8, 8, 1, 3, 1},
		{"second layer", "several input channels, odd 5×5 map whose last row and column are dropped", 2, 7, 7, 4, 3, 1},
		{"split batch", "17 images in 2 parts (8 and 9) that run apart and are joined", 17, 7, 7, 2, 3, 2},
	}
	backend := testBackend(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			x := randomTensor(rng, tc.batch, tc.h, tc.w, tc.cin)
			kernel := randomTensor(rng, 3, 3, tc.cin, tc.cout)
			bias := randomTensor(rng, tc.cout)
			oh, ow := tc.h-2, tc.w-2
			r := randomTensor(rng, tc.batch, oh/2, ow/2, tc.cout)

			fast := run(t, backend, func(in []*graph.Node) []*graph.Node {
				cb := newConvBlocks()
				cb.parts = tc.parts
				conv := cb.conv(in[0], in[1], in[2], ReLU)
				pool := cb.convPool(in[0], in[1], in[2], ReLU)
				loss := graph.ReduceAllSum(graph.Mul(pool, in[3]))
				return append([]*graph.Node{conv, pool}, graph.Gradient(loss, in[:3]...)...)
			}, x, kernel, bias, r)

			// Reference: the built-in conv's output, the plain-Go pool of it,
			// and the built-in conv's gradients for the pool's upstream gradient.
			conv := run(t, backend, func(in []*graph.Node) []*graph.Node {
				return []*graph.Node{convFor(builtin, in[0], in[1], in[2], false)}
			}, x, kernel, bias)[0]
			wantPool, dConv := referencePool(conv, tensors.MustCopyFlatData[float32](r), tc.batch, oh, ow, tc.cout)
			grads := run(t, backend, func(in []*graph.Node) []*graph.Node {
				y := convFor(builtin, in[0], in[1], in[2], false)
				return graph.Gradient(graph.ReduceAllSum(graph.Mul(y, in[3])), in[:3]...)
			}, x, kernel, bias, tensors.FromFlatDataAndDimensions(dConv, tc.batch, oh, ow, tc.cout))

			want := append([][]float32{conv, wantPool}, grads...)
			for j, what := range []string{"conv output", "pool output", "gradient w.r.t. x", "gradient w.r.t. kernel", "gradient w.r.t. bias"} {
				if diff := cmp.Diff(want[j], fast[j], approx); diff != "" {
					t.Errorf("%s (%s): %s mismatch (-builtin +im2col):\n%s", tc.name, tc.reason, what, diff)
				}
			}
		})
	}
}

// TestModelFormulationsAgree checks that the whole network gives the same
// activations with either formulation on the same weights.
func TestModelFormulationsAgree(t *testing.T) {
	m, err := NewModel(testBackend(t), CNN, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	d := &fashion.Data{Pixels: make([]uint8, 3*fashion.ImageSize*fashion.ImageSize), Labels: make([]uint8, 3)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(rng.Uint32())
	}
	got := map[formulation][]Tensor{}
	for _, f := range []formulation{builtin, im2col} {
		m.form, m.execs = f, nil
		if got[f], err = m.Activations(d); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range m.LayerNames() {
		if diff := cmp.Diff(got[builtin][i], got[im2col][i], approx); diff != "" {
			t.Errorf("layer %s: activations mismatch (-builtin +im2col):\n%s", name, diff)
		}
	}
}

// TestConvBlocksChain checks that two chained blocks, where the second
// starts from the first's channels-first output, split in two parts, give
// the same values and gradients as two blocks built apart, each starting
// from [batch, h, w, c] in one part.
func TestConvBlocksChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	inputs := []*tensors.Tensor{
		randomTensor(rng, 16, 12, 12, 1),
		randomTensor(rng, 3, 3, 1, 4), randomTensor(rng, 4),
		randomTensor(rng, 3, 3, 4, 3), randomTensor(rng, 3),
	}
	build := func(chained bool) func(in []*graph.Node) []*graph.Node {
		return func(in []*graph.Node) []*graph.Node {
			newBlocks := func(parts int) *convBlocks {
				cb := newConvBlocks()
				cb.parts = parts
				return cb
			}
			var p1, p2 *graph.Node
			if chained {
				cb := newBlocks(2)
				p1 = cb.convPool(in[0], in[1], in[2], ReLU)
				p2 = cb.convPool(p1, in[3], in[4], ReLU)
			} else {
				p1 = newBlocks(1).convPool(in[0], in[1], in[2], ReLU)
				p2 = newBlocks(1).convPool(p1, in[3], in[4], ReLU)
			}
			return append([]*graph.Node{p2}, graph.Gradient(weighted(p2, 9), in...)...)
		}
	}
	backend := testBackend(t)
	apart, chained := run(t, backend, build(false), inputs...), run(t, backend, build(true), inputs...)
	for i, what := range []string{"output", "gradient w.r.t. x", "gradient w.r.t. kernel 1", "gradient w.r.t. bias 1", "gradient w.r.t. kernel 2", "gradient w.r.t. bias 2"} {
		if diff := cmp.Diff(apart[i], chained[i], approx); diff != "" {
			t.Errorf("%s mismatch (-apart +chained):\n%s", what, diff)
		}
	}
}
