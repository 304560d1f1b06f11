package fashion_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// ExampleReadData reads the three-example fixture in testdata/ and prints what a model sees.
func ExampleReadData() {
	images, err := os.Open("testdata/tiny-images-idx3-ubyte.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer images.Close()
	labels, err := os.Open("testdata/tiny-labels-idx1-ubyte.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer labels.Close()

	data, err := fashion.ReadData(images, labels)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("examples:", data.Len())
	fmt.Println("image size:", data.Image(0).Bounds().Size())
	x := data.Floats(0, data.Len())
	fmt.Printf("model input: [%d, %d, %d, 1], %d float32 in [0, 1]\n", data.Len(), fashion.ImageSize, fashion.ImageSize, len(x))
	for i := range data.Len() {
		fmt.Printf("example %d: label %d, %s\n", i, data.Label(i), fashion.ClassNames()[data.Label(i)])
	}
	// Output:
	// examples: 3
	// image size: (28,28)
	// model input: [3, 28, 28, 1], 2352 float32 in [0, 1]
	// example 0: label 1, Trouser
	// example 1: label 8, Bag
	// example 2: label 9, Ankle boot
}

// ExampleLoad loads the Fashion-MNIST test split. The zero LoadOptions would download the files when no
// copy is found; NoDownload keeps this example offline, so it needs Debian's dataset-fashion-mnist (or
// the files in the cache). A program's main reads the environment and flags and passes them on, as here.
func ExampleLoad() {
	mirrors, err := fashion.ParseMirrors(os.Getenv(fashion.MirrorsEnv))
	if err != nil {
		log.Fatal(err)
	}
	opts := fashion.LoadOptions{Mirrors: mirrors, NoDownload: true}
	if dir := os.Getenv(fashion.DirEnv); dir != "" {
		opts.Dir, opts.DirSource = dir, "$"+fashion.DirEnv
	}
	test, err := fashion.Load(context.Background(), fashion.Test, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("examples:", test.Len())
	fmt.Println("first:", fashion.ClassNames()[test.Label(0)])
	// Output:
	// examples: 10000
	// first: Ankle boot
}

// ExampleClassNamesIn prints a label's name in both languages of the lesson's notebooks.
func ExampleClassNamesIn() {
	for _, lang := range []string{"en", "zh"} {
		names := fashion.ClassNamesIn(lang)
		fmt.Printf("%s: label 2 is %s, label 9 is %s\n", lang, names[2], names[9])
	}
	// Output:
	// en: label 2 is Pullover, label 9 is Ankle boot
	// zh: label 2 is 套头衫, label 9 is 短靴
}
