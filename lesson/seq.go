package lesson

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// Network is a model written as Go code: a function that adds the model's
// layers to a [Seq], in order, as Keras's Sequential([...]) lists them. The
// lesson's network is [CNN]; a notebook defines its own the same way:
//
//	func cnn(s *lesson.Seq) {
//		s.Conv2D(64, 3, lesson.ReLU)
//		s.MaxPool2D(2)
//		s.Flatten()
//		s.Dense(10, lesson.Softmax)
//	}
type Network func(s *Seq)

// Activation is the function a layer applies to its output.
type Activation string

// The activations a layer can apply.
const (
	// Linear applies none: the layer's output is its weighted sum.
	Linear Activation = ""
	// ReLU keeps positive values and turns negative ones into 0.
	ReLU Activation = "relu"
	// Softmax turns the last layer's outputs into class probabilities that
	// add up to 1. Only the last layer may use it; training folds it into
	// the loss (sparse categorical cross-entropy from logits).
	Softmax Activation = "softmax"
)

// CNN is the lesson's network, exactly the Keras lesson's: two blocks of
// Conv2D(64, 3×3, relu) and MaxPool 2×2, then Flatten (1,600 values),
// Dense(128, relu) and Dense(10, softmax); 243,786 parameters. The notebook
// writes the same function in a cell; the terminal command and the benchmark
// use this one, so both train (and share checkpoints of) the same model.
func CNN(s *Seq) {
	s.Conv2D(64, 3, ReLU)
	s.MaxPool2D(2)
	s.Conv2D(64, 3, ReLU)
	s.MaxPool2D(2)
	s.Flatten()
	s.Dense(128, ReLU)
	s.Dense(10, Softmax)
}

// Seq builds a network layer by layer, like Keras's Sequential model: each
// method adds one layer to the graph, after the previous one, and records
// its Keras-style name (conv2d, max_pooling2d, conv2d_1, …), output shape and
// parameters for [Model.Summary]. Its input is a batch of images
// [batch, 28, 28, 1] with values in [0, 1].
//
// A layer that does not fit (a convolution after Flatten, a kernel larger
// than its input) stops the build with an error that names the layer; the
// [Model] functions return it.
//
// On the pure-Go backend the convolutions and max-pools are written in a
// form that backend runs fast (im2col matrix products, the pool computed
// with the convolution before it); elsewhere GoMLX's own layers are used.
// Both hold the same variables, so checkpoints move between backends.
type Seq struct {
	scope  *model.Scope
	x      *graph.Node // the last layer's output
	form   formulation
	blocks *convBlocks
	// pending is the last layer, when it was a convolution that the next
	// max-pool may compute with it.
	pending *pendingConv
	counts  map[string]int
	layers  []Layer
	outputs []*graph.Node
	logits  *graph.Node // the last layer's output before a softmax
}

// pendingConv is a convolution the next 2×2 max-pool can fuse with.
type pendingConv struct {
	in, kernel, bias *graph.Node // in: the convolution's (padded) input
	act              Activation
}

func newSeq(scope *model.Scope, x *graph.Node, f formulation) *Seq {
	return &Seq{scope: scope, x: x, form: f, blocks: newConvBlocks(), counts: map[string]int{}}
}

// name returns the next Keras name for a layer of kind: conv2d, conv2d_1, …
func (s *Seq) name(kind string) string {
	n := s.counts[kind]
	s.counts[kind]++
	if n == 0 {
		return kind
	}
	return fmt.Sprintf("%s_%d", kind, n)
}

// add records a layer's output.
func (s *Seq) add(name, kind, spec string, y *graph.Node, arithmetic func(params int) string) {
	s.x = y
	s.layers = append(s.layers, Layer{Name: name, Type: kind, Output: y.Shape().Dimensions[1:], spec: spec, arithmetic: arithmetic})
	s.outputs = append(s.outputs, y)
}

// fail stops the build with an error about layer name.
func (s *Seq) fail(name, kind, format string, args ...any) {
	buildFailf("layer %d, %s (%s): %s", len(s.layers)+1, name, kind, fmt.Sprintf(format, args...))
}

// checkOpen stops the build if the last layer was a softmax.
func (s *Seq) checkOpen(name, kind string) {
	if s.logits != nil {
		s.fail(name, kind, "it comes after a Softmax layer; Softmax is only for the last layer")
	}
}

// image returns the spatial input of a layer, or stops the build.
func (s *Seq) image(name, kind string) (h, w, c int) {
	d := s.x.Shape().Dimensions
	if len(d) != 4 {
		s.fail(name, kind, "it needs images [batch, height, width, channels] but gets %s: put it before Flatten", dimString(d))
	}
	return d[1], d[2], d[3]
}

// Conv2D adds a convolution layer with filters filters of size×size weights
// (plus a bias each) and no padding ("valid", as Keras's default): an input
// [batch, h, w, c] gives [batch, h−size+1, w−size+1, filters]. Keras:
// Conv2D(filters, (size, size), activation=act).
func (s *Seq) Conv2D(filters, size int, act Activation) {
	s.conv(filters, size, act, false)
}

// Conv2DSame is [Seq.Conv2D] with "same" padding: the input is padded with
// zeros by (size−1)/2 on every side, so the output keeps its height and
// width: [batch, h, w, filters]. size must be odd. Keras:
// Conv2D(filters, (size, size), activation=act, padding="same").
func (s *Seq) Conv2DSame(filters, size int, act Activation) {
	s.conv(filters, size, act, true)
}

func (s *Seq) conv(filters, size int, act Activation, same bool) {
	name, kind := s.name("conv2d"), "Conv2D"
	s.checkOpen(name, kind)
	s.checkActivation(name, kind, act)
	h, w, cin := s.image(name, kind)
	switch {
	case filters < 1 || filters > 4096:
		s.fail(name, kind, "%d filters: want 1 to 4096", filters)
	case size < 1 || (!same && (size > h || size > w)):
		s.fail(name, kind, "a %d×%d kernel does not fit its %d×%d input: use a smaller kernel or remove a layer before it", size, size, h, w)
	case same && size%2 == 0:
		s.fail(name, kind, "\"same\" padding needs an odd kernel size, got %d", size)
	}
	scope := s.scope.In("%s", name)
	x := s.x
	var y *graph.Node
	s.pending = nil
	if s.form == builtin {
		c := layers.Convolution(scope, x).Channels(filters).KernelSize(size).Strides(1).CurrentScope()
		if same {
			c = c.PadSame()
		}
		y = activate(c.Done(), act)
	} else {
		kernel := scope.VariableWithShape("weights", shapes.Make(dtypes.Float32, size, size, cin, filters)).NodeValue(x.Graph())
		bias := scope.VariableWithShape("biases", shapes.Make(dtypes.Float32, filters)).NodeValue(x.Graph())
		if same {
			x = padSame(x, size)
		}
		y = s.blocks.conv(x, kernel, bias, act)
		// Linear and ReLU both commute with a max, so a 2×2 max-pool next
		// can be computed with this convolution (convBlocks.convPool).
		s.pending = &pendingConv{in: x, kernel: kernel, bias: bias, act: act}
	}
	spec := fmt.Sprintf("Conv2D(filters=%d, size=%d, %s, padding=%s)", filters, size, actName(act), padName(same))
	oh := y.Shape().Dimensions[1]
	s.add(name, kind, spec, y, func(params int) string {
		out := fmt.Sprintf("%d−%d+1 = %d", h, size, oh)
		if same {
			out = fmt.Sprintf("padded by %d: %d+%d−%d+1 = %d", (size-1)/2, h, size-1, size, oh)
		}
		return fmt.Sprintf("(%d·%d·%d+1)·%d = %s; %s", size, size, cin, filters, commas(params), out)
	})
}

// MaxPool2D adds a max-pooling layer: each size×size block of every channel
// is replaced by its largest value, so [batch, h, w, c] gives
// [batch, ⌊h/size⌋, ⌊w/size⌋, c]; an odd last row or column is dropped, as in
// Keras's MaxPooling2D((size, size)). It has no weights.
func (s *Seq) MaxPool2D(size int) {
	name, kind := s.name("max_pooling2d"), "MaxPooling2D"
	s.checkOpen(name, kind)
	h, w, _ := s.image(name, kind)
	if size < 1 || size > h || size > w {
		s.fail(name, kind, "a %d×%d window does not fit its %d×%d input: use a smaller window or remove a layer before it", size, size, h, w)
	}
	var y *graph.Node
	switch {
	case s.form == builtin:
		y = graph.MaxPool(s.x).Window(size).Strides(size).NoPadding().Done()
	case size == 2 && s.pending != nil:
		p := s.pending
		y = s.blocks.convPool(p.in, p.kernel, p.bias, p.act)
	default:
		y = maxPool(s.x, size)
	}
	s.pending = nil
	spec := fmt.Sprintf("MaxPooling2D(size=%d)", size)
	s.add(name, kind, spec, y, func(int) string {
		return fmt.Sprintf("no weights; ⌊%d/%d⌋ = %d", h, size, h/size)
	})
}

// Flatten adds a layer that lays each example's values out in one row:
// [batch, h, w, c] gives [batch, h·w·c]. It has no weights.
func (s *Seq) Flatten() {
	name, kind := s.name("flatten"), "Flatten"
	s.checkOpen(name, kind)
	d := s.x.Shape().Dimensions
	y := graph.Reshape(s.x, d[0], -1)
	s.pending = nil
	parts := make([]string, len(d)-1)
	for i, n := range d[1:] {
		parts[i] = fmt.Sprint(n)
	}
	s.add(name, kind, "Flatten()", y, func(int) string {
		return fmt.Sprintf("no weights; %s = %s", strings.Join(parts, "·"), commas(y.Shape().Dimensions[1]))
	})
}

// Dense adds a fully connected layer of units outputs, each a weighted sum
// of all inputs plus a bias: [batch, n] gives [batch, units], with n·units +
// units parameters. Keras: Dense(units, activation=act). It needs a flat
// input: put [Seq.Flatten] before the first Dense layer.
func (s *Seq) Dense(units int, act Activation) {
	name, kind := s.name("dense"), "Dense"
	s.checkOpen(name, kind)
	d := s.x.Shape().Dimensions
	if len(d) != 2 {
		s.fail(name, kind, "it needs a flat input [batch, n] but gets %s: put Flatten before it", dimString(d))
	}
	if units < 1 || units > 1<<16 {
		s.fail(name, kind, "%d units: want 1 to 65536", units)
	}
	if act != Linear && act != ReLU && act != Softmax {
		s.fail(name, kind, "unknown activation %q: use lesson.ReLU, lesson.Softmax or lesson.Linear", string(act))
	}
	in := d[1]
	z := layers.Dense(s.scope.In("%s", name), s.x, true, units)
	s.pending = nil
	y := z
	if act == Softmax {
		s.logits = z
		y = graph.Softmax(z)
	} else {
		y = activate(z, act)
	}
	spec := fmt.Sprintf("Dense(units=%d, %s)", units, actName(act))
	s.add(name, kind, spec, y, func(params int) string {
		return fmt.Sprintf("%s·%d+%d = %s", commas(in), units, units, commas(params))
	})
}

// checkActivation stops the build for an activation a convolution cannot use.
func (s *Seq) checkActivation(name, kind string, act Activation) {
	switch act {
	case Linear, ReLU:
	case Softmax:
		s.fail(name, kind, "Softmax is only for the last (Dense) layer; use lesson.ReLU")
	default:
		s.fail(name, kind, "unknown activation %q: use lesson.ReLU or lesson.Linear", string(act))
	}
}

// activate applies act (Linear or ReLU) to x.
func activate(x *graph.Node, act Activation) *graph.Node {
	if act == ReLU {
		return activation.Relu(x)
	}
	return x
}

func actName(act Activation) string {
	if act == Linear {
		return "linear"
	}
	return string(act)
}

func padName(same bool) string {
	if same {
		return "same"
	}
	return "valid"
}

// dimString formats a shape with the batch axis as "[batch, 5, 5, 64]".
func dimString(d []int) string {
	parts := []string{"batch"}
	for _, n := range d[1:] {
		parts = append(parts, fmt.Sprint(n))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// commas formats n with thousands separators, as Keras does: 243,786.
func commas(n int) string {
	if n < 0 {
		return "-" + commas(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
