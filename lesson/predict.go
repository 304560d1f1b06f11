package lesson

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// Tensor is a float32 array and its shape, row-major: what the model
// returns to Go code.
type Tensor struct {
	Shape  []int
	Values []float32
}

// At returns the value at the given index, one number per axis.
// It panics if the index is out of range, like a slice does.
func (t Tensor) At(index ...int) float32 {
	if len(index) != len(t.Shape) {
		panic(fmt.Sprintf("lesson: Tensor.At: %d indices for shape %v", len(index), t.Shape))
	}
	flat := 0
	for i, x := range index {
		if x < 0 || x >= t.Shape[i] {
			panic(fmt.Sprintf("lesson: Tensor.At: index %v out of range for shape %v", index, t.Shape))
		}
		flat = flat*t.Shape[i] + x
	}
	return t.Values[flat]
}

// imagesTensor converts examples [start, end) of d to a [n, 28, 28, 1]
// float32 tensor scaled to [0, 1]. A nil d gives one blank image.
func imagesTensor(d *fashion.Data, start, end int) *tensors.Tensor {
	if d == nil {
		return tensors.FromFlatDataAndDimensions(make([]float32, fashion.ImageSize*fashion.ImageSize), 1, fashion.ImageSize, fashion.ImageSize, 1)
	}
	return tensors.FromFlatDataAndDimensions(d.Floats(start, end), end-start, fashion.ImageSize, fashion.ImageSize, 1)
}

// labelsTensor converts labels [start, end) of d to a [n, 1] int32 tensor.
func labelsTensor(d *fashion.Data, start, end int) *tensors.Tensor {
	labels := make([]int32, end-start)
	for i := range labels {
		labels[i] = int32(d.Labels[start+i])
	}
	return tensors.FromFlatDataAndDimensions(labels, end-start, 1)
}

// toTensor copies a GoMLX float32 tensor into a Tensor.
func toTensor(t *tensors.Tensor) Tensor {
	return Tensor{Shape: slices.Clone(t.Shape().Dimensions), Values: tensors.MustCopyFlatData[float32](t)}
}

// Activations runs the images of d through the network and returns the
// output of every layer, in the order of [Model.LayerNames], like the Keras
// lesson's activation model; with names, only those layers' outputs, in that
// order. For the lesson's model there are 7 outputs and the first, conv2d's,
// is [len(d), 26, 26, 64]; the last holds the class probabilities
// [len(d), 10]. A nil d runs one blank image.
func (m *Model) Activations(d *fashion.Data, names ...string) ([]Tensor, error) {
	n := 1
	if d != nil {
		n = d.Len()
		if n == 0 {
			return nil, fmt.Errorf("lesson: Activations: no images given")
		}
	}
	// pick lists the layers to return, by index, in the order asked.
	var pick []int
	for _, name := range names {
		i := slices.Index(m.LayerNames(), name)
		if i < 0 {
			return nil, fmt.Errorf("lesson: Activations: no layer %q; the layers are %q", name, m.LayerNames())
		}
		pick = append(pick, i)
	}
	if len(names) == 0 {
		for i := range m.layers {
			pick = append(pick, i)
		}
	}
	outs := make([]Tensor, len(pick))
	err := catch("computing activations", func() {
		exec := m.exec("activations", func(scope *model.Scope, x *graph.Node) []*graph.Node {
			return m.build(scope, x).outputs
		})
		for i, t := range exec.MustExec(imagesTensor(d, 0, n)) {
			for j, p := range pick {
				if p == i {
					outs[j] = toTensor(t)
				}
			}
			t.MustFinalizeAll()
		}
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// predict returns the class probabilities [len(d), 10] for the images of d.
func (m *Model) predict(d *fashion.Data) (Tensor, error) {
	if d == nil || d.Len() == 0 {
		return Tensor{}, fmt.Errorf("lesson: Classify: no images given")
	}
	probs := Tensor{Shape: []int{d.Len(), fashion.NumClasses}}
	err := catch("predicting", func() {
		exec := m.exec("predict", func(scope *model.Scope, x *graph.Node) *graph.Node {
			return graph.Softmax(m.build(scope, x).logits)
		})
		for start := 0; start < d.Len(); start += m.settings.BatchSize {
			end := min(start+m.settings.BatchSize, d.Len())
			out := exec.MustExec1(imagesTensor(d, start, end))
			probs.Values = append(probs.Values, tensors.MustCopyFlatData[float32](out)...)
			out.MustFinalizeAll()
		}
	})
	return probs, err
}

// Classify returns the most likely class (0 to 9) of each image of d.
func (m *Model) Classify(d *fashion.Data) ([]int, error) {
	probs, err := m.predict(d)
	if err != nil {
		return nil, err
	}
	classes := make([]int, d.Len())
	for i := range classes {
		row := probs.Values[i*fashion.NumClasses : (i+1)*fashion.NumClasses]
		classes[i] = slices.Index(row, slices.Max(row))
	}
	return classes, nil
}

// Weights returns the kernel of the named layer: [size, size, in, filters]
// for a Conv2D layer such as "conv2d", [in, units] for a Dense layer.
func (m *Model) Weights(layer string) (Tensor, error) {
	var withWeights []string
	for _, l := range m.layers {
		if l.Params == 0 {
			continue
		}
		withWeights = append(withWeights, l.Name)
		if l.Name != layer {
			continue
		}
		for _, v := range m.vars {
			if strings.HasPrefix(v.Name, scopeModel+"/"+layer+"/") && strings.HasSuffix(v.Name, "/weights") {
				t, err := m.store.GetVariable(v.Name).Value()
				if err != nil {
					return Tensor{}, fmt.Errorf("lesson: Weights(%q): %w", layer, err)
				}
				return toTensor(t), nil
			}
		}
	}
	return Tensor{}, fmt.Errorf("lesson: Weights(%q): no such layer with weights; layers with weights are %q", layer, withWeights)
}
