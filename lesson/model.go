package lesson

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Model is the lesson's network with its weights, on one backend.
// Create it with [NewModel], train it with [Model.Train], keep it with
// [Model.Save] and [LoadModel].
type Model struct {
	cfg         Config
	backend     compute.Backend
	store       *model.Store
	formulation Formulation
	history     History // every epoch trained, across Train calls and checkpoints

	// execs caches the compiled inference graphs by purpose ("activations",
	// "predict", "evaluate"); each compiles once per input shape.
	execs map[string]*model.Exec
}

// NewModel builds the network described by cfg on backend, with freshly
// initialised weights: Glorot-uniform kernels and zero biases, as Keras.
// Formulation [Auto] is used: see [Model.SetFormulation].
func NewModel(backend compute.Backend, cfg Config) (*Model, error) {
	if backend == nil {
		return nil, fmt.Errorf("lesson: NewModel: nil backend; create one with lesson.NewBackend()")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, cfg.Seed)
	m := &Model{cfg: cfg, backend: backend, store: store}
	m.SetFormulation(Auto)
	// Create the variables now, so the model can be counted and saved before training.
	if _, err := m.Activations(nil); err != nil {
		return nil, err
	}
	return m, nil
}

// Config returns the model's configuration, defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// Backend returns the backend the model runs on.
func (m *Model) Backend() compute.Backend { return m.backend }

// Formulation returns how convolutions and pools are written in the graph.
func (m *Model) Formulation() Formulation { return m.formulation }

// SetFormulation chooses how convolutions and pools are written in the graph
// from now on; [Auto] resolves to [Im2Col] on the go backend and [Builtin]
// elsewhere. The weights stay the same.
func (m *Model) SetFormulation(f Formulation) {
	if f == Auto {
		f = Builtin
		if m.backend.String() == gobackend.BackendName {
			f = Im2Col
		}
	}
	m.formulation = f
	for _, e := range m.execs {
		e.Finalize()
	}
	m.execs = nil
}

// exec returns the cached executor for purpose, creating it with fn.
func (m *Model) exec(purpose string, fn any) *model.Exec {
	if e := m.execs[purpose]; e != nil {
		return e
	}
	var e *model.Exec
	switch fn := fn.(type) {
	case func(*model.Scope, *graph.Node) []*graph.Node:
		e = model.MustNewExec(m.backend, m.store, fn)
	case func(*model.Scope, *graph.Node) *graph.Node:
		e = model.MustNewExec(m.backend, m.store, fn)
	case func(*model.Scope, *graph.Node, *graph.Node) (*graph.Node, *graph.Node):
		e = model.MustNewExec(m.backend, m.store, fn)
	default:
		panic(fmt.Sprintf("lesson: Model.exec(%q): unsupported graph function %T", purpose, fn))
	}
	if m.execs == nil {
		m.execs = map[string]*model.Exec{}
	}
	m.execs[purpose] = e
	return e
}

// LayerNames lists the names of the layers, in order: the names of the
// values [Model.Activations] returns.
func (m *Model) LayerNames() []string {
	var names []string
	for _, l := range m.cfg.Layers() {
		names = append(names, l.Name)
	}
	return names
}

// NumParams counts the trainable parameters actually held by the model's
// variables (the optimizer's state is not counted).
func (m *Model) NumParams() int {
	n := 0
	for v := range m.store.IterVariables() {
		if isWeight(v) {
			n += v.Shape().Size()
		}
	}
	return n
}

// isWeight reports whether v is one of the network's weights (not the
// optimizer's state, the step counter or the random state).
func isWeight(v *model.Variable) bool {
	return v.Trainable && len(v.Scope()) > len(scopeModel) && v.Scope()[:len(scopeModel)] == scopeModel
}

// scopeModel is the variable scope that holds the network's weights.
const scopeModel = "/model"

// layerOutputs builds the network on images x [batch, 28, 28, 1] and returns
// every layer's output, in the order of Config.Layers. The last output holds
// the logits [batch, 10] (softmax is applied by the callers that want
// probabilities, and folded into the loss when training).
func (m *Model) layerOutputs(scope *model.Scope, x *graph.Node) []*graph.Node {
	scope = scope.In("model").WithInitializer(initializer.GlorotUniformFn(scope))
	var outs []*graph.Node
	blocks := newConvBlocks(m.formulation)
	var pooled *graph.Node // the max-pool after a convolution, computed with it
	batch := x.Shape().Dimensions[0]
	for _, l := range m.cfg.Layers() {
		ls := scope.In("%s", l.Name)
		switch l.Type {
		case "Conv2D":
			cin := x.Shape().Dimensions[3]
			kernel := ls.VariableWithShape("kernel", shapes.Make(dtypes.Float32, 3, 3, cin, l.Output[2])).NodeValue(x.Graph())
			bias := ls.VariableWithShape("bias", shapes.Make(dtypes.Float32, l.Output[2])).NodeValue(x.Graph())
			x, pooled = blocks.convPool(x, kernel, bias)
		case "MaxPooling2D":
			if pooled == nil {
				pooled = maxPool2x2(m.formulation, x)
			}
			x, pooled = pooled, nil
		case "Flatten":
			x = graph.Reshape(x, batch, -1)
		case "Dense":
			in := x.Shape().Dimensions[1]
			kernel := ls.VariableWithShape("kernel", shapes.Make(dtypes.Float32, in, l.Output[0])).NodeValue(x.Graph())
			bias := ls.VariableWithShape("bias", shapes.Make(dtypes.Float32, l.Output[0])).NodeValue(x.Graph())
			if l.Name == "dense_1" {
				x = nn.Dense(x, kernel, bias)
			} else {
				x = nn.Dense(x, kernel, bias, activation.TypeRelu)
			}
		}
		x.AssertDims(append([]int{batch}, l.Output...)...)
		outs = append(outs, x)
	}
	return outs
}

// catch runs fn and turns a GoMLX panic into an error prefixed with what.
func catch(what string, fn func()) (err error) {
	switch e := exceptions.Try(fn).(type) {
	case nil:
		return nil
	case error:
		return fmt.Errorf("lesson: %s: %w", what, e)
	default:
		return fmt.Errorf("lesson: %s: %v", what, e)
	}
}
