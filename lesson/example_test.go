package lesson_test

import (
	"fmt"

	"github.com/gonb-lessons/convolutions/lesson"
)

// A network is a Go function that adds layers in order, like Keras's
// Sequential list; the summary comes from the built model.
func Example() {
	cnn := func(s *lesson.Seq) {
		s.Conv2D(32, 3, lesson.ReLU) // 32 filters instead of the lesson's 64
		s.MaxPool2D(2)
		s.Flatten()
		s.Dense(10, lesson.Softmax)
	}
	backend, _, err := lesson.NewBackend("go")
	if err != nil {
		panic(err)
	}
	m, err := lesson.NewModel(backend, cnn, lesson.Settings{})
	if err != nil {
		panic(err)
	}
	for _, l := range m.Summary().Layers {
		fmt.Printf("%-14s %-12s %-12s %6d  %s\n", l.Name, l.Type, fmt.Sprint(l.Output), l.Params, l.Arithmetic)
	}
	fmt.Println("total:", m.Summary().Total)
	// Output:
	// conv2d         Conv2D       [26 26 32]      320  (3·3·1+1)·32 = 320; 28−3+1 = 26
	// max_pooling2d  MaxPooling2D [13 13 32]        0  no weights; ⌊26/2⌋ = 13
	// flatten        Flatten      [5408]            0  no weights; 13·13·32 = 5,408
	// dense          Dense        [10]          54090  5,408·10+10 = 54,090
	// total: 54410
}

// The lesson's model, and what its first layer produces for one image, as
// the Keras lesson's activation model shows.
func ExampleModel_Activations() {
	backend, _, err := lesson.NewBackend("go")
	if err != nil {
		panic(err)
	}
	m, err := lesson.NewModel(backend, lesson.CNN, lesson.Settings{})
	if err != nil {
		panic(err)
	}
	pred, err := m.Activations(nil) // nil: one blank image
	if err != nil {
		panic(err)
	}
	fmt.Println(len(pred), m.LayerNames()[0], pred[0].Shape, m.Summary().Total)
	// Output:
	// 7 conv2d [1 26 26 64] 243786
}

// The summary of the lesson's model, as Keras prints it, with the
// arithmetic of each row.
func ExampleTable_String() {
	backend, _, err := lesson.NewBackend("go")
	if err != nil {
		panic(err)
	}
	m, err := lesson.NewModel(backend, lesson.CNN, lesson.Settings{})
	if err != nil {
		panic(err)
	}
	table := m.Summary()
	fmt.Println(table.Layers[2].Name, table.Layers[2].Arithmetic)
	fmt.Println("Total params:", table.Total)
	// Output:
	// conv2d_1 (3·3·64+1)·64 = 36,928; 13−3+1 = 11
	// Total params: 243786
}
