package lesson_test

import (
	"fmt"

	"github.com/gonb-lessons/convolutions/lesson"
)

// The lesson's model, layer by layer, without building it.
func ExampleConfig_Layers() {
	for _, l := range (lesson.Config{}).Layers() {
		fmt.Printf("%-16s %-13s %-12s %7d\n", l.Name, l.Type, fmt.Sprint(l.Output), l.Params)
	}
	// Output:
	// conv2d           Conv2D        [26 26 64]       640
	// max_pooling2d    MaxPooling2D  [13 13 64]         0
	// conv2d_1         Conv2D        [11 11 64]     36928
	// max_pooling2d_1  MaxPooling2D  [5 5 64]           0
	// flatten          Flatten       [1600]             0
	// dense            Dense         [128]         204928
	// dense_1          Dense         [10]            1290
}

func ExampleSummary() {
	table := lesson.Summary(lesson.Config{Filters: 32})
	fmt.Println(table.Total)
	fmt.Println(table.Layers[0].Arithmetic)
	// Output:
	// 113386
	// (3·3·1+1)·32 = 320; 28−3+1 = 26
}

// Building the model on the pure-Go backend and looking at what its first
// layer produces for one image, as the Keras lesson's activation model does.
func ExampleModel_Activations() {
	backend, _, err := lesson.NewBackend()
	if err != nil {
		panic(err)
	}
	m, err := lesson.NewModel(backend, lesson.Config{})
	if err != nil {
		panic(err)
	}
	pred, err := m.Activations(nil) // nil: one blank image
	if err != nil {
		panic(err)
	}
	fmt.Println(len(pred), pred[0].Shape, m.NumParams())
	// Output:
	// 7 [1 26 26 64] 243786
}
