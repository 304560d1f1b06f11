package lesson

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/gonb-lessons/convolutions/lesson/internal/ckpt"
)

// Model is a [Network] with its weights and training settings, on one
// backend. Create it with [NewModel], train it with [Model.Train], keep it
// with [Model.Save] and [Load]; [Lab.Model] does all of that for a notebook.
type Model struct {
	net      Network
	name     string
	settings Settings
	backend  compute.Backend
	store    *model.Store
	form     formulation
	layers   []Layer         // recorded while building the network
	vars     []ckpt.Variable // the network's weights, by name
	history  History         // every epoch trained, across Train calls and checkpoints

	// execs caches the compiled inference graphs by purpose ("activations",
	// "predict", "evaluate"); each compiles once per input shape.
	execs map[string]*model.Exec
}

// scopeModel is the variable scope that holds the network's weights.
const scopeModel = "/model"

// NewModel builds net on backend with freshly initialised weights
// (Glorot-uniform kernels and zero biases, as Keras, seeded by
// settings.Seed) and records its layers for [Model.Summary]. The zero
// Settings are the lesson's.
func NewModel(backend compute.Backend, net Network, settings Settings) (*Model, error) {
	if backend == nil {
		return nil, errors.New("lesson: NewModel: nil backend; create one with lesson.NewBackend")
	}
	if net == nil {
		return nil, errors.New("lesson: NewModel: nil network; pass a function such as lesson.CNN")
	}
	settings, err := settings.withDefaults()
	if err != nil {
		return nil, err
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, settings.Seed)
	m := &Model{net: net, name: funcName(net), settings: settings, backend: backend, store: store,
		form: formulationFor(backend.String())}
	// Build once with a blank image: this creates the variables and records
	// the layers, so the model can be summarised and saved before training.
	if _, err := m.Activations(nil); err != nil {
		return nil, err
	}
	for v := range store.IterVariables() {
		if isWeight(v) {
			m.vars = append(m.vars, ckpt.Variable{Name: v.Path(), DType: v.Shape().DType.String(), Shape: slices.Clone(v.Shape().Dimensions)})
		}
	}
	slices.SortFunc(m.vars, func(a, b ckpt.Variable) int { return strings.Compare(a.Name, b.Name) })
	for i := range m.layers {
		m.layers[i].Params = m.paramsIn(m.layers[i].Name)
	}
	return m, nil
}

// funcName returns the name of the function net, "cnn" for a notebook's
// func cnn, or "sequential" (Keras's default) when it has none.
func funcName(net Network) string {
	f := runtime.FuncForPC(reflect.ValueOf(net).Pointer())
	if f == nil {
		return "sequential"
	}
	name := f.Name()
	name = name[strings.LastIndex(name, ".")+1:]
	if name == "" || strings.HasPrefix(name, "func") && strings.Trim(name[4:], "0123456789") == "" {
		return "sequential"
	}
	return name
}

// Name returns the name of the model's network function, e.g. "cnn", or
// "sequential" for an anonymous function.
func (m *Model) Name() string { return m.name }

// Settings returns the model's training settings, defaults filled in.
func (m *Model) Settings() Settings { return m.settings }

// Fingerprint identifies the model: a hex digest of its layers (their kinds,
// sizes, activations and output shapes), its weights' names and shapes and
// its training settings. An edited network or changed settings give
// another fingerprint, so [Lab.Model] never loads a stale checkpoint; the
// backend does not count, so checkpoints move between backends.
func (m *Model) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "lesson model v1\n")
	for _, l := range m.layers {
		fmt.Fprintf(h, "layer %s %s %v\n", l.Name, l.spec, l.Output)
	}
	for _, v := range m.vars {
		fmt.Fprintf(h, "var %s %s %v\n", v.Name, v.DType, v.Shape)
	}
	s := m.settings
	fmt.Fprintf(h, "settings epochs=%d batch=%d train=%d lr=%g seed=%d\n", s.Epochs, s.BatchSize, s.TrainSize, s.LearningRate, s.Seed)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// LayerNames lists the names of the layers, in order: conv2d,
// max_pooling2d, conv2d_1, … for the lesson's model. They name the values
// [Model.Activations] returns.
func (m *Model) LayerNames() []string {
	names := make([]string, len(m.layers))
	for i, l := range m.layers {
		names[i] = l.Name
	}
	return names
}

// paramsIn counts the values of the weights created in the scope of layer.
func (m *Model) paramsIn(layer string) int {
	n := 0
	prefix := scopeModel + "/" + layer + "/"
	for _, v := range m.vars {
		if strings.HasPrefix(v.Name, prefix) {
			size := 1
			for _, d := range v.Shape {
				size *= d
			}
			n += size
		}
	}
	return n
}

// isWeight reports whether v is one of the network's weights (not the
// optimizer's state, the step counter or the random state).
func isWeight(v *model.Variable) bool {
	return v.Trainable && strings.HasPrefix(v.Scope(), scopeModel+"/")
}

// build runs the network on images x [batch, 28, 28, 1] and returns the
// Seq that recorded it: every layer's output, and the last layer's logits.
// The first build records the layers for the model.
func (m *Model) build(scope *model.Scope, x *graph.Node) *Seq {
	scope = scope.In("model").WithInitializer(initializer.GlorotUniformFn(scope))
	s := newSeq(scope, x, m.form)
	m.net(s)
	if len(s.layers) == 0 {
		buildFailf("it adds no layer; add some, e.g. s.Flatten() and s.Dense(10, lesson.Softmax)")
	}
	if d := s.x.Shape().Dimensions; len(d) != 2 || d[1] != fashion.NumClasses {
		buildFailf("the last layer, %s, outputs %s; it must output one score per class, [batch, %d]: end with Flatten and Dense(%d, lesson.Softmax)",
			s.layers[len(s.layers)-1].Name, dimString(d), fashion.NumClasses, fashion.NumClasses)
	}
	if s.logits == nil {
		s.logits = s.x
	}
	if m.layers == nil {
		m.layers = slices.Clone(s.layers)
	}
	return s
}

// buildError is a network that cannot be built: a layer that does not fit.
type buildError struct{ msg string }

func (e buildError) Error() string { return e.msg }

// buildErrorPrefix starts every buildError.
const buildErrorPrefix = "lesson: network: "

// buildFailf stops the graph build with a buildError.
func buildFailf(format string, args ...any) {
	panic(buildError{buildErrorPrefix + fmt.Sprintf(format, args...)})
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

// catch runs fn and turns a GoMLX panic into an error prefixed with what.
func catch(what string, fn func()) (err error) {
	switch e := exceptions.Try(fn).(type) {
	case nil:
		return nil
	case error:
		// A network that does not fit stops the graph build with a
		// buildError, which GoMLX wraps in its own compilation text: return
		// the lesson's message alone.
		var be buildError
		if errors.As(e, &be) {
			return be
		}
		if i := strings.Index(e.Error(), buildErrorPrefix); i >= 0 {
			return errors.New(e.Error()[i:])
		}
		return fmt.Errorf("lesson: %s: %w", what, e)
	default:
		return fmt.Errorf("lesson: %s: %v", what, e)
	}
}
