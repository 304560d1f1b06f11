package viz

import (
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

func TestConfusion(t *testing.T) {
	d := &fashion.Data{Pixels: make([]uint8, 4*fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0, 0, 3, 9}}
	c, err := NewConfusion(d, []int{0, 6, 3, 9})
	if err != nil {
		t.Fatal(err)
	}
	if c[0][0] != 1 || c[0][6] != 1 || c[3][3] != 1 || c.Accuracy() != 0.75 {
		t.Errorf("confusion %v, accuracy %v; want [0][0]=[0][6]=[3][3]=1, accuracy 0.75", c, c.Accuracy())
	}
	if _, err := NewConfusion(d, []int{0}); err == nil {
		t.Errorf("NewConfusion with too few predictions: no error")
	}
	g, err := MisclassifiedGallery(d, []int{0, 6, 3, 9}, 5)
	if err != nil || strings.Count(g, "<img") != 1 || !strings.Contains(g, "T-shirt/top → Shirt") {
		t.Errorf("MisclassifiedGallery = %q, %v; want one image captioned \"T-shirt/top → Shirt\"", g, err)
	}
}
