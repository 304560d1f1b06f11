package lesson

import (
	"os"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// fixtureData returns the three-example IDX fixture of the fashion package.
func fixtureData(t testing.TB) *fashion.Data {
	t.Helper()
	images, err := os.Open("fashion/testdata/tiny-images-idx3-ubyte.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer images.Close()
	labels, err := os.Open("fashion/testdata/tiny-labels-idx1-ubyte")
	if err != nil {
		t.Fatal(err)
	}
	defer labels.Close()
	d, err := fashion.ReadData(images, labels)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
