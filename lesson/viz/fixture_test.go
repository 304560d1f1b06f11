package viz

import (
	"os"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// fixtureData returns the three images of the fashion package's IDX fixture
// (a boot, a pullover, trousers), read past the IDX headers (16 bytes for
// images, 8 for labels).
func fixtureData(t testing.TB) *fashion.Data {
	t.Helper()
	images, err := os.ReadFile("../fashion/testdata/tiny-images-idx3-ubyte")
	if err != nil {
		t.Fatal(err)
	}
	labels, err := os.ReadFile("../fashion/testdata/tiny-labels-idx1-ubyte")
	if err != nil {
		t.Fatal(err)
	}
	return &fashion.Data{Pixels: images[16:], Labels: labels[8:]}
}
